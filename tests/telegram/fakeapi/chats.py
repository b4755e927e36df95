"""Chats the bot may not reach and roles in groups, a mixin of ``FakeBotApi``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tests.telegram.fakeapi.wire import METHODS, ApiError, Json

# ---- chats the bot may not reach, roles in groups: getChat, getChatMember -------------
# A block of its own (state included) so it merges cleanly with other changes to the server.
METHODS.update({m.lower(): m for m in ("getChat", "getChatMember")})


class _ChatAccess:
    """getChat and getChatMember, answered from what the test set."""

    # State and helpers of the other parts of FakeBotApi (see server.py), for the type checker.
    bot_user: Json
    _lock: threading.RLock
    _chat: Callable[[Json], Json]

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
