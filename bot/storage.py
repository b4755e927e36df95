"""The embedded SQLite database: opening it, its schema (as migrations) and small helpers.

Every table is created here, so a reader finds the whole schema in one file. Other core modules
use sqlite-utils' table API on the `Database` this returns; raw SQL stays in this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("netralitas")


@migrations()
def m001_knowledge(db: sqlite_utils.Database) -> None:
    """The compiled knowledge base and its content hash."""
    db["kb_state"].create({"key": str, "value": str}, pk="key")
    db["topics"].create(
        {
            "id": str,
            "position": int,
            "title_id": str,
            "title_en": str,
            "description_id": str,
            "description_en": str,
        },
        pk="id",
    )
    db["sources"].create(
        {
            "id": str,
            "kind": str,
            "short": str,
            "number": str,
            "title": str,
            "issuer": str,
            "date": str,
            "election": str,
            "origin": str,
        },
        pk="id",
    )
    db["source_items"].create(
        {
            "source_id": str,
            "key": str,
            "position": int,
            "label_id": str,
            "label_en": str,
            "quoted": int,
            "text": str,
        },
        pk=("source_id", "key"),
    )
    db["entries"].create(
        {
            "id": str,
            "topic": str,
            "position": int,
            "verdict": str,
            "title_id": str,
            "title_en": str,
            "answer_id": str,
            "answer_en": str,
            "sanction_id": str,
            "sanction_en": str,
            "citations": str,  # JSON list of {source, item}
            "related": str,  # JSON list of entry ids
            "retired": int,
            "version": int,
        },
        pk="id",
    )
    db["phrasings"].create(
        {"id": int, "entry_id": str, "lang": str, "text": str, "origin": str}, pk="id"
    )
    db["phrasings"].create_index(["entry_id"])


@migrations()
def m002_usage(db: sqlite_utils.Database) -> None:
    """What users ask (never who), their feedback, and python-telegram-bot's persisted state."""
    db["question_log"].create(
        {
            "id": int,
            "asked_at": str,
            "question": str,
            "lang": str,
            "band": str,
            "entry_id": str,
            "score": float,
            "channel": str,
        },
        pk="id",
    )
    db["question_log"].create_index(["asked_at"])
    db["feedback"].create(
        {"id": int, "at": str, "entry_id": str, "question_id": int, "value": int}, pk="id"
    )
    db["kv"].create({"namespace": str, "key": str, "value": str}, pk=("namespace", "key"))


@migrations()
def m003_reports(db: sqlite_utils.Database) -> None:
    """Confidential tips: every content column is a Fernet token; reporters are keyed hashes."""
    # One draft per reporter in progress, keyed by the stable keyed hash of the user id.
    db["report_drafts"].create({"ref": str, "data": str, "updated_at": str}, pk="ref")
    db["reports"].create(
        {
            "ticket": str,
            "category": str,
            "status": str,
            "created_at": str,
            "updated_at": str,
            "closed_at": str,
            "payload": str,  # sealed JSON: what, who, where, when, evidence, contact
        },
        pk="ticket",
    )
    db["reports"].create_index(["status"])
    db["report_history"].create(
        {"id": int, "ticket": str, "at": str, "status": str, "note": str},  # note sealed
        pk="id",
        foreign_keys=[("ticket", "reports", "ticket")],
    )
    db["report_history"].create_index(["ticket"])
    # Tips per reporter per day, by a keyed hash of (user id, day): unlinkable across days.
    db["report_quota"].create({"ref": str, "day": str, "count": int}, pk="ref")
    db["report_bans"].create({"ref": str, "at": str}, pk="ref")


@migrations()
def m004_admin(db: sqlite_utils.Database) -> None:
    """Admin edits of the knowledge base (the audit trail) and review-queue questions handled."""
    db["kb_changes"].create(
        {
            "id": int,
            "at": str,
            "admin_id": int,  # Telegram user id; 0 for the command line
            "entry_id": str,
            "action": str,
            "before": str,  # JSON of the entry before (null: it did not exist or was retired)
            "after": str,  # JSON of the entry after (null: retired)
            "reverted_by": int,  # id of the change that undid this one
        },
        pk="id",
    )
    db["kb_changes"].create_index(["entry_id"])
    db["review_done"].create(
        {"key": str, "at": str, "admin_id": int, "action": str, "question": str}, pk="key"
    )


@migrations()
def m005_source_validity(db: sqlite_utils.Database) -> None:
    """Where a source applies (a region's circular) and which later rule replaced it."""
    for column in ("region", "year", "superseded_by"):
        db["sources"].add_column(column, str, not_null_default="")


def vacuum(db: sqlite_utils.Database) -> None:
    """Rewrite the file without free pages and empty the WAL, so deleted rows leave no bytes."""
    db.execute("VACUUM")
    if db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def now_iso() -> str:
    """Current UTC time as an ISO string, the one timestamp format of the database."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_database(path: str | Path | None) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, or in memory for None, and migrate it."""
    if path is None or str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        # WAL lets the console, the CLI and the bot read while one of them writes.
        db.enable_wal()
        # In WAL mode NORMAL is still safe against a killed process (only an OS crash can drop
        # the last commits) and spares an fsync on every question logged.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db)
    return db


