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


def kv_delete_namespace(db: sqlite_utils.Database, namespace: str) -> None:
    """Drop every key of a namespace."""
    with db.atomic():
        db.execute("DELETE FROM kv WHERE namespace = ?", [namespace])


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
    with db.atomic():
        table = db["question_log"].insert(
            {
                "asked_at": now_iso(),
                # Long pastes are cut: the log is for reviewing questions, not storing documents.
                "question": question[:1000],
                "lang": lang,
                "band": band,
                "entry_id": entry_id,
                "score": round(score, 1),
                "channel": channel,
            }
        )
    return int(table.last_pk)


def record_feedback(
    db: sqlite_utils.Database, entry_id: str, value: int, question_id: int | None
) -> None:
    """Store a 👍 (+1) or 👎 (-1) for an entry."""
    with db.atomic():
        db["feedback"].insert(
            {"at": now_iso(), "entry_id": entry_id, "question_id": question_id, "value": value}
        )
