"""Running the bot as a service: backups taken while it writes, restores, the health check."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

from bot.config import Settings
from bot.core import Core

PROJECT = Path(__file__).resolve().parent.parent
SETTINGS = (
    "ENV_FILE DATA_DIR DATABASE_PATH KNOWLEDGE_DIR LOG_LEVEL TZ REPORT_ENCRYPTION_KEY".split()
)


def _bot(args: list[str], tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in SETTINGS and not k.startswith("TELEGRAM_")
    }
    (tmp_path / "bot.env").touch()
    env.update(ENV_FILE=str(tmp_path / "bot.env"), DATA_DIR=str(tmp_path / "data"), **settings)
    return subprocess.run(
        [sys.executable, str(PROJECT / "bot.py"), *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _live_database(tmp_path: Path) -> Path:
    """A database as the bot leaves it: knowledge built, a year of questions logged."""
    path = tmp_path / "data" / "bot.db"
    core = Core.open(Settings(database_path=path))
    with core.db.conn:
        core.db.conn.executemany(
            "INSERT INTO question_log (asked_at, question, lang, band, entry_id, score, channel)"
            " VALUES ('2026-01-01T00:00:00+00:00', ?, 'id', 'answer', 'x', 50, 'telegram')",
            [(f"pertanyaan nomor {i} tentang netralitas " * 4,) for i in range(30_000)],
        )
    core.db.close()
    return path


class Writer(threading.Thread):
    """Another connection saving questions, one commit each, as the running bot does."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.written, self.stop = path, 0, threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=5)
        while not self.stop.is_set():
            with conn:
                conn.execute(
                    "INSERT INTO question_log (asked_at, question, lang, band, channel) "
                    "VALUES ('2026-11-30T05:00:00+00:00', 'boleh nyoblos?', 'id', 'answer', 'x')"
                )
            self.written += 1
        conn.close()


def test_a_backup_taken_while_the_bot_writes_is_consistent_and_restores(tmp_path):
    db = _live_database(tmp_path)
    rows_before = sqlite3.connect(db).execute("SELECT count(*) FROM question_log").fetchone()[0]
    writer = Writer(db)
    writer.start()
    try:
        while writer.written < 50:  # the writer is really running before the backup starts
            threading.Event().wait(0.01)
        at_start = writer.written
        proc = _bot(["backup", str(tmp_path / "backups" / "bot-2026-11-30.db")], tmp_path)
        during = writer.written - at_start
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    assert proc.returncode == 0, proc.stderr
    assert "backup written" in proc.stdout and "integrity ok" in proc.stdout
    assert during > 0  # the bot's writes went on while the backup ran

    copy = tmp_path / "backups" / "bot-2026-11-30.db"
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copied = conn.execute("SELECT count(*) FROM question_log").fetchone()[0]
    assert rows_before + at_start <= copied <= rows_before + writer.written
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    conn.close()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # it holds the (sealed) tips
    assert not list(copy.parent.glob("*.partial"))

    # Restore as docs/deploying.md says: the bot stopped, the copy put in place of bot.db.
    restored = tmp_path / "restored"
    (restored / "data").mkdir(parents=True)
    shutil.copy(copy, restored / "data" / "bot.db")
    asked = _bot(["ask", "Bolehkah PNS jadi pengurus partai politik?"], restored)
    assert asked.returncode == 0, asked.stderr
    assert "Dilarang" in asked.stdout


def test_a_backup_never_overwrites_an_existing_file(tmp_path):
    db = tmp_path / "data" / "bot.db"
    db.parent.mkdir()
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    existing = tmp_path / "yesterday.db"
    existing.write_bytes(b"yesterday's backup")
    proc = _bot(["backup", str(existing)], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("already exists: give the backup a new file name")
    assert existing.read_bytes() == b"yesterday's backup"


def test_health_is_ok_for_a_built_database_and_names_what_is_missing_otherwise(tmp_path):
    missing = _bot(["health"], tmp_path, TELEGRAM_BOT_TOKEN="1:x")
    assert missing.returncode == 2
    assert "no database yet at" in missing.stderr and "Traceback" not in missing.stderr

    Core.open(Settings(database_path=tmp_path / "data" / "bot.db")).db.close()
    healthy = _bot(["health"], tmp_path, TELEGRAM_BOT_TOKEN="1:x")
    assert healthy.returncode == 0, healthy.stderr
    assert healthy.stdout.startswith("ok: database") and "knowledge entries" in healthy.stdout

    no_token = _bot(["health"], tmp_path)
    assert no_token.returncode == 2 and "TELEGRAM_BOT_TOKEN is not set" in no_token.stderr
