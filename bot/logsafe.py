"""Logging that cannot leak: no token, no message text, no user identity, at any level.

An operator who turns on `LOG_LEVEL=DEBUG` to chase a problem gets update ids, handler names,
Bot API method names and timings, and never what users wrote or who they are. The libraries are
the danger: python-telegram-bot logs whole updates and every API call's parameters and results
at DEBUG, httpx logs request URLs (which carry the bot token), and a rejected token is quoted in
the library's own error message. So redaction does not trust the caller; it works in layers:

1. every argument of a record is reduced by its type before the message is formatted: a
   Telegram object becomes its class name (an update: its id and kind), a dict or list keeps its
   keys and the values of a few harmless keys (`update_id`, `message_id`, `ok`, ...);
2. the formatted message, the traceback and the stack are then scanned as text: the configured
   secrets, anything shaped like a bot token or a Bot API URL, what recent users wrote and who
   they are (`remember`: the guard hands over each update's texts, names, usernames and ids,
   kept in memory only), `key=value` pairs naming a person or a text, long quoted strings, hex
   digests and sealed tokens, and every number of seven digits or more that is neither an
   update's id nor a number of the configuration (the admin chat, the bot) become placeholders.

`install()` puts the filter on every handler of the root logger, on the library loggers and on
their children, and in the log-record factory, so a handler added later (a test's capture, a
service manager's) still only ever sees redacted records. No Telegram import: objects are
recognised by their module name.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import traceback
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

LIBRARY_LOGGERS = ("telegram", "httpx", "httpcore", "apscheduler", "asyncio", "aiohttp")
# Values kept under these keys (in API parameters and results): they say what happened, not who.
SAFE_KEYS = frozenset(
    "update_id message_id ok error_code parse_mode offset limit timeout allowed_updates type "
    "method is_bot disable_web_page_preview retry_after drop_pending_updates".split()
)
# `key=value` (reprs) and `'key': value` (dicts, JSON) whose value names a person or is a text.
_PERSONAL = (
    "first_name|last_name|full_name|username|name|text|caption|title|phone_number|query|data|"
    "description|bio|email|file_name|address|vcard|question|contact|sender_user_name|"
    "author_signature|invite_link|callback_data|switch_inline_query|url|result_id|inline_message_id"
)
_QUOTED = r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
_PAIR = re.compile(
    rf"(\b(?:{_PERSONAL})\b(?:=|['\"]?\s*:\s*))(?!%[sdrf])({_QUOTED}|[^\s,)}}\]]+)", re.IGNORECASE
)
_TOKEN = re.compile(r"(?<![\d])\d{5,12}:[A-Za-z0-9_-]{30,}")
_API_URL = re.compile(r"/(file/)?bot[^/\s'\"`]+")
_LONG_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.){16,}'|\"(?:[^\"\\\n]|\\.){16,}\"")
_HEX = re.compile(r"\b[0-9a-fA-F]{32,}\b")
_SEALED = re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}")
# User and chat ids have seven digits or more today (a port, a count or a year has fewer).
_NUMBER = re.compile(r"(?<![\d.])-?\d{7,}(?![\d])")
REMEMBERED = 2000  # the most recent users' strings kept (in memory only) to redact
_MAX_DEPTH = 6


class Redactor:
    """Turns log arguments and log text into versions that hold nothing personal or secret."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: set[str] = set()
        self.public: set[int] = set()  # numbers from the configuration: the admin chat, the bot
        # What users sent and who they are, from the updates seen lately (never written out):
        # wherever it turns up in a log line, it is replaced.
        self.remembered: OrderedDict[str, None] = OrderedDict()
        self.add_secrets(secrets)

    def remember(self, values: Iterable[object]) -> None:
        """Strings of a user (their id, names, username, what they wrote) never to be logged."""
        for value in values:
            text = str(value).strip() if value is not None else ""
            if len(text) < 4 or text in self.secrets:
                continue
            self.remembered[text] = None
            self.remembered.move_to_end(text)
        while len(self.remembered) > REMEMBERED:
            self.remembered.popitem(last=False)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Literal values never to be logged (the bot token, keys), also URL-encoded."""
        for secret in secrets:
            secret = (secret or "").strip()
            if len(secret) < 8:
                continue
            self.secrets.update({secret, quote(secret, safe=""), quote(secret)})
            # The part after the bot id alone is the secret half of a bot token.
            if ":" in secret and len(secret.partition(":")[2]) >= 8:
                self.secrets.add(secret.partition(":")[2])

    # -- arguments ---------------------------------------------------------------------------

    def argument(
        self, value: Any, safe: set[int], template: str = "", lone_int: bool = False
    ) -> Any:
        """One record argument, reduced by its type; numbers in `safe` survive the text pass.

        A number is kept only when it is the one number of a message about an update
        ("update %s failed"); any other number of five digits or more may be somebody's id.
        """
        if isinstance(value, bool) or value is None or isinstance(value, float):
            return value
        if isinstance(value, int):
            if lone_int and "update" in template.lower():
                safe.add(value)
            return value
        if isinstance(value, str):
            return self._string(value, safe)
        if isinstance(value, (list, tuple)) and "update" in template.lower():
            safe.update(v for v in value if isinstance(v, int) and not isinstance(v, bool))
        return _Shown(self.structure(value, safe))

    def _string(self, value: str, safe: set[int]) -> str:
        """A string argument: JSON as a structure, somebody's text as its length, the rest
        through the text rules."""
        stripped = value.strip()
        if stripped[:1] in "{[":
            try:
                return _Shown(self.structure(json.loads(stripped), safe))
            except ValueError:
                pass
        return self.text(value, safe)

    def structure(self, value: Any, safe: set[int], key: str = "", depth: int = 0) -> str:
        """A container or object as text: keys and harmless values kept, the rest placeholders."""
        if depth > _MAX_DEPTH:
            return "…"
        if key in SAFE_KEYS and isinstance(value, (int, str, bool, list)):
            if isinstance(value, int) and not isinstance(value, bool):
                safe.add(value)
            return repr(value) if not isinstance(value, list) else repr(value)[:200]
        if isinstance(value, Mapping):
            inner = ", ".join(
                f"{_key(k)}: {self.structure(v, safe, str(k), depth + 1)}" for k, v in value.items()
            )
            return "{" + inner + "}"
        if isinstance(value, (list, tuple, set, frozenset)):
            items = list(value)
            shown = ", ".join(self.structure(v, safe, "", depth + 1) for v in items[:20])
            more = f", … {len(items) - 20} more" if len(items) > 20 else ""
            return f"[{shown}{more}]"
        if value is None or isinstance(value, bool):
            return repr(value)
        if isinstance(value, int):
            return repr(value) if value in safe else "<n>"
        if isinstance(value, float):
            return "<n>"
        if isinstance(value, (str, bytes)):
            return f"<{len(value)} chars>" if value else "''"
        if isinstance(value, BaseException):
            return f"{type(value).__name__}({self.text(str(value), safe)!r})"
        return self._object(value, safe)

    def _object(self, value: Any, safe: set[int]) -> str:
        cls = type(value)
        update_id = getattr(value, "update_id", None)
        if isinstance(update_id, int) and cls.__module__.startswith("telegram"):
            safe.add(update_id)
            kinds = [k for k in _UPDATE_KINDS if getattr(value, k, None) is not None]
            return f"<Update {update_id} {'/'.join(kinds) or '?'}>"
        if cls.__name__ == "URL":  # httpx's request URL: the path says which API method
            return self.text(str(value), safe)
        return f"<{cls.__name__}>"

    # -- text --------------------------------------------------------------------------------

    def text(self, text: str, safe: set[int] | frozenset[int] = frozenset()) -> str:
        """Free text (a template, a string argument, a traceback) with every sensitive part
        replaced: the quote- and key-based rules, then those of `final`."""
        text = self.final(text, safe)
        text = _PAIR.sub(lambda m: m.group(1) + "<redacted>", text)
        return _LONG_QUOTED.sub(lambda m: f"'<{len(m.group(0)) - 2} chars>'", text)

    def final(self, text: str, safe: set[int] | frozenset[int] = frozenset()) -> str:
        """The rules that hold for a whole formatted message: secrets, tokens, Bot API URLs,
        sealed values, digests, and numbers of five digits or more not known to be safe."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, "<secret>")
        for said in [s for s in self.remembered if s in text]:
            text = re.sub(rf"(?<!\w){re.escape(said)}(?!\w)", "<user>", text)
        text = _TOKEN.sub("<token>", text)
        text = _API_URL.sub(lambda m: f"/{m.group(1) or ''}bot<token>", text)
        text = _SEALED.sub("<sealed>", text)
        text = _HEX.sub("<hash>", text)
        keep = safe | self.public
        return _NUMBER.sub(lambda m: m.group(0) if _int(m.group(0)) in keep else "<n>", text)


