"""Updates of different chats run concurrently; updates of one chat run in arrival order.

python-telegram-bot's own concurrent processing has no per-chat order, which a conversation
(the tip flow) needs; fully sequential processing leaves the bot idle during every round trip
to Telegram. A small bound keeps httpx's pool bookkeeping cheap (measured: 256 is slower).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

UNBOUNDED = 1_000_000  # the library's own semaphore: never the limit (see the class)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most `slots` updates at once, one at a time per chat (or user).

    The chat's turn comes before a slot: an update waiting behind its own chat (the photos of
    an album, a burst from one user) never holds a slot that another chat could use. The
    library takes its own (final) slot before calling `do_process_update`, so that one is set
    wide and the real bound is `self._slots`, taken once the chat's turn has come.
    """

    def __init__(self, slots: int):
        super().__init__(UNBOUNDED)
        self.slots = slots
        self._slots = asyncio.BoundedSemaphore(slots)
        self._locks: dict[int, asyncio.Lock] = {}
        # Updates of each chat holding or waiting for its lock; the lock goes with the last one.
        self._users: dict[int, int] = {}

    @staticmethod
    def _key(update: object) -> int | None:
        if not isinstance(update, Update):
            return None
        if update.effective_chat is not None:
            return update.effective_chat.id
        return update.effective_user.id if update.effective_user else None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then for a slot, then run this one."""
        key = self._key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            # asyncio.Lock is fair (documented): waiters acquire it first come, first served.
            async with lock, self._slots:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
