"""Retention of tips from the command line, old databases brought up to date, fair slots."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
import sqlite_utils
from telegram import Update

from bot.cli import main
from bot.config import Settings
from bot.core import Core
from bot.tips import store
from handlers.concurrency import PerChatUpdateProcessor
from tests.test_reports import KEY, file_tip


def test_reports_purge_says_how_many_went_and_nothing_of_them_remains(
    tmp_path, monkeypatch, capsys
):
    db_path = tmp_path / "bot.db"
    core = Core.open(Settings(database_path=db_path, report_encryption_key=KEY))
    tickets = [
        file_tip(core, uid, what=f"Kejadian rahasia Qwertyuiop nomor {uid}.") for uid in (1, 2, 3)
    ]
    for ticket in tickets[:2]:
        core.reports.desk.set_status(ticket, "selesai", "Catatan rahasia Asdfghjkl.")
    core.db.execute("UPDATE reports SET closed_at = '2000-01-01' WHERE closed_at IS NOT NULL")
    core.db.conn.commit()
    sealed = [r["payload"] for r in core.db["reports"].rows]
    core.db.conn.close()
    monkeypatch.setenv("DATABASE_PATH", str(db_path))
    monkeypatch.setenv("REPORT_ENCRYPTION_KEY", KEY)
    monkeypatch.chdir(tmp_path)
    assert main(["reports", "purge"]) == 0
    assert capsys.readouterr().out.startswith("2 closed tips")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bot.db*"))
    for ticket in tickets[:2]:
        assert ticket.encode() not in raw
    assert tickets[2].encode() in raw
    assert sum(s.encode() in raw for s in sealed) == 1  # only the open tip's sealed contents
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM report_history").fetchone()[0] == 1


def test_an_older_database_gets_day_dates_and_key_ordered_tables(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    store.m003_reports(db)  # the tables as version m003 made them
    db.execute(
        "INSERT INTO reports VALUES ('NTR-AAAA-BBBB', 'lainnya', 'diterima',"
        " '2024-02-10T09:41:07+00:00', '2024-02-11T10:00:00+00:00', NULL, 'gAAAA')"
    )
    db.execute(
        "INSERT INTO report_history (ticket, at, status, note)"
        " VALUES ('NTR-AAAA-BBBB', '2024-02-10T09:41:07+00:00', 'diterima', '')"
    )
    db.execute("INSERT INTO report_quota VALUES ('r1', '2024-02-10', 1)")
    store.m007_tips_unlinkable(db)
    row = db.execute("SELECT created_at, updated_at FROM reports").fetchone()
    assert row == ("2024-02-10", "2024-02-11")
    assert db.execute("SELECT at FROM report_history").fetchone() == ("2024-02-10",)
    for table in ("reports", "report_quota", "report_receipts"):
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        assert "WITHOUT ROWID" in sql, table
    fks = db.execute("PRAGMA foreign_key_list(report_history)").fetchall()
    assert [fk[2] for fk in fks] == ["reports"]


@pytest.mark.parametrize("slots", [2, 4])
async def test_one_chats_backlog_never_holds_the_slots_other_chats_need(slots):
    processor = PerChatUpdateProcessor(slots)
    album_done = asyncio.Event()
    started: list[str] = []

    def update(chat: int) -> Update:
        message = {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}}
        return Update.de_json({"update_id": chat, "message": message}, None)

    async def album_item(i: int) -> None:
        started.append(f"album-{i}")
        await album_done.wait()

    async def other() -> None:
        started.append("other")

    tasks = [
        asyncio.create_task(processor.process_update(update(1), album_item(i))) for i in range(8)
    ]
    tasks.append(asyncio.create_task(processor.process_update(update(2), other())))
    for _ in range(100):
        if "other" in started:
            break
        await asyncio.sleep(0)
    assert "other" in started and started.count("album-0") == 1
    assert [s for s in started if s.startswith("album")] == ["album-0"]  # one chat, one at once
    album_done.set()
    await asyncio.gather(*tasks)
    assert started.count("other") == 1 and len(started) == 9
