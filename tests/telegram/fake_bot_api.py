"""A fake Telegram Bot API server (aiohttp, 127.0.0.1 only) for end-to-end bot tests.

python-telegram-bot's HTTPXRequest POSTs ``RequestData.json_parameters`` as form fields
(urlencoded, or multipart/form-data when files are attached): str values are sent raw, every
other value (int, bool, reply_markup, results, ...) is ``json.dumps``-ed. An InputFile without
``attach`` is a multipart part named after the parameter (``photo``, ``document``); attached files
are referenced as ``attach://<name>``. JSON bodies and query strings are accepted too.

Waiting: every recorded call, injected update, long poll and report of the bot under test wakes
the waits (``wait_for``, ``wait_fetched``, ``wait_handled``, ``wait_until``), so nothing sleeps
for a fixed time, and a wait that times out raises with what was seen (``seen``). The server
knows an update was fetched once a later getUpdates offset confirms it; that it was handled,
only when the bot reports so (``tests.telegram.reporting``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.telegram.fakeapi.chats import _ChatAccess
from tests.telegram.fakeapi.htmlparse import TAGS, parse_html
from tests.telegram.fakeapi.methods import _BotMethods
from tests.telegram.fakeapi.polls import BLOCKED, POLL_LIMITS, _PollsAndBlocks
from tests.telegram.fakeapi.server import _Server
from tests.telegram.fakeapi.updates import _Injecting
from tests.telegram.fakeapi.waiting import _Waiting
from tests.telegram.fakeapi.wire import (
    JSON_KEYS,
    METHODS,
    NOT_MODIFIED,
    OLD_QUERY,
    SENT,
    TEXT_KEYS,
    ApiError,
    Call,
    Json,
    Opt,
    Pred,
    UploadedFile,
)

__all__ = [
    "BLOCKED",
    "JSON_KEYS",
    "METHODS",
    "NOT_MODIFIED",
    "OLD_QUERY",
    "POLL_LIMITS",
    "SENT",
    "TAGS",
    "TEXT_KEYS",
    "ApiError",
    "Call",
    "FakeBotApi",
    "Json",
    "Opt",
    "Pred",
    "ThreadedFakeBotApi",
    "UploadedFile",
    "parse_html",
]


# The parts live in tests/telegram/fakeapi/ (one concern each); no two define the same name.
# _PollsAndBlocks comes last, as when it was the only base and the rest was this class's body.
class FakeBotApi(_Waiting, _Injecting, _ChatAccess, _BotMethods, _Server, _PollsAndBlocks):
    """In-process fake Bot API server. Use ``async with FakeBotApi() as api:``."""

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @classmethod
    def run_in_thread(cls, **kwargs: Any) -> ThreadedFakeBotApi:
        """Serve from a daemon thread with its own loop (for bots running as subprocesses)."""
        return ThreadedFakeBotApi(cls(**kwargs))


# Here beside FakeBotApi (not in fakeapi/): each names the other, and a module of its own would
# import this one back.
class ThreadedFakeBotApi:
    """A FakeBotApi served from a background thread: same API, but blocking waits."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api, self._loop = api, asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(api.start(), self._loop).result(10)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.api, name)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 10.0):
        """Blocking ``FakeBotApi.wait_until``: re-checks whenever a call or update arrives."""
        deadline = time.monotonic() + timeout
        with self.api._cond:  # checked and waited under the lock ``_wake`` notifies with
            while not condition():
                if (remaining := deadline - time.monotonic()) <= 0:
                    raise self.api._timeout(what)
                self.api._cond.wait(remaining)

    def wait_for(
        self,
        method: str,
        predicate: Pred = None,
        timeout: float = 10.0,
        count: int = 1,
        since: int = 0,
    ) -> list[Call]:
        """Blocking ``FakeBotApi.wait_for`` (from async code: ``asyncio.to_thread``)."""
        ready, found = self.api._calls_ready(method, predicate, count, since)
        self.wait_until(ready, f"{count}x {method}", timeout)
        return found

    def wait_fetched(self, timeout: float = 10.0) -> None:
        """Blocking ``FakeBotApi.wait_fetched``."""
        self.wait_until(self.api.fetched, "the bot to fetch every update", timeout)

    def wait_handled(self, *update_ids: int, timeout: float = 10.0) -> None:
        """Blocking ``FakeBotApi.wait_handled``."""
        what = f"the bot to handle updates {list(update_ids) or 'all'}"
        self.wait_until(lambda: self.api.all_handled(*update_ids), what, timeout)
        self.api.check_crashes(*update_ids)

    def close(self) -> None:
        """Stop the server, its loop and its thread."""
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self.api.stop(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()

    def __enter__(self) -> ThreadedFakeBotApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
