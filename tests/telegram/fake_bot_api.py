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
import html
import itertools
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.telegram.reporting import CRASHED_METHOD, HANDLED_METHOD

Json = dict[str, Any]
Opt = Json | None  # an optional User/Chat/Message dict
Pred = Callable[["Call"], bool] | None
_NAMES = "getMe getUpdates deleteWebhook setWebhook getWebhookInfo setMyCommands getMyCommands "
_NAMES += "deleteMyCommands setChatMenuButton sendMessage editMessageText editMessageReplyMarkup "
_NAMES += "deleteMessage answerCallbackQuery answerInlineQuery sendChatAction sendPhoto "
_NAMES += f"sendDocument getFile close logOut {HANDLED_METHOD} {CRASHED_METHOD}"
METHODS = {m.lower(): m for m in _NAMES.split()}
SENT = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
JSON_KEYS = set(
    "reply_markup results commands allowed_updates entities caption_entities scope "
    "link_preview_options reply_parameters menu_button button media options".split()
)
TEXT_KEYS = set(
    "text caption query data title description url next_offset file_id language_code "
    "callback_query_id inline_query_id inline_message_id secret_token".split()
)
_T = "bold bold italic italic underline underline strikethrough strikethrough strikethrough "
_T += "text_link code pre spoiler spoiler blockquote custom_emoji"
_TAGS = "b strong i em u ins s strike del a code pre tg-spoiler span blockquote tg-emoji"
TAGS = dict(zip(_TAGS.split(), _T.split(), strict=True))
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_VAL = r"(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?"
_ATTR = re.compile(r"([a-zA-Z_-]+)" + _VAL)
_NC_VAL = r"(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?"  # _VAL without groups
_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_-]+" + _NC_VAL + r")*)\s*(/?)>")
_PLAIN = re.compile(r"[^<&]+")
_END = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
OLD_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API error answered as ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description, self.code = description, code


@dataclass
class UploadedFile:
    """A file received as a multipart/form-data part."""

    filename: str | None
    content_type: str
    content: bytes


