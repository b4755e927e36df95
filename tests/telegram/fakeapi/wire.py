"""What travels between python-telegram-bot and the fake Bot API server.

python-telegram-bot's HTTPXRequest POSTs ``RequestData.json_parameters`` as form fields
(urlencoded, or multipart/form-data when files are attached): str values are sent raw, every
other value (int, bool, reply_markup, results, ...) is ``json.dumps``-ed. An InputFile without
``attach`` is a multipart part named after the parameter (``photo``, ``document``); attached files
are referenced as ``attach://<name>``. JSON bodies and query strings are accepted too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
