"""Polls and chats that blocked the bot (outreach), a mixin of ``FakeBotApi``."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.telegram.fakeapi.htmlparse import _u16, parse_html
from tests.telegram.fakeapi.wire import METHODS, TEXT_KEYS, ApiError, Call, Json, Opt

# ---- polls and blocked chats (outreach) -------------------------------------------------------
# Kept in one mixin so it merges apart from the rest of the server. Telegram's limits on polls are
# enforced like the real Bot API (lengths in UTF-16 units, the stricter reading), so a poll the
# bot builds wrong fails the test that sends it.
METHODS.update({m.lower(): m for m in ("sendPoll", "stopPoll")})
TEXT_KEYS.update({"question", "explanation"})  # never JSON-decode a question that looks numeric
BLOCKED = "Forbidden: bot was blocked by the user"
POLL_LIMITS = dict(question=300, option=100, options=(2, 12), explanation=200, line_feeds=2)


class _PollsAndBlocks:
    """sendPoll / stopPoll, poll and poll_answer updates, and chats that blocked the bot."""

    _blocked_chats: frozenset = frozenset()
    _lock: threading.RLock
    _messages: dict[tuple[Any, int], Json]

    def block(self, chat_id: int) -> None:
        """From now on every method aimed at ``chat_id`` fails with 403 (the user blocked us)."""
        self._blocked_chats = self._blocked_chats | {chat_id}

    def _refuse_blocked(self, chat_id: Any) -> None:
        if chat_id in self._blocked_chats:
            raise ApiError(BLOCKED, 403)

    @staticmethod
    def _plain(p: Json, key: str, mode_key: str) -> str:
        text = str(p.get(key) or "")
        return parse_html(text)[0] if str(p.get(mode_key) or "").lower() == "html" else text

    def _m_sendPoll(self, p: Json) -> Json:
        question = self._plain(p, "question", "question_parse_mode")
        if not 1 <= _u16(question) <= POLL_LIMITS["question"]:
            raise ApiError("Bad Request: poll question length must be 1-300 characters")
        raw = p.get("options") if isinstance(p.get("options"), list) else []
        texts = [o.get("text", "") if isinstance(o, dict) else str(o) for o in raw]
        low, high = POLL_LIMITS["options"]
        if not low <= len(texts) <= high:
            raise ApiError("Bad Request: poll must have 2-12 options")
        if any(not 1 <= _u16(t) <= POLL_LIMITS["option"] for t in texts):
            raise ApiError("Bad Request: poll options length must be 1-100 characters")
        kind = p.get("type") or "regular"
        correct = p.get("correct_option_ids")
        correct = (
            [p["correct_option_id"]] if correct is None and "correct_option_id" in p else correct
        )
        if kind == "quiz":
            if not correct or any(
                not isinstance(c, int) or not 0 <= c < len(texts) for c in correct
            ):
                raise ApiError("Bad Request: wrong correct option ids specified")
            if len(correct) > 1 and not p.get("allows_multiple_answers"):
                raise ApiError("Bad Request: a quiz with one answer must have one correct option")
        elif correct or p.get("explanation"):
            raise ApiError("Bad Request: only quiz polls have correct options and explanations")
        explanation = self._plain(p, "explanation", "explanation_parse_mode")
        if _u16(explanation) > POLL_LIMITS["explanation"]:
            raise ApiError("Bad Request: poll explanation must be at most 200 characters")
        if explanation.count("\n") > POLL_LIMITS["line_feeds"]:
            raise ApiError("Bad Request: poll explanation must have at most 2 line feeds")
        options = [dict(text=t, voter_count=0, persistent_id=str(i)) for i, t in enumerate(texts)]
        poll = dict(id=f"poll-{len(self._messages) + 1}-{time.monotonic_ns()}", question=question)
        poll.update(options=options, total_voter_count=0, is_closed=False, type=kind)
        poll.update(is_anonymous=p.get("is_anonymous", True) is not False)
        poll.update(allows_multiple_answers=bool(p.get("allows_multiple_answers")))
        # Required in Poll objects since Bot API 9.6 / 10.0; a quiz vote is never revoked.
        poll.update(allows_revoting=bool(p.get("allows_revoting")) and kind != "quiz")
        poll.update(members_only=bool(p.get("members_only")))
        if kind == "quiz":
            poll.update(correct_option_ids=correct, explanation=explanation or None)
        return self._send(p, poll={k: v for k, v in poll.items() if v is not None})  # type: ignore[attr-defined]

    def _m_stopPoll(self, p: Json) -> Json:
        msg = self._target(p, "stop")  # type: ignore[attr-defined]
        if "poll" not in msg:
            raise ApiError("Bad Request: message with poll to stop not found")
        if msg["poll"]["is_closed"]:
            raise ApiError("Bad Request: poll has already been closed")
        msg["poll"]["is_closed"] = True
        return msg["poll"]

    def poll_message(self, poll: Any) -> Json:
        """The stored message of a poll, by its id or its sendPoll Call."""
        poll_id = poll.result["poll"]["id"] if isinstance(poll, Call) else poll
        with self._lock:
            found = [m for m in self._messages.values() if m.get("poll", {}).get("id") == poll_id]
        if not found:
            raise ValueError(f"no poll {poll_id!r}")
        return found[0]

    def inject_poll_answer(self, poll: Any, option: int, user: Opt = None) -> Json:
        """A user answers a poll (a Call of sendPoll, or its id), as Telegram reports it.

        Telegram sends poll_answer only for non-anonymous polls, and a quiz answer is final:
        injecting otherwise is a mistake in the test, so it raises.
        """
        user = user or self.user()  # type: ignore[attr-defined]
        with self._lock:
            data = self.poll_message(poll)["poll"]
            if data["is_anonymous"]:
                raise ValueError("Telegram sends no poll_answer for an anonymous poll")
            if data["is_closed"]:
                raise ValueError("the poll is closed")
            # Who answered, kept beside the poll (never in it: messages are sent back as JSON).
            voters = vars(self).setdefault("_poll_voters", {}).setdefault(data["id"], set())
            if data["type"] == "quiz" and user["id"] in voters:
                raise ValueError("a quiz answer cannot be changed")
            voters.add(user["id"])
            data["options"][option]["voter_count"] += 1
            data["total_voter_count"] += 1
            answer = dict(poll_id=data["id"], user=user, option_ids=[option])
            answer["option_persistent_ids"] = [str(option)]
        return self.inject_raw({"poll_answer": answer})  # type: ignore[attr-defined]

    def inject_poll_state(self, poll: Any) -> Json:
        """A ``poll`` update with the poll's current counts (sent for the bot's own polls)."""
        with self._lock:
            data = dict(self.poll_message(poll)["poll"])
        return self.inject_raw({"poll": data})  # type: ignore[attr-defined]