_UPDATE_KINDS = (
    "message edited_message channel_post edited_channel_post callback_query inline_query "
    "chosen_inline_result my_chat_member chat_member chat_join_request poll poll_answer "
    "message_reaction business_message shipping_query pre_checkout_query"
).split()


def _key(key: object) -> str:
    """A dict key as shown: schema names (`chat_id`) as they are, anything else withheld."""
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,40}", text) else "<key>"


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


class _Shown(str):
    """A reduced argument: `%r` shows it as it is (it is already a representation)."""

    def __repr__(self) -> str:
        return str(self)


class RedactingFilter(logging.Filter):
    """Rewrites every record it sees (message, arguments, traceback, stack) once, in place."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact `record`; never drops it (a redacted line is still useful)."""
        redact(record, self.redactor)
        return True


def redact(record: logging.LogRecord, redactor: Redactor) -> logging.LogRecord:
    """Redact a record in place (idempotent): afterwards it has no args and no exc_info."""
    if getattr(record, "redacted", False):
        return record
    safe: set[int] = set()
    template = record.msg if isinstance(record.msg, str) else ""
    try:
        if isinstance(record.msg, str):
            template = redactor.text(template)
            args = record.args
            if isinstance(args, Mapping):
                args = {k: redactor.argument(v, safe, template) for k, v in args.items()}
            elif args:
                ints = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
                lone = len(ints) == 1
                args = tuple(redactor.argument(a, safe, template, lone) for a in args)
            message = template % args if args else template
        else:
            message = redactor.structure(record.msg, safe)
    except Exception:  # noqa: BLE001 - a malformed call still must not leak its arguments
        message = f"{template} <arguments withheld>"
    record.msg, record.args = redactor.final(message, safe), None
    if record.exc_info:
        if record.exc_info[0] is not None:
            formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = _traceback(formatted, redactor, safe)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = _traceback(record.exc_text, redactor, safe)
    if record.stack_info:
        record.stack_info = _traceback(record.stack_info, redactor, safe)
    record.redacted = True
    return record