@dataclass
class Call:
    """One recorded Bot API call; ``result`` is what was returned, ``error`` the description."""

    method: str
    params: Json
    time: float
    result: Any = None
    error: str | None = None

    @property
    def text(self) -> str | None:
        """Text or caption as the user sees it (HTML tags stripped, entities decoded)."""
        if isinstance(self.result, dict) and ("text" in self.result or "caption" in self.result):
            return self.result.get("text", self.result.get("caption"))
        return self.params.get("text", self.params.get("caption"))


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[Json]]:
    """Parse Telegram HTML like the Bot API: returns (plain text, entities) or raises ApiError.

    Stricter than Telegram in one respect: a bare ``&`` that is not an entity is an error.
    """
    out: list[str] = []
    pos, i, stack, ents = 0, 0, [], []  # pos counts UTF-16 code units of the plain text

    def fail(msg: str, j: int | None = None) -> ApiError:
        where = "" if j is None else f" at byte offset {len(text[:j].encode())}"
        return ApiError(f"Bad Request: can't parse entities: {msg}{where}")

    while i < len(text):
        c, chunk = text[i], ""
        if c == "&":
            if not (m := _ENTITY.match(text, i)):
                raise fail('Unsupported HTML entity or unescaped "&"', i)
            chunk, i = html.unescape(m.group()), m.end()
        elif c == "<" and text.startswith("</", i):
            if not (m := _END.match(text, i)):
                raise fail("Unclosed end tag", i)
            if not stack:
                raise fail("Unexpected end tag", i)
            tag, start, extra = stack.pop()
            if tag != (name := m.group(1).lower()):
                raise fail(
                    f"Unmatched end tag at byte offset {len(text[:i].encode())}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            if pos > start and extra is not None:
                ents.append({"type": TAGS[tag], "offset": start, "length": pos - start, **extra})
            i = m.end()
        elif c == "<":
            if not (m := _START.match(text, i)):
                name = re.match(r"<([a-zA-Z0-9-]*)", text[i:]).group(1)  # type: ignore[union-attr]
                if name and ">" not in text[i:]:
                    raise fail("Unclosed start tag", i)
                raise fail(f'Unsupported start tag "{name}"', i)
            name = m.group(1).lower()
            attrs = {a[0].lower(): a[1] or a[2] or a[3] or "" for a in _ATTR.findall(m.group(2))}
            if name not in TAGS or m.group(3):
                raise fail(f'Unsupported start tag "{name}"', i)
            extra: Json | None = {}
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise fail('Tag "span" must have class "tg-spoiler"', i)
            if name == "a":
                extra = {"url": attrs["href"]} if attrs.get("href") else None
            if name == "tg-emoji":
                if "emoji-id" not in attrs:
                    raise fail('Tag "tg-emoji" must have attribute "emoji-id"', i)
                extra = {"custom_emoji_id": attrs["emoji-id"]}
            if name == "blockquote" and "expandable" in attrs:
                extra = {"type": "expandable_blockquote"}
            lang = attrs.get("class", "")
            if name == "code" and stack and stack[-1][0] == "pre" and lang.startswith("language-"):
                stack[-1][2]["language"], extra = lang[9:], None
            stack.append((name, pos, extra))
            i = m.end()
        else:  # a run of plain text at once: one character a step made the server the bottleneck
            end = _PLAIN.match(text, i).end()  # type: ignore[union-attr]
            chunk, i = text[i:end], end
        out.append(chunk)
        pos += _u16(chunk)
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(ents, key=lambda e: (e["offset"], -e["length"]))


def _file(file_id: str, **extra: Any) -> Json:
    return {"file_id": file_id, "file_unique_id": f"u{file_id}", **extra}


def _decode(key: str, v: Any) -> Any:
    """Turn a form-field string back into the JSON value PTB encoded."""
    if not isinstance(v, str) or key in TEXT_KEYS:
        return v
    if key in JSON_KEYS or v[:1] in "[{" or v in ("true", "false") or re.fullmatch(r"-?\d+", v):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


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


class FakeBotApi(_PollsAndBlocks):
    """In-process fake Bot API server. Use ``async with FakeBotApi() as api:``."""

    def __init__(self, token: str = "123456:TEST-TOKEN", response_delay: float = 0.0) -> None:
        self.token, self.response_delay, self.port = token, response_delay, 0
        self.bot_user: Json = {"id": int(token.split(":")[0]), "is_bot": True}
        self.bot_user.update(first_name="Netralitas", username="netralitas_test_bot")
        self.errors: list[Call] = []
        self.get_updates_count = 0
        self.webhook_url = ""
        self.commands: dict[str, list[Json]] = {}
        self.menu_buttons: dict[Any, Json] = {}
        self._calls: list[Call] = []
        self._updates: list[Json] = []
        self._delivered = 0  # highest update_id handed out by getUpdates
        self._confirmed = 0  # highest update_id a later getUpdates offset acknowledged
        self._parked = 0  # getUpdates calls waiting in a long poll right now
        self._injected: list[int] = []  # every update id injected, in order
        self._handled: set[int] = set()  # update ids the bot reported as fully handled
        self.crashes: list[tuple[int | None, BaseException]] = []  # (update id, error) reported
        self._raised: set[int | None] = set()  # update ids whose crash a wait already raised
        self.tracks_handling = False  # see ``expect_reports``
        self._update_ids, self._query_ids = itertools.count(1), itertools.count(1)
        self._msg_ids: dict[Any, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[Any, int], Json] = {}
        self._chats: dict[Any, Json] = {}
        self._callbacks: set[str] = set()
        self._files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)  # wakes blocking waits in other threads
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url(...)``: ``{url}/bot``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url(...)``: ``{url}/file/bot``."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and serve."""
        self._loop, self._changed, self._closing = (
            asyncio.get_running_loop(),
            asyncio.Event(),
            False,
        )
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        self._wake()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @classmethod
    def run_in_thread(cls, **kwargs: Any) -> ThreadedFakeBotApi:
        """Serve from a daemon thread with its own loop (for bots running as subprocesses)."""
        return ThreadedFakeBotApi(cls(**kwargs))

    def _wake(self) -> None:
        """Wake long polls and waiters; safe to call from any thread."""
        with self._cond:
            self._cond.notify_all()
        if (loop := self._loop) is None or loop.is_closed():
            return
        try:
            here = asyncio.get_running_loop() is loop
        except RuntimeError:
            here = False
        if not here:
            loop.call_soon_threadsafe(self._wake)
        elif self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    # ---- HTTP ------------------------------------------------------------------------------
    @staticmethod
    def _reply(ok: bool, value: Any, code: int = 200) -> web.Response:
        body = dict(ok=True, result=value) if ok else dict(ok=False, error_code=code)
        return web.json_response(body if ok else {**body, "description": value}, status=code)

    async def _params(self, request: web.Request) -> Json:
        raw: Json = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            raw.update(await request.json())
        elif request.can_read_body:
            for key, val in (await request.post()).items():
                if isinstance(val, web.FileField):
                    val = UploadedFile(val.filename, val.content_type, val.file.read())
                raw[key] = val
        params = {k: _decode(k, v) for k, v in raw.items()}
        for k, v in params.items():  # resolve attach://<part> references
            if isinstance(v, str) and v.startswith("attach://") and v[9:] in params:
                params[k] = params[v[9:]]
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._reply(False, "Unauthorized", 401)
        given = request.match_info["method"]
        name, params = METHODS.get(given.lower()), await self._params(request)
        if self.response_delay:
            await asyncio.sleep(self.response_delay)
        if name == "getUpdates":
            try:
                return self._reply(True, await self._get_updates(params))
            except ApiError as e:
                return self._reply(False, e.description, e.code)
        if name in (HANDLED_METHOD, CRASHED_METHOD):  # a bot process reporting, not a call
            update_id = int(params.get("update_id") or 0) or None
            if name == CRASHED_METHOD:
                self.crashed(update_id, RuntimeError(params.get("error")))
            elif update_id is not None:
                self.handled(update_id)
            return self._reply(True, True)
        call = Call(name or given, params, time.time())
        try:
            if name is None:
                raise ApiError("Not Found", 404)
            with self._lock:
                call.result = getattr(self, f"_m_{name}")(params)
        except ApiError as e:
            call.error, code = e.description, e.code
        with self._lock:
            self._calls.append(call)
            self.errors.extend([call] if call.error else [])
        self._wake()
        return (
            self._reply(False, call.error, code) if call.error else self._reply(True, call.result)
        )

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._reply(False, "Unauthorized", 401)
        for content, path in list(self._files.values()):
            if path == request.match_info["path"]:
                return web.Response(body=content, content_type="application/octet-stream")
        return self._reply(False, "Not Found", 404)

    async def _get_updates(self, p: Json) -> list[Json]:
        self.get_updates_count += 1
        if self.webhook_url:
            raise ApiError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset, limit = int(p.get("offset") or 0), max(1, min(100, int(p.get("limit") or 100)))
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        with self._lock:  # a confirmed offset forgets every older update
            if offset:
                keep = self._updates[offset:] if offset < 0 else self._updates
                self._updates = [u for u in keep if offset < 0 or u["update_id"] >= offset]
            if offset > 0:
                self._confirmed = max(self._confirmed, min(offset - 1, self._delivered))
        self._wake()
        while True:
            changed = self._changed
            with self._lock:
                batch = self._updates[:limit]
            remaining = deadline - time.monotonic()
            if batch or self._closing or remaining <= 0 or changed is None:
                break
            self._parked += 1
            self._wake()
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self._parked -= 1
        if batch:
            with self._lock:
                self._delivered = max(self._delivered, batch[-1]["update_id"])
            self._wake()
        return batch

    # ---- Bot API methods (called with the lock held) ---------------------------------------
    def _m_getMe(self, p: Json) -> Json:
        return {**self.bot_user, "can_join_groups": True, "supports_inline_queries": True}

    def _m_deleteWebhook(self, p: Json) -> bool:
        self.webhook_url = ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_setWebhook(self, p: Json) -> bool:
        self.webhook_url = str(p.get("url") or "")
        return True

    def _m_getWebhookInfo(self, p: Json) -> Json:
        n = len(self._updates)
        return dict(url=self.webhook_url, has_custom_certificate=False, pending_update_count=n)

    @staticmethod
    def _cmd_key(p: Json) -> str:
        return json.dumps([p.get("scope") or {"type": "default"}, p.get("language_code") or ""])

    def _m_setMyCommands(self, p: Json) -> bool:
        self.commands[self._cmd_key(p)] = list(p.get("commands") or [])
        return True

    def _m_getMyCommands(self, p: Json) -> list[Json]:
        return self.commands.get(self._cmd_key(p), [])

    def _m_deleteMyCommands(self, p: Json) -> bool:
        self.commands.pop(self._cmd_key(p), None)
        return True

    def _m_setChatMenuButton(self, p: Json) -> bool:
        self.menu_buttons[p.get("chat_id")] = p.get("menu_button") or {"type": "default"}
        return True

    def _chat(self, p: Json) -> Json:
        if (cid := p.get("chat_id")) in (None, ""):
            raise ApiError("Bad Request: chat_id is empty")
        self._refuse_blocked(cid)
        if cid not in self._chats:  # unknown chats: positive ids are users, the rest groups
            private = isinstance(cid, int) and cid > 0
            self._chats[cid] = (
                dict(id=cid, type="private", first_name="User")
                if private
                else (dict(id=cid, type="supergroup", title=f"Chat {cid}"))
            )
        return self._chats[cid]

    @staticmethod
    def _render(p: Json, key: str, limit: int) -> Json:
        """Validate text/caption like Telegram; returns the rendered fields for the Message."""
        ekey = "entities" if key == "text" else "caption_entities"
        if (raw := p.get(key)) in (None, "") and key == "caption":
            return {}
        raw, ents = str(raw or ""), p.get(ekey)
        if str(p.get("parse_mode") or "").lower() == "html":
            raw, ents = parse_html(raw)
        if key == "text" and not raw.strip():
            raise ApiError("Bad Request: message text is empty")
        if len(raw) > limit:
            raise ApiError(f"Bad Request: message {'' if key == 'text' else 'caption '}is too long")
        return {key: raw, ekey: ents or None}

    @staticmethod
    def _markup(p: Json) -> Json:
        if not isinstance(rm := p.get("reply_markup"), dict) or "inline_keyboard" not in rm:
            return {}
        for b in (b for row in rm["inline_keyboard"] for b in row):
            if len(str(b.get("callback_data", "")).encode()) > 64:
                raise ApiError("Bad Request: BUTTON_DATA_INVALID")
        return {"reply_markup": rm}

    def _store(self, chat: Json, sender: Json, **fields: Any) -> Json:
        mid = next(self._msg_ids[chat["id"]])
        msg = {"message_id": mid, "from": sender, "chat": chat, "date": int(time.time())}
        msg.update({k: v for k, v in fields.items() if v is not None})
        self._messages[(chat["id"], mid)] = msg
        return msg

    def _send(self, p: Json, **content: Any) -> Json:
        chat = self._chat(p)
        reply_id = (p.get("reply_parameters") or {}).get("message_id")
        reply = self._messages.get((chat["id"], reply_id or p.get("reply_to_message_id")))
        return self._store(
            chat, self.bot_user, reply_to_message=reply, **content, **self._markup(p)
        )

    def _m_sendMessage(self, p: Json) -> Json:
        return self._send(p, **self._render(p, "text", 4096))

    def _upload(self, value: Any, kind: str) -> str:
        if isinstance(value, UploadedFile):
            file_id = f"{kind}-{len(self._files) + 1}"
            self.add_file(file_id, value.content, f"{kind}s/{value.filename or file_id}")
            return file_id
        if not value:
            raise ApiError(f"Bad Request: there is no {kind} in the request")
        return str(value)

    def _m_sendPhoto(self, p: Json) -> Json:
        fid = self._upload(p.get("photo"), "photo")
        sizes = [_file(fid, width=w, height=w) for w in (90, 800)]
        return self._send(p, photo=sizes, **self._render(p, "caption", 1024))

    def _m_sendDocument(self, p: Json) -> Json:
        doc, meta = p.get("document"), {}
        if isinstance(doc, UploadedFile):
            meta = dict(file_name=doc.filename, mime_type=doc.content_type)
            meta["file_size"] = len(doc.content)
        meta.update(_file(self._upload(doc, "document")))
        return self._send(p, document=meta, **self._render(p, "caption", 1024))

    def _target(self, p: Json, verb: str = "edit") -> Json:
        if (msg := self._messages.get((self._chat(p)["id"], p.get("message_id")))) is None:
            raise ApiError(f"Bad Request: message to {verb} not found")
        return msg

    def _m_editMessageText(self, p: Json) -> Json | bool:
        if p.get("inline_message_id"):
            return bool(self._render(p, "text", 4096))
        msg, new = self._target(p), {**self._render(p, "text", 4096), **self._markup(p)}
        keys = ("text", "entities", "reply_markup")
        if all(msg.get(k) == new.get(k) for k in keys):
            raise ApiError(NOT_MODIFIED)
        for k in keys:
            msg.pop(k, None)
        msg.update({k: v for k, v in new.items() if v is not None}, edit_date=int(time.time()))
        return msg

    def _m_editMessageReplyMarkup(self, p: Json) -> Json | bool:
        if p.get("inline_message_id"):
            return True
        msg = self._target(p)
        msg.pop("reply_markup", None)
        msg.update(self._markup(p), edit_date=int(time.time()))
        return msg

    def _m_deleteMessage(self, p: Json) -> bool:
        self._messages.pop((self._chat(p)["id"], self._target(p, "delete")["message_id"]))
        return True

    def _m_answerCallbackQuery(self, p: Json) -> bool:
        if str(p.get("callback_query_id")) not in self._callbacks:
            raise ApiError(OLD_QUERY)
        return True

    def _m_answerInlineQuery(self, p: Json) -> bool:
        if not isinstance(p.get("results"), list):
            raise ApiError("Bad Request: can't parse inline query results JSON object")
        return True

    def _m_sendChatAction(self, p: Json) -> bool:
        return bool(self._chat(p))

    def _m_getFile(self, p: Json) -> Json:
        if (fid := str(p.get("file_id"))) not in self._files:
            raise ApiError("Bad Request: invalid file_id")
        content, path = self._files[fid]
        return _file(fid, file_size=len(content), file_path=path)

    def _m_close(self, p: Json) -> bool:
        return True

    _m_logOut = _m_close

    # ---- chats the bot may not reach, roles in groups: getChat, getChatMember -------------
    # A block of its own (state included) so it merges cleanly with other changes to the server.
    METHODS.update({m.lower(): m for m in ("getChat", "getChatMember")})

    @property
    def chat_access(self) -> dict[Any, Json]:
        """Per chat id: ``{"error": (description, code)}`` or the bot's member fields there."""
        return self.__dict__.setdefault("_chat_access", {})

    def lose_chat(
        self, chat_id: Any, description: str = "Bad Request: chat not found", code: int = 400
    ) -> None:
        """From now on the bot cannot see ``chat_id`` (never added, removed, chat deleted)."""
        with self._lock:
            self.chat_access[chat_id] = {"error": (description, code)}

    def set_bot_member(self, chat_id: Any, status: str = "member", **fields: Any) -> None:
        """The bot's membership in a group: ``left``, ``kicked``, ``restricted`` (pass
        ``can_send_messages=False`` to mute it), ``member`` or ``administrator``."""
        with self._lock:
            self.chat_access[chat_id] = {"status": status, **fields}

    @property
    def members(self) -> dict[tuple[Any, Any], Json]:
        """Per (chat id, user id): a person's member fields in a group (default: ``member``)."""
        return self.__dict__.setdefault("_members", {})

    def set_member(
        self, chat_id: Any, user_id: Any, status: str = "administrator", **fields: Any
    ) -> None:
        """A person's role in a group, as getChatMember reports it: ``creator`` (the owner),
        ``administrator``, ``member``, ``restricted``, ``left`` or ``kicked``."""
        with self._lock:
            self.members[(chat_id, user_id)] = {"status": status, **fields}

    def _reachable(self, p: Json) -> Json:
        access = self.chat_access.get(p.get("chat_id"), {})
        if "error" in access:
            raise ApiError(*access["error"])
        return self._chat(p)

    def _m_getChat(self, p: Json) -> Json:
        chat = self._reachable(p)
        # ChatFullInfo: the fields python-telegram-bot requires besides the Chat's own.
        gifts = dict(unlimited_gifts=True, limited_gifts=True, unique_gifts=True)
        gifts.update(premium_subscription=True, gifts_from_channels=True)
        full = {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}
        return {**chat, **full}

    def _m_getChatMember(self, p: Json) -> Json:
        chat = self._reachable(p)
        uid = p.get("user_id")
        if uid == self.bot_user["id"]:
            user, member = self.bot_user, self.chat_access.get(chat["id"], {})
        else:
            user = dict(id=uid, is_bot=False, first_name="User")
            member = self.members.get((chat["id"], uid), {})
        fields = {k: v for k, v in member.items() if k != "error"}
        status = fields.pop("status", "member")
        if status == "creator":
            fields = {"is_anonymous": False, **fields}
        if status == "restricted":  # every right the Bot API lists, granted unless given
            rights = "change_info invite_users pin_messages send_messages send_polls "
            rights += "send_other_messages add_web_page_previews manage_topics send_audios "
            rights += "send_documents send_photos send_videos send_video_notes send_voice_notes "
            rights += "edit_tag react_to_messages"
            base = {f"can_{r}": True for r in rights.split()}
            fields = {**base, "is_member": True, "until_date": 0, **fields}
        if status == "administrator":
            rights = "manage_chat delete_messages manage_video_chats restrict_members "
            rights += "promote_members change_info invite_users post_stories edit_stories "
            rights += "delete_stories post_messages"
            base = {f"can_{r}": True for r in rights.split()}
            fields = {**base, "can_be_edited": False, "is_anonymous": False, **fields}
        if status == "kicked":
            fields = {"until_date": 0, **fields}
        return {"status": status, "user": user, **fields}

    # ---- building and injecting updates ----------------------------------------------------
    @staticmethod
    def user(
        id: int = 1001,
        first_name: str = "Budi",
        username: str | None = "budi",
        language_code: str | None = "id",
    ) -> Json:
        """A Bot API User dict for a human user (None-valued fields omitted)."""
        u = dict(id=id, is_bot=False, first_name=first_name, username=username)
        return {k: v for k, v in {**u, "language_code": language_code}.items() if v is not None}

    def private_chat(self, user: Opt = None) -> Json:
        """The private Chat dict between the bot and ``user``."""
        u = user or self.user()
        keep = ("first_name", "last_name", "username")
        return {"id": u["id"], "type": "private", **{k: u[k] for k in keep if k in u}}

    @staticmethod
    def group_chat(
        id: int = -1001234567890, title: str = "Grup Uji", type: str = "supergroup"
    ) -> Json:
        """A group/supergroup Chat dict."""
        return {"id": id, "type": type, "title": title}

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> None:
        """Register a file for getFile and download at ``/file/bot<token>/<file_path>``."""
        with self._lock:
            self._files[file_id] = (content, file_path or f"documents/{file_id}")

    def inject_raw(self, update: Json) -> Json:
        """Queue an update (``update_id`` assigned unless given) and wake long polls."""
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._injected.append(update["update_id"])
        self._wake()
        return update

    def inject_message(
        self,
        text: str | None,
        user: Opt = None,
        chat: Opt = None,
        reply_to: Any = None,
        entities: list[Json] | None = None,
        forward_origin: Opt = None,
        **fields: Any,
    ) -> Json:
        """Inject a message update from ``user`` (default ``user()``) in ``chat`` (default: the
        private chat). ``reply_to`` is a message dict or ``Call``; ``fields`` are extra Message
        fields (photo, document, caption, ...)."""
        user = user or self.user()
        chat = chat or self.private_chat(user)
        reply = reply_to.result if isinstance(reply_to, Call) else reply_to
        with self._lock:
            self._chats[chat["id"]] = chat
            msg = self._store(
                chat,
                user,
                text=text,
                entities=entities,
                reply_to_message=reply,
                forward_origin=forward_origin,
                **fields,
            )
        return self.inject_raw({"message": msg})

    def inject_edit(self, message_id: int, text: str, user: Opt = None) -> Json:
        """Inject an ``edited_message`` update: ``user`` (default ``user()``) edited message
        ``message_id`` of their private chat to ``text``."""
        user = user or self.user()
        message = {
            "message_id": message_id,
            "from": user,
            "chat": self.private_chat(user),
            "date": 1700000000,
            "edit_date": 1700000100,
            "text": text,
        }
        return self.inject_raw({"edited_message": message})

    def inject_command(self, cmd_text: str, **where: Any) -> Json:
        """Inject ``/cmd args`` with a bot_command entity; ``where``: user/chat/reply_to."""
        ent = {"type": "bot_command", "offset": 0, "length": _u16(cmd_text.split()[0])}
        return self.inject_message(cmd_text, entities=[ent], **where)

    def inject_callback(self, data: str, message: Any = None, user: Opt = None) -> Json:
        """Inject a button press on ``message`` (a Call or message dict; default: the last
        message the bot sent to the user's private chat), reflecting later edits."""
        user = user or self.user()
        msg = message.result if isinstance(message, Call) else message
        with self._lock:
            if msg is None:
                sent = [c.result for c in self._calls if c.method in SENT and not c.error]
                mine = [m for m in sent if isinstance(m, dict) and m["chat"]["id"] == user["id"]]
                msg = mine[-1] if mine else None
            if msg is None:
                raise ValueError("inject_callback: no bot message to press a button on")
            msg = self._messages.get((msg["chat"]["id"], msg["message_id"]), msg)
            qid = str(next(self._query_ids))
            self._callbacks.add(qid)
        cq = dict(id=qid, message=msg, chat_instance=f"ci{msg['chat']['id']}", data=data)
        return self.inject_raw({"callback_query": {**cq, "from": user}})

    def inject_inline_query(self, query: str, user: Opt = None, offset: str = "") -> Json:
        """Inject an inline query update."""
        iq = dict(id=f"iq{next(self._query_ids)}", query=query, offset=offset, chat_type="sender")
        return self.inject_raw({"inline_query": {**iq, "from": user or self.user()}})

    def inject_photo(self, file_id: str, caption: str | None = None, **where: Any) -> Json:
        """Inject a photo message (two PhotoSizes sharing ``file_id``); ``where``: user/chat/..."""
        sizes = [_file(file_id, width=w, height=w, file_size=w * 10) for w in (90, 1280)]
        return self.inject_message(None, photo=sizes, caption=caption, **where)

    def inject_document(
        self,
        file_id: str,
        file_name: str = "dokumen.pdf",
        mime_type: str = "application/pdf",
        file_size: int = 1024,
        caption: str | None = None,
        **where: Any,
    ) -> Json:
        """Inject a document message; ``where``: user/chat/reply_to/forward_origin."""
        doc = _file(file_id, file_name=file_name, mime_type=mime_type, file_size=file_size)
        return self.inject_message(None, document=doc, caption=caption, **where)

    def inject_sticker(self, file_id: str = "sticker-1", emoji: str = "👍", **where: Any) -> Json:
        """Inject a regular static sticker message; ``where``: user/chat/..."""
        st = _file(file_id, type="regular", width=512, height=512, emoji=emoji)
        st.update(is_animated=False, is_video=False)
        return self.inject_message(None, sticker=st, **where)

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
        found: list[Call] = []

        def ready() -> bool:
            nonlocal found
            found = self._match(method, predicate, count, since) or []
            return bool(found)

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
        found: list[Call] = []

        def ready() -> bool:
            nonlocal found
            found = self.api._match(method, predicate, count, since) or []
            return bool(found)

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
