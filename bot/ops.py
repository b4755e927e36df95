"""Running the bot as a service: database checks with clear messages, online backups, health.

Every failure here is a `DatabaseProblem` whose message is one line naming the file and what
to do, so the command line can print it instead of a traceback.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError, Settings

# sqlite3's default: wait this long for another process's write lock (the bot's are short).
LOCK_TIMEOUT_SECONDS = 5.0


class DatabaseProblem(RuntimeError):
    """The database cannot be used; the message names the path and what to do."""


def explain(path: Path, exc: BaseException) -> str:
    """One line for an error met while opening or writing the database at `path`."""
    text = str(exc).strip() or type(exc).__name__
    low = text.lower()
    folder = path.parent
    if "not a database" in low or "malformed" in low or "disk image" in low:
        return (
            f"the database {path} is damaged ({text}): stop the bot, move the file aside "
            f"and restore the latest backup in its place (docs/deploying.md, Restore)"
        )
    if "readonly" in low or "read-only" in low or isinstance(exc, PermissionError):
        return (
            f"the database {path} cannot be written ({text}): make the file, its -wal and "
            f"-shm files and the folder {folder} writable by the user running the bot"
        )
    if "locked" in low or "busy" in low:
        return (
            f"the database {path} stayed locked by another process for "
            f"{LOCK_TIMEOUT_SECONDS:.0f} s ({text}): is a second copy of the bot running?"
        )
    return (
        f"the database {path} cannot be opened or created ({text}): check that the folder "
        f"{folder} exists or can be created and is writable, or set DATA_DIR"
    )


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None)


def check_database(path: Path) -> None:
    """Create the folder if needed, open the database and prove it can be read and written.

    The write is rolled back: a read-only file would otherwise only fail at the first tip or
    question the bot tries to save.
    """
    if str(path) == ":memory:":
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("CREATE TABLE _write_probe (x)")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseProblem(explain(path, exc)) from None


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote: where, how big, and SQLite's own verdict on the copy."""

    target: Path
    size_bytes: int
    integrity: str
    tips: int


def backup(source: Path, target: Path) -> BackupResult:
    """Copy the live database to `target` with SQLite's online backup API.

    The copy is one consistent snapshot even while the bot writes (in WAL mode the bot is not
    blocked meanwhile). It is written beside the target first and renamed into place only
    after `PRAGMA integrity_check` passes, so a failed backup never leaves a half file under
    the final name. The copy is readable by its owner only: it holds the (encrypted) tips.
    """
    if not source.is_file():
        raise DatabaseProblem(f"there is no database at {source} (see DATA_DIR) to back up")
    if target.exists():
        raise DatabaseProblem(f"{target} already exists: give the backup a new file name")
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        src = _connect(source)
        # Created private (0600) before any byte is written to it.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        dst = _connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one read snapshot, the bot keeps writing
            # A self-contained file (no -wal beside it), easy to copy off the machine.
            dst.execute("PRAGMA journal_mode = DELETE")
            integrity = dst.execute("PRAGMA integrity_check").fetchone()[0]
            has_tips = dst.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'reports'"
            ).fetchone()[0]
            tips = dst.execute("SELECT count(*) FROM reports").fetchone()[0] if has_tips else 0
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise DatabaseProblem(explain(source, exc)) from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DatabaseProblem(f"cannot write the backup {target}: {exc}") from None
    if integrity != "ok":
        partial.unlink(missing_ok=True)
        raise DatabaseProblem(f"the copy of {source} failed its integrity check: {integrity}")
    partial.rename(target)
    return BackupResult(target, target.stat().st_size, integrity, tips)


def health(settings: Settings) -> str:
    """Cheap check for a container or a monitor: settings valid, token set, database usable
    and built.

    Returns a one-line summary; raises ConfigError or DatabaseProblem when something is wrong.
    Never touches the network.
    """
    path = settings.database_path
    if not settings.telegram_bot_token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: the bot cannot run on Telegram")
    if not path.is_file():
        raise DatabaseProblem(f"no database yet at {path}: the bot creates it when it starts")
    check_database(path)
    conn = _connect(path)
    try:
        built = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'entries'"
        ).fetchone()[0]
        entries = conn.execute("SELECT count(*) FROM entries").fetchone()[0] if built else 0
    except sqlite3.Error as exc:
        raise DatabaseProblem(explain(path, exc)) from None
    finally:
        conn.close()
    if not entries:
        raise DatabaseProblem(f"no knowledge base in {path} yet: the bot builds it when it starts")
    return f"ok: database {path}, {entries} knowledge entries"
