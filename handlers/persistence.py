"""python-telegram-bot persistence in the project's SQLite database, through `bot.db`'s kv.

Every `update_*` writes through at once (one small transaction), so whatever the Application
has handed over survives a crash or SIGKILL; `flush` has nothing left to do. Values are JSON: the
data must be JSON-serialisable, and JSON turns tuples into lists and non-str dict keys into str.

Layout of the `kv` table (namespace / key -> JSON value):

* ``user_data`` / ``chat_data``: one row per user or chat id (an empty dict is no row at all);
* ``bot_data``: one row, key ``bot_data``;
* ``callback_data``: one row, key ``callback_data``, ``[[[uuid, time, {..}], ...], {..}]``;
* ``conversation:<name>``: one row per conversation key, e.g. ``[chat_id, user_id]`` -> state.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils
from telegram.ext import BasePersistence, PersistenceInput

from bot.db import kv_all, kv_set

# Local spellings of telegram.ext._utils.types (a private module).
Data = dict[Any, Any]
ConversationKey = tuple[int | str, ...]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

USER_DATA, CHAT_DATA = "user_data", "chat_data"
BOT_DATA, CALLBACK_DATA = "bot_data", "callback_data"


def _dump(value: Any) -> str:
    """The JSON text `kv_set` stores for `value` (same options), used to detect changes."""
    return json.dumps(value, ensure_ascii=False)


def conversation_namespace(name: str) -> str:
    """The kv namespace of the persistent ConversationHandler called `name`."""
    return f"conversation:{name}"


class SQLitePersistence(BasePersistence[Data, Data, Data]):
    """Stores user, chat and bot data, callback data and conversations in the kv table.

    Args:
        db: The open project database (see `bot.db.open_database`).
        store_data: Which kinds of data to store; all of them by default.
        update_interval: Seconds between the Application's periodic `update_persistence` runs.
    """

    __slots__ = ("_db", "_stored")

    def __init__(
        self,
        db: sqlite_utils.Database,
        store_data: PersistenceInput | None = None,
        update_interval: float = 60,
    ) -> None:
        super().__init__(store_data=store_data, update_interval=update_interval)
        self._db = db
        # namespace -> key -> JSON text currently in the database, so unchanged data isn't written.
        self._stored: dict[str, dict[str, str]] = {}

    # -- helpers ---------------------------------------------------------------------------------

    def _load(self, namespace: str) -> dict[str, Any]:
        """Every value of `namespace`, freshly decoded, remembering what is stored."""
        values = kv_all(self._db, namespace)
        self._stored[namespace] = {key: _dump(value) for key, value in values.items()}
        return values

    def _write(self, namespace: str, key: str, value: Any) -> None:
        """Store `value` (None deletes) under (namespace, key) unless it is already stored."""
        stored = self._stored.get(namespace)
        if stored is None:  # update_* before get_*: learn what's there first
            self._load(namespace)
            stored = self._stored[namespace]
        text = None if value is None else _dump(value)  # a TypeError here writes nothing
        if stored.get(key) == text:
            return
        kv_set(self._db, namespace, key, value)
        if text is None:
            stored.pop(key, None)
        else:
            stored[key] = text

    # -- loading (called once by Application.initialize) -----------------------------------------

    async def get_user_data(self) -> dict[int, Data]:
        """Every stored user_data, keyed by int user id."""
        return {int(key): value for key, value in self._load(USER_DATA).items()}

    async def get_chat_data(self) -> dict[int, Data]:
        """Every stored chat_data, keyed by int chat id."""
        return {int(key): value for key, value in self._load(CHAT_DATA).items()}

    async def get_bot_data(self) -> Data:
        """The stored bot_data, or an empty dict."""
        return self._load(BOT_DATA).get(BOT_DATA) or {}

    async def get_callback_data(self) -> CDCData | None:
        """The stored CallbackDataCache contents, or None if nothing was stored."""
        value = self._load(CALLBACK_DATA).get(CALLBACK_DATA)
        if value is None:
            return None
        keyboards, queries = value
        return [(str(u), float(t), dict(d)) for u, t, d in keyboards], dict(queries)

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        """The stored states of conversation handler `name`, keyed by tuples."""
        values = self._load(conversation_namespace(name))
        return {tuple(json.loads(key)): state for key, state in values.items()}

    # -- writing through (called by Application.update_persistence) ------------------------------

    async def update_user_data(self, user_id: int, data: Data) -> None:
        """Store one user's data if it changed; an empty dict removes the row."""
        self._write(USER_DATA, str(user_id), data or None)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        """Store one chat's data if it changed; an empty dict removes the row."""
        self._write(CHAT_DATA, str(chat_id), data or None)

    async def update_bot_data(self, data: Data) -> None:
        """Store bot_data if it changed; an empty dict removes the row."""
        self._write(BOT_DATA, BOT_DATA, data or None)

    async def update_callback_data(self, data: CDCData) -> None:
        """Store the CallbackDataCache contents if they changed."""
        self._write(CALLBACK_DATA, CALLBACK_DATA, data)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Store a conversation's new state; None (the conversation ended) removes it."""
        self._write(conversation_namespace(name), json.dumps(list(key)), new_state)

    async def drop_user_data(self, user_id: int) -> None:
        """Forget one user's data (Application.drop_user_data)."""
        self._write(USER_DATA, str(user_id), None)

    async def drop_chat_data(self, chat_id: int) -> None:
        """Forget one chat's data (Application.drop_chat_data)."""
        self._write(CHAT_DATA, str(chat_id), None)

    # -- no-ops ----------------------------------------------------------------------------------

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """Does nothing: the Application's in-memory copy is the authoritative one."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """Does nothing: the Application's in-memory copy is the authoritative one."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """Does nothing: the Application's in-memory copy is the authoritative one."""

    async def flush(self) -> None:
        """Does nothing: every update_* was already committed. The caller owns (closes) `db`."""
