"""One reply per media album: Telegram delivers an album as one update per photo or file.

Every item is handled (a tip's evidence step saves each file), but the replies are held: once
no further item of the album arrived for `QUIET` seconds, only the reply to the last item is
sent. An 8-photo album thus earns one reply, not eight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

QUIET = 0.8  # seconds without a further item: Telegram sends an album's items back to back


class AlbumReplies:
    """The pending reply of each album, keyed by (chat id, media group id)."""

    def __init__(self) -> None:
        self._latest: dict[tuple[int, str], int] = {}
        self._seen = 0

    def hold(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        send: Callable[[], Awaitable[object]],
    ) -> None:
        """Replace the album's pending reply by `send`, to run once the album is complete."""
        message, chat = update.effective_message, update.effective_chat
        key = (chat.id if chat else 0, str(message.media_group_id if message else ""))
        self._seen += 1
        ticket = self._latest[key] = self._seen
        context.application.create_task(self._later(key, ticket, send), update=update)

    async def _later(
        self, key: tuple[int, str], ticket: int, send: Callable[[], Awaitable[object]]
    ) -> None:
        await asyncio.sleep(QUIET)
        if self._latest.get(key) != ticket:
            return  # a later item of the album holds the reply now
        del self._latest[key]
        await send()


def albums_of(context: ContextTypes.DEFAULT_TYPE) -> AlbumReplies:
    """The application's album replies (created on first use)."""
    return context.application.bot_data.setdefault("albums", AlbumReplies())


def in_album(update: Update) -> bool:
    """True when the message is one item of a media album."""
    message = update.effective_message
    return bool(message and message.media_group_id)