@contextmanager
def atomic(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A (nestable) transaction: everything inside lands together or not at all."""
    with db.atomic():
        yield db


# -- key/value store, used by the Telegram persistence ------------------------------------------


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


# -- question log --------------------------------------------------------------------------------


def log_question(
    db: sqlite_utils.Database,
    *,
    question: str,
    lang: str,
    band: str,
    entry_id: str | None,
    score: float,
    channel: str,
) -> int:
    """Record one question, without any identity of who asked; returns its id."""
    # A plain prepared insert: this runs for every message, and the generic table API
    # re-inspects the schema each time.
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO question_log (asked_at, question, lang, band, entry_id, score, channel) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            # Long pastes are cut: the log is for reviewing questions, not storing documents.
            [now_iso(), question[:1000], lang, band, entry_id, round(score, 1), channel],
        )
    return int(cursor.lastrowid)


def record_feedback(
    db: sqlite_utils.Database, entry_id: str, value: int, question_id: int | None
) -> None:
    """Store a 👍 (+1) or 👎 (-1) for an entry."""
    with db.atomic():
        db["feedback"].insert(
            {"at": now_iso(), "entry_id": entry_id, "question_id": question_id, "value": value}
        )


# -- admin: audit trail, review queue, statistics -------------------------------------------------


def record_kb_change(
    db: sqlite_utils.Database,
    *,
    admin_id: int,
    entry_id: str,
    action: str,
    before: Any,
    after: Any,
) -> int:
    """Append one audited change (before/after as JSON); returns its id."""
    table = db["kb_changes"].insert(
        {
            "at": now_iso(),
            "admin_id": admin_id,
            "entry_id": entry_id,
            "action": action,
            "before": json.dumps(before, ensure_ascii=False),
            "after": json.dumps(after, ensure_ascii=False),
            "reverted_by": None,
        }
    )
    return int(table.last_pk)


def kb_changes(
    db: sqlite_utils.Database, entry_id: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Audited changes, newest first, of one entry or of all."""
    where, args = ("WHERE entry_id = ?", [entry_id]) if entry_id else ("", [])
    rows = db.execute(
        f"SELECT * FROM kb_changes {where} ORDER BY id DESC LIMIT ?",  # noqa: S608
        [*args, limit],
    )
    names = [d[0] for d in rows.description]
    return [dict(zip(names, row, strict=True)) for row in rows.fetchall()]


def last_kb_change_id(db: sqlite_utils.Database) -> int:
    """The id of the newest audited change, 0 when there is none."""
    return int(db.execute("SELECT coalesce(max(id), 0) FROM kb_changes").fetchone()[0])


def kb_entries_changed_since(db: sqlite_utils.Database, change_id: int) -> set[str]:
    """Ids of the entries admins changed after the change `change_id`."""
    rows = db.execute("SELECT DISTINCT entry_id FROM kb_changes WHERE id > ?", [change_id])
    return {row[0] for row in rows.fetchall()}


def entry_usage(db: sqlite_utils.Database, entry_id: str) -> tuple[int, int, int]:
    """(times answered, 👍, 👎) of one entry."""
    answered = db.execute(
        "SELECT count(*) FROM question_log WHERE entry_id = ? AND band = 'answer'", [entry_id]
    ).fetchone()[0]
    up, down = db.execute(
        "SELECT coalesce(sum(value > 0), 0), coalesce(sum(value < 0), 0) FROM feedback "
        "WHERE entry_id = ?",
        [entry_id],
    ).fetchone()
    return int(answered), int(up), int(down)


def review_questions(db: sqlite_utils.Database, limit: int = 3000) -> list[tuple]:
    """Recent questions to review: (question, lang, band, entry_id), newest first.

    Unanswered and "did you mean" questions, and answered questions that got a 👎 (band
    returned as 'thumbs_down', with the entry they were answered with).
    """
    return db.execute(
        "SELECT question, lang, band, entry_id FROM ("
        " SELECT id, question, lang, band, NULL AS entry_id FROM question_log"
        " WHERE band IN ('suggest', 'decline')"
        " UNION SELECT q.id, q.question, q.lang, 'thumbs_down', q.entry_id FROM question_log q"
        " JOIN feedback f ON f.question_id = q.id AND f.value < 0"
        ") ORDER BY id DESC LIMIT ?",
        [limit],
    ).fetchall()


def review_done_keys(db: sqlite_utils.Database) -> set[str]:
    """Keys of review-queue questions already handled (added, dismissed, made an entry)."""
    return {row[0] for row in db.execute("SELECT key FROM review_done").fetchall()}


def daily_bands(db: sqlite_utils.Database, since: str) -> list[tuple[str, str, int]]:
    """(day, band, questions) for questions asked on or after the ISO date `since`."""
    return db.execute(
        "SELECT substr(asked_at, 1, 10) AS day, band, count(*) FROM question_log"
        " WHERE asked_at >= ? GROUP BY day, band",
        [since],
    ).fetchall()


def answered_entries(db: sqlite_utils.Database, since: str) -> list[tuple[str, int]]:
    """(entry id, times answered) since the ISO date `since`, most answered first."""
    return db.execute(
        "SELECT entry_id, count(*) AS n FROM question_log WHERE asked_at >= ?"
        " AND band = 'answer' AND entry_id IS NOT NULL GROUP BY entry_id ORDER BY n DESC",
        [since],
    ).fetchall()


def feedback_totals(db: sqlite_utils.Database, since: str) -> tuple[int, int]:
    """(👍, 👎) given since the ISO date `since`."""
    up, down = db.execute(
        "SELECT coalesce(sum(value > 0), 0), coalesce(sum(value < 0), 0) FROM feedback"
        " WHERE at >= ?",
        [since],
    ).fetchone()
    return int(up), int(down)


def count_by_status(db: sqlite_utils.Database, table: str) -> dict[str, int] | None:
    """Rows of `table` per value of its `status` column; None when there is no such table."""
    if not db[table].exists() or "status" not in db[table].columns_dict:
        return None
    rows = db.execute(f"SELECT status, count(*) FROM [{table}] GROUP BY status")  # noqa: S608
    return {str(status): int(n) for status, n in rows.fetchall()}
