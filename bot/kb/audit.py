"""The audit trail of knowledge-base changes (`kb_changes`): every admin edit, before and after.

Every SQL statement on `kb_changes` is here; `bot.curation.editor` writes through it.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from bot.db import MIGRATION_SET, now_iso

migrations = Migrations(MIGRATION_SET)


@migrations()
def m004_admin(db: sqlite_utils.Database) -> None:
    """Admin edits of the knowledge base: one row per change of one entry."""
    db.table("kb_changes").create(
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
    db.table("kb_changes").create_index(["entry_id"])


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
    table = db.table("kb_changes").insert(
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
    return int(table.last_pk or 0)


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


def kb_change(db: sqlite_utils.Database, change_id: int) -> dict[str, Any] | None:
    """One audited change by id, or None."""
    rows = db.execute("SELECT * FROM kb_changes WHERE id = ?", [change_id])
    names = [d[0] for d in rows.description]
    row = rows.fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def mark_reverted(db: sqlite_utils.Database, change_id: int, by: int) -> None:
    """Record that change `by` undid change `change_id`."""
    db.execute("UPDATE kb_changes SET reverted_by = ? WHERE id = ?", [by, change_id])


def last_kb_change_id(db: sqlite_utils.Database) -> int:
    """The id of the newest audited change, 0 when there is none."""
    return int(db.execute("SELECT coalesce(max(id), 0) FROM kb_changes").fetchone()[0])


def kb_entries_changed_since(db: sqlite_utils.Database, change_id: int) -> set[str]:
    """Ids of the entries admins changed after the change `change_id`."""
    rows = db.execute("SELECT DISTINCT entry_id FROM kb_changes WHERE id > ?", [change_id])
    return {row[0] for row in rows.fetchall()}
