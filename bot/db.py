"""The embedded SQLite database: opening it, applying migrations, and the key-value table.

Only the generic parts live here. Each feature owns its tables: their migrations and every SQL
statement on them sit in that feature's store (`bot/kb/store.py`, `bot/kb/audit.py`,
`bot/answering/store.py`, `bot/tips/store.py`, `bot/curation/store.py`); `bot/schema.py`
applies them all in one order.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

# Every feature's migrations share this set name, so a database created before the tables
# were split per feature sees its applied migrations (m001..m004) under the same names.
MIGRATION_SET = "netralitas"

migrations = Migrations(MIGRATION_SET)
log = logging.getLogger(__name__)
# The database holds sealed tips and the questions users asked: only the bot's own user may
# read it. SQLite creates the -wal and -shm files with the database file's permissions.
FILE_MODE, DIR_MODE = 0o600, 0o700
_SOURCE_TREE = Path(__file__).resolve().parent.parent


@migrations()
def m002_kv(db: sqlite_utils.Database) -> None:
    """The key-value table (python-telegram-bot's persisted state, pending admin imports)."""
    # It was created by m002_usage before the split: tolerate it being there.
    db.table("kv").create(
        {"namespace": str, "key": str, "value": str}, pk=("namespace", "key"), if_not_exists=True
    )


def vacuum(db: sqlite_utils.Database) -> None:
    """Rewrite the file without free pages and empty the WAL, so deleted rows leave no bytes."""
    db.execute("VACUUM")
    checkpoint(db)


def checkpoint(db: sqlite_utils.Database) -> None:
    """Copy the write-ahead log into the database and empty it: the log keeps earlier versions
    of changed pages (a deleted row among them) until then. Best effort while others read."""
    if db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def now_iso() -> str:
    """Current UTC time as an ISO string, the one timestamp format of the database."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_database(
    path: str | Path | None, schema: Iterable[Migrations] = ()
) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, or in memory for None, and migrate it.

    The key-value table is always there; `schema` adds the features' migration sets (see
    `bot.schema.open_database` for all of them).
    """
    if path is None or str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        path = Path(path)
        secure_files(path)
        db = sqlite_utils.Database(path)
        # WAL lets the console, the CLI and the bot read while one of them writes.
        db.enable_wal()
        # In WAL mode NORMAL is still safe against a killed process (only an OS crash can drop
        # the last commits) and spares an fsync on every question logged.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA foreign_keys = ON")
    # A deleted row is overwritten, not just unlinked: a draft deleted when its tip is filed,
    # or a purged tip, leaves no bytes behind in the file's free space.
    db.execute("PRAGMA secure_delete = ON")
    for migration_set in (*schema, migrations):
        migration_set.apply(db)
    return db


def secure_files(path: Path) -> None:
    """Create the data directory 0700 and the database 0600; tighten them if they exist.

    Also the -wal and -shm files left by an earlier run, which SQLite would otherwise reuse as
    they are. A directory the bot does not own (say /tmp) is left alone, with a warning.
    """
    directory = path.parent
    if not directory.exists():
        directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    # The data folder is the bot's alone; but never lock others out of the source tree itself
    # (DATABASE_PATH=bot.db run from a checkout).
    if directory.resolve() != _SOURCE_TREE:
        _tighten(directory, DIR_MODE)
    # O_CREAT with the mode: the file never exists, even for an instant, with wider rights.
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE))
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if name.exists():
            _tighten(name, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    """Take group and other rights away from `path` when the bot owns it."""
    info = path.stat()
    if stat.S_IMODE(info.st_mode) & 0o077 == 0:
        return
    if info.st_uid != os.geteuid():
        log.warning("%s is readable by others and not ours to change: restrict it", path.name)
        return
    os.chmod(path, mode)


@contextmanager
def atomic(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A (nestable) transaction: everything inside lands together or not at all."""
    with db.atomic():
        yield db


# -- key/value store, used by the Telegram persistence and pending imports -----------------------


def kv_get(db: sqlite_utils.Database, namespace: str, key: str) -> Any | None:
    """The JSON value stored under (namespace, key), or None."""
    row = db.execute(
        "SELECT value FROM kv WHERE namespace = ? AND key = ?", [namespace, key]
    ).fetchone()
    return None if row is None else json.loads(row[0])


def kv_all(db: sqlite_utils.Database, namespace: str) -> dict[str, Any]:
    """Every key of a namespace with its JSON value."""
    rows = db.execute("SELECT key, value FROM kv WHERE namespace = ?", [namespace]).fetchall()
    return {key: json.loads(value) for key, value in rows}


def kv_set(db: sqlite_utils.Database, namespace: str, key: str, value: Any) -> None:
    """Store a JSON-serialisable value; None deletes the key."""
    with db.atomic():
        if value is None:
            db.execute("DELETE FROM kv WHERE namespace = ? AND key = ?", [namespace, key])
        else:
            db.execute(
                "INSERT INTO kv (namespace, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT(namespace, key) DO UPDATE SET value = excluded.value",
                [namespace, key, json.dumps(value, ensure_ascii=False)],
            )
