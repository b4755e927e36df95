"""The Bot API methods the bot calls, a mixin of ``FakeBotApi`` (called with the lock held)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from tests.telegram.fakeapi.htmlparse import parse_html
from tests.telegram.fakeapi.wire import (
    NOT_MODIFIED,
    OLD_QUERY,
    ApiError,
    Json,
    UploadedFile,
    _file,
)


class _BotMethods:
    """getMe, webhooks, commands, sending, editing and deleting messages, files."""

    # State and helpers of the other parts of FakeBotApi (see server.py), for the type checker.
    bot_user: Json
    webhook_url: str
    commands: dict[str, list[Json]]
    menu_buttons: dict[Any, Json]
    _updates: list[Json]
    _msg_ids: dict[Any, itertools.count[int]]
    _messages: dict[tuple[Any, int], Json]
    _chats: dict[Any, Json]
    _callbacks: set[str]
    _files: dict[str, tuple[bytes, str]]
    _refuse_blocked: Callable[[Any], None]
    add_file: Callable[[str, bytes, str | None], None]

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
