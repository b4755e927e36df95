"""SQLitePersistence: write-through storage of python-telegram-bot state in the kv table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PersistenceInput,
    filters,
)

import handlers.persistence as persistence_module
from bot.db import kv_all, kv_set, open_database
from handlers.persistence import SQLitePersistence
from tests.telegram.fake_bot_api import FakeBotApi


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


def restart(db_path: Path) -> SQLitePersistence:
    """A fresh persistence over a new connection to the same file, as after a process restart."""
    return SQLitePersistence(open_database(db_path))


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any]]:
    """Every kv_set the persistence makes."""
    calls: list[tuple[str, str, Any]] = []

    def recording(db: sqlite_utils.Database, namespace: str, key: str, value: Any) -> None:
        calls.append((namespace, key, value))
        kv_set(db, namespace, key, value)

    monkeypatch.setattr(persistence_module, "kv_set", recording)
    return calls


async def test_round_trip_of_every_kind_without_flush(db_path: Path) -> None:
    p = SQLitePersistence(open_database(db_path), update_interval=5)
    assert p.update_interval == 5 and p.store_data == PersistenceInput()
    await p.update_user_data(42, {"lang": "en", "seen": [1, 2], "nested": {"a": None}})
    await p.update_chat_data(-1001234567890, {"mode": "group"})
    await p.update_bot_data({"starts": 3, "ratio": 0.5})
    await p.update_conversation("survey", (-100, 42), 1)
    keyboard = ("uuid-1", 1700000000.5, {"btn-1": ["topic", "t1"], "btn-2": 7})
    callback = ([keyboard], {"q1": "uuid-1"})
    await p.update_callback_data(callback)
    # No flush: a killed process must not lose what was handed over.

    q = restart(db_path)
    assert await q.get_user_data() == {42: {"lang": "en", "seen": [1, 2], "nested": {"a": None}}}
    chat_data = await q.get_chat_data()
    assert chat_data == {-1001234567890: {"mode": "group"}}
    assert all(type(key) is int for key in chat_data)
    assert await q.get_bot_data() == {"starts": 3, "ratio": 0.5}
    assert await q.get_conversations("survey") == {(-100, 42): 1}
    assert await q.get_callback_data() == callback
    await q.flush()


async def test_empty_database(db_path: Path) -> None:
    p = restart(db_path)
    assert await p.get_user_data() == {}
    assert await p.get_chat_data() == {}
    assert await p.get_bot_data() == {}
    assert await p.get_callback_data() is None
    assert await p.get_conversations("survey") == {}


async def test_only_changes_are_written(db_path: Path, writes: list) -> None:
    p = restart(db_path)
    await p.get_user_data()
    await p.update_user_data(1, {"a": 1})
    await p.update_user_data(1, {"a": 1})
    await p.update_bot_data({})  # empty and nothing stored: nothing to do
    await p.update_bot_data({"n": 1})
    await p.update_bot_data({"n": 1})
    await p.update_conversation("c", (1, 1), "ASK")
    await p.update_conversation("c", (1, 1), "ASK")
    assert writes == [("user_data", "1", {"a": 1}), ("bot_data", "bot_data", {"n": 1}),
                      ("conversation:c", "[1, 1]", "ASK")]  # fmt: skip

    # After a restart, data equal to what's stored is still recognised as unchanged,
    # even when update_* comes before (or without) the matching get_*.
    writes.clear()
    q = restart(db_path)
    await q.update_user_data(1, {"a": 1})
    await q.update_bot_data({"n": 1})
    await q.update_conversation("c", (1, 1), "ASK")
    assert writes == []
    await q.update_user_data(1, {"a": 2})
    assert writes == [("user_data", "1", {"a": 2})]


async def test_empty_data_leaves_no_row(db_path: Path) -> None:
    db = open_database(db_path)
    p = SQLitePersistence(db)
    await p.update_user_data(7, {})
    await p.update_chat_data(7, {})
    assert kv_all(db, "user_data") == {} and kv_all(db, "chat_data") == {}
    await p.update_user_data(7, {"x": 1})
    await p.update_user_data(7, {})  # emptied later: the row goes
    assert await restart(db_path).get_user_data() == {}


async def test_drop_user_and_chat_data(db_path: Path) -> None:
    p = restart(db_path)
    await p.update_user_data(1, {"a": 1})
    await p.update_user_data(2, {"b": 2})
    await p.update_chat_data(1, {"c": 1})
    await p.update_chat_data(-5, {"d": 2})
    await p.drop_user_data(1)
    await p.drop_chat_data(-5)
    await p.drop_user_data(999)  # unknown ids are fine
    q = restart(db_path)
    assert await q.get_user_data() == {2: {"b": 2}}
    assert await q.get_chat_data() == {1: {"c": 1}}
    # Dropping without a prior get_* still reaches the database.
    await q.drop_user_data(2)
    assert await restart(db_path).get_user_data() == {}


async def test_conversations_tuple_keys_and_removal(db_path: Path) -> None:
    p = restart(db_path)
    assert await p.get_conversations("survey") == {}
    await p.update_conversation("survey", (10, 20), 0)
    await p.update_conversation("survey", (10, 21), "CITY")
    await p.update_conversation("survey", (-100, 20, 5), 2)
    await p.update_conversation("survey", (1, "inline-abc"), 3)
    await p.update_conversation("other", (10, 20), 9)
    await p.update_conversation("survey", (10, 20), None)  # conversation ended
    await p.update_conversation("survey", (77, 77), None)  # never existed

    q = restart(db_path)
    assert await q.get_conversations("survey") == {
        (10, 21): "CITY",
        (-100, 20, 5): 2,
        (1, "inline-abc"): 3,
    }
    assert await q.get_conversations("other") == {(10, 20): 9}


async def test_callback_data_round_trip(db_path: Path) -> None:
    p = restart(db_path)
    assert await p.get_callback_data() is None
    first = ([("k1", 1.0, {"b1": "x"})], {})
    await p.update_callback_data(first)
    second = ([("k1", 1.0, {"b1": "x"}), ("k2", 2.5, {"b2": {"entry": "e1"}})], {"cq": "k2"})
    await p.update_callback_data(second)
    restored = await restart(db_path).get_callback_data()
    assert restored == second
    keyboards, queries = restored
    assert all(isinstance(item, tuple) for item in keyboards) and queries == {"cq": "k2"}


async def test_unserialisable_data_raises_and_writes_nothing(db_path: Path) -> None:
    p = restart(db_path)
    await p.update_user_data(1, {"a": 1})
    with pytest.raises(TypeError):
        await p.update_user_data(1, {"a": object()})
    assert await restart(db_path).get_user_data() == {1: {"a": 1}}
    await p.update_user_data(1, {"a": 1})  # still known as stored; a real change still lands
    await p.update_user_data(1, {"a": 3})
    assert await restart(db_path).get_user_data() == {1: {"a": 3}}


# -- end to end: a real Application against the local fake Bot API ------------------------------

ASK_NAME, ASK_CITY = range(2)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data["started"] = True
    context.chat_data["starts"] = context.chat_data.get("starts", 0) + 1
    context.bot_data["starts"] = context.bot_data.get("starts", 0) + 1
    await update.effective_message.reply_text("Nama?")
    return ASK_NAME


async def _name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data["name"] = update.effective_message.text
    await update.effective_message.reply_text("Kota?")
    return ASK_CITY


async def _city(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data["city"] = update.effective_message.text
    await update.effective_message.reply_text(f"Terima kasih, {context.user_data['name']}")
    return ConversationHandler.END


def _build(api: FakeBotApi, db: sqlite_utils.Database) -> Application:
    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .persistence(SQLitePersistence(db))
        .updater(None)
        .build()
    )
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", _start)],
            states={
                ASK_NAME: [MessageHandler(text, _name)],
                ASK_CITY: [MessageHandler(text, _city)],
            },
            fallbacks=[],
            name="survey",
            persistent=True,
        )
    )
    return app


def _update(app: Application, update_id: int, text: str, user_id: int = 1001) -> Update:
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 1700000000,
        "chat": {"id": user_id, "type": "private", "first_name": "Budi"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Budi"},
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return Update.de_json({"update_id": update_id, "message": message}, app.bot)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


async def test_application_survives_a_restart_mid_conversation(
    api: FakeBotApi, db_path: Path
) -> None:
    app = _build(api, open_database(db_path))
    await app.initialize()
    await app.process_update(_update(app, 1, "/start"))
    await app.process_update(_update(app, 2, "Budi"))
    await app.update_persistence()  # what the bot does after every update

    # Before any stop/shutdown/flush (as after SIGKILL), another connection sees everything.
    seen = restart(db_path)
    assert await seen.get_user_data() == {1001: {"started": True, "name": "Budi"}}
    assert await seen.get_chat_data() == {1001: {"starts": 1}}
    assert await seen.get_bot_data() == {"starts": 1}
    assert await seen.get_conversations("survey") == {(1001, 1001): ASK_CITY}
    await app.shutdown()

    app2 = _build(api, open_database(db_path))
    await app2.initialize()
    assert app2.user_data[1001] == {"started": True, "name": "Budi"}
    assert app2.bot_data == {"starts": 1}
    await app2.process_update(_update(app2, 3, "Jakarta"))  # answered in the restored state
    assert api.sent_texts(1001) == ["Nama?", "Kota?", "Terima kasih, Budi"]
    await app2.update_persistence()

    after = restart(db_path)
    assert await after.get_conversations("survey") == {}  # ended: the row is gone
    assert (await after.get_user_data())[1001]["city"] == "Jakarta"

    app2.drop_user_data(1001)
    await app2.update_persistence()
    assert await restart(db_path).get_user_data() == {}
    await app2.shutdown()
    assert api.errors == []
