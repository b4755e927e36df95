"""Inspecting recorded calls and waiting for the bot, a mixin of ``FakeBotApi``.

Every recorded call, injected update, long poll and report of the bot under test wakes the
waits, so nothing sleeps for a fixed time, and a wait that times out raises with what was seen.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from tests.telegram.fakeapi.wire import SENT, Call, Json, Pred


class _Waiting:
    """Recorded calls, handled and crashed updates, and the waits built on them."""

    # State and helpers of the other parts of FakeBotApi (see server.py), for the type checker.
    errors: list[Call]
    get_updates_count: int
    crashes: list[tuple[int | None, BaseException]]
    tracks_handling: bool
    _calls: list[Call]
    _updates: list[Json]
    _delivered: int
    _confirmed: int
    _parked: int
    _injected: list[int]
    _handled: set[int]
    _raised: set[int | None]
    _lock: threading.RLock
    _changed: asyncio.Event | None
    _wake: Callable[[], None]

    # ---- inspection and waiting -----------------------------------------------------------
    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        """Recorded calls (never getUpdates), filtered by method (any case) and chat_id."""
        m, cid = (method or "").lower(), str(chat_id)
        with self._lock:
            return [
                c
                for c in self._calls
                if (not m or c.method.lower() == m)
                and (chat_id is None or str(c.params.get("chat_id")) == cid)
            ]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        """Rendered texts/captions of successful send/edit calls, in order."""
        sent = [c.text for c in self.calls(chat_id=chat_id) if c.method in SENT and not c.error]
        return [t for t in sent if t is not None]

    def last_reply(self, chat_id: int | str | None = None) -> Call | None:
        """The last successful sendMessage/editMessageText/sendPhoto/sendDocument call."""
        sent = [c for c in self.calls(chat_id=chat_id) if c.method in SENT and not c.error]
        return sent[-1] if sent else None

    @staticmethod
    def buttons(call: Call | Json) -> list[tuple[str, str | None]]:
        """Inline keyboard of a Call (or message dict) as (text, callback_data/url/...) pairs."""
        rm = (call.params if isinstance(call, Call) else call).get("reply_markup") or {}
        keys = ("callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat")
        rows = rm.get("inline_keyboard", [])
        return [(b["text"], next((b[k] for k in keys if k in b), None)) for r in rows for b in r]

    @property
    def pending_updates(self) -> int:
        """Injected updates not yet handed out by getUpdates."""
        with self._lock:
            return sum(1 for u in self._updates if u["update_id"] > self._delivered)

    def clear(self) -> None:
        """Forget recorded calls and errors (queued updates and stored messages are kept)."""
        with self._lock:
            self._calls.clear()
            self.errors.clear()

    def mark(self) -> int:
        """Position to pass as ``since=`` so a wait only considers calls made after now."""
        with self._lock:
            return len(self._calls)

    def _match(self, method: str, pred: Pred, count: int, since: int):
        with self._lock:
            new = [c for c in self._calls[since:] if c.method.lower() == method.lower()]
        found = [c for c in new if pred is None or pred(c)]
        return found if len(found) >= count else None

    def _calls_ready(
        self, method: str, pred: Pred, count: int, since: int
    ) -> tuple[Callable[[], bool], list[Call]]:
        """A condition for ``wait_until`` (async or blocking) that holds once ``count`` calls
        of ``method`` match, and the list it fills with the matches."""
        found: list[Call] = []

        def ready() -> bool:
            found[:] = self._match(method, pred, count, since) or []
            return bool(found)

        return ready, found

    # Conditions for ``wait_until`` (and the threaded blocking waits); each is cheap to poll.
    def fetched(self) -> bool:
        """True when the bot fetched every injected update and confirmed it with a later
        getUpdates offset (PTB does that right after queueing a batch, before handling it)."""
        with self._lock:
            last = self._updates[-1]["update_id"] if self._updates else 0
            return self._confirmed >= max(last, self._delivered)

    def polling(self) -> bool:
        """True while a getUpdates call is parked in a long poll."""
        return self._parked > 0

    def expect_reports(self) -> None:
        """Declare that the bot under test reports handled updates and crashes (``handled``,
        ``crashed``), so ``wait_handled`` may rely on them."""
        self.tracks_handling = True

    def handled(self, update_id: int) -> None:
        """Record that the bot finished handling ``update_id`` (every handler group and error
        handler ran). The bot under test calls it from a last-group handler; see
        ``tests.telegram.reporting``. Safe from any thread."""
        with self._lock:
            self._handled.add(update_id)
        self._wake()

    def crashed(self, update_id: int | None, error: BaseException) -> None:
        """Record that a handler of the bot under test raised ``error`` on ``update_id``
        (reported by an error handler the harness adds; see ``handled``)."""
        with self._lock:
            self.crashes.append((update_id, error))
        self._wake()

    def all_handled(self, *update_ids: int) -> bool:
        """True when the bot reported every given update (default: every injected one) handled."""
        if not self.tracks_handling:
            raise RuntimeError("the bot under test does not report handled updates")
        with self._lock:
            return all(i in self._handled for i in update_ids or self._injected)

    def seen(self, limit: int = 20) -> str:
        """What the bot did so far, for failure messages: the last ``limit`` calls, errors
        included, and the state of the update queue."""
        with self._lock:
            recent = [
                f"  {c.method} {c.params!r:.300} error={c.error}" for c in self._calls[-limit:]
            ]
            state = (
                f"pending_updates={self.pending_updates}, delivered={self._delivered}, "
                f"confirmed={self._confirmed}, handled={sorted(self._handled)[-10:]}, "
                f"getUpdates={self.get_updates_count}"
            )
        return state + "; recent calls:\n" + ("\n".join(recent) or "  (none)")

    def _timeout(self, what: str) -> TimeoutError:
        return TimeoutError(f"timed out waiting for {what}; {self.seen()}")

    def unraised_crashes(self) -> list[tuple[int | None, BaseException]]:
        """Crashes no wait has failed on yet (for a final check when a test ends)."""
        with self._lock:
            return [(u, e) for u, e in self.crashes if u not in self._raised]

    async def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 10.0):
        """Wait until ``condition()`` is true, re-checking whenever a call or update arrives;
        raises TimeoutError naming ``what`` and listing the calls so far."""
        deadline = time.monotonic() + timeout
        while not condition():
            if (remaining := deadline - time.monotonic()) <= 0 or self._changed is None:
                raise self._timeout(what)
            try:  # every call, update and report wakes this; nothing is polled
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    async def wait_for(
        self,
        method: str,
        predicate: Pred = None,
        timeout: float = 10.0,
        count: int = 1,
        since: int = 0,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` (made at/after ``since``) match
        ``predicate``; returns all matches, or raises TimeoutError listing recent calls."""
        ready, found = self._calls_ready(method, predicate, count, since)
        await self.wait_until(ready, f"{count}x {method}", timeout)
        return found

    async def wait_fetched(self, timeout: float = 10.0) -> None:
        """Wait until the bot fetched (and confirmed) every injected update."""
        await self.wait_until(self.fetched, "the bot to fetch every update", timeout)

    async def wait_handled(self, *update_ids: int, timeout: float = 10.0) -> None:
        """Wait until the bot handled the given updates (default: every injected one); fails
        if a handler crashed on one of them, whatever the bot then told the user."""
        what = f"the bot to handle updates {list(update_ids) or 'all'}"
        await self.wait_until(lambda: self.all_handled(*update_ids), what, timeout)
        self.check_crashes(*update_ids)

    def check_crashes(self, *update_ids: int) -> None:
        """Fail if the bot crashed on one of the given updates (default: any injected one)."""
        ids = set(update_ids or self._injected)
        with self._lock:
            crashed = [(u, e) for u, e in self.crashes if u in ids]
        if crashed:
            update_id, error = crashed[0]
            self._raised.add(update_id)
            raise AssertionError(
                f"the bot crashed on update {update_id}: {error!r}; {self.seen()}"
            ) from error

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every injected update was fetched and, when the bot reports handled
        updates, handled: no quiet period, so nothing the bot still does is missed."""
        await self.wait_fetched(timeout)
        if self.tracks_handling:
            await self.wait_handled(timeout=timeout)