_FRAME = re.compile(r'^\s*File "[^"]*", line \d+, in \S+$')


def _traceback(text: str, redactor: Redactor, safe: set[int]) -> str:
    """A traceback: frame lines and the source lines under them are code, and keep their paths
    and code readable; every other line (the exception messages) gets the full text rules."""
    lines, code = [], False
    for line in text.split("\n"):
        if _FRAME.match(line):
            lines.append(redactor.final(line, safe))
            code = True
        elif code and line.startswith("    "):
            lines.append(redactor.final(line, safe))
        else:
            lines.append(redactor.text(line, safe))
            code = False
    return "\n".join(lines)


_STATE: dict[str, Any] = {}


def remember(values: Iterable[object]) -> None:
    """Redact these strings of a user from every later log line (see `Redactor.remember`)."""
    flt: RedactingFilter | None = _STATE.get("filter")
    if flt is not None:
        flt.redactor.remember(values)


def install(secrets: Iterable[str] = (), public: Iterable[int] = ()) -> RedactingFilter:
    """Redact every record from now on; returns the filter (call again to add secrets).

    The filter goes on every root handler, on the library loggers and their children, and into
    the record factory (so later handlers are covered too). Uncaught exceptions, which Python
    would print with their message, are logged through it instead.
    """
    flt: RedactingFilter | None = _STATE.get("filter")
    if flt is None:
        flt = RedactingFilter(Redactor())
        _STATE["filter"] = flt
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return redact(previous(*args, **kwargs), flt.redactor)

        logging.setLogRecordFactory(factory)
        sys.excepthook = _excepthook
        threading.excepthook = _thread_excepthook
    flt.redactor.add_secrets(secrets)
    flt.redactor.public.update(public)
    cover_loggers(flt)
    return flt


def cover_loggers(flt: logging.Filter) -> None:
    """Add the filter to every root handler and every library logger that exists now."""
    targets: list[logging.Filterer] = list(logging.getLogger().handlers)
    names = [n for n in logging.root.manager.loggerDict if n.startswith(LIBRARY_LOGGERS)]
    targets += [logging.getLogger(n) for n in (*LIBRARY_LOGGERS, *names)]
    targets.append(logging.getLogger())
    for target in targets:
        if flt not in target.filters:
            target.addFilter(flt)


def _excepthook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
    logging.getLogger("bot").critical("uncaught %s", kind.__name__, exc_info=(kind, exc, tb))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("bot").critical(
        "uncaught %s in a thread",
        args.exc_type.__name__,
        exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )
