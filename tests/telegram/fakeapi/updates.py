"""Building users and chats and injecting updates, a mixin of ``FakeBotApi``."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from tests.telegram.fakeapi.htmlparse import _u16
from tests.telegram.fakeapi.wire import SENT, Call, Json, Opt, _file


class _Injecting:
    """The test's side: users, chats, files and the updates they send."""

    # State and helpers of the other parts of FakeBotApi (see server.py), for the type checker.
    _calls: list[Call]
    _updates: list[Json]
    _injected: list[int]
    _update_ids: itertools.count[int]
    _query_ids: itertools.count[int]
    _messages: dict[tuple[Any, int], Json]
    _chats: dict[Any, Json]
    _callbacks: set[str]
    _files: dict[str, tuple[bytes, str]]
    _lock: threading.RLock
    _wake: Callable[[], None]
    _store: Callable[..., Json]

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
