"""The curation feature's table: review-queue questions already handled (`review_done`)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils
from sqlite_utils import Migrations

from bot.db import MIGRATION_SET, now_iso

migrations = Migrations(MIGRATION_SET)


@migrations()
def m004_review(db: sqlite_utils.Database) -> None:
    """Review-queue questions handled (added, dismissed, made an entry)."""
    # Created by m004_admin before the tables were split per feature: tolerate it.
    db.table("review_done").create(
        {"key": str, "at": str, "admin_id": int, "action": str, "question": str},
        pk="key",
        if_not_exists=True,
    )


def review_done_keys(db: sqlite_utils.Database) -> set[str]:
    """Keys of review-queue questions already handled (added, dismissed, made an entry)."""
    return {row[0] for row in db.execute("SELECT key FROM review_done").fetchall()}


def mark_done(
    db: sqlite_utils.Database, admin_id: int, action: str, questions: Iterable[tuple[str, str]]
) -> None:
    """Take questions, given as (key, text), out of the review queue for good."""
    at = now_iso()
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO review_done (key, at, admin_id, action, question) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET at = excluded.at, admin_id = excluded.admin_id,"
            " action = excluded.action, question = excluded.question",
            [(key, at, admin_id, action, text) for key, text in questions],
        )


def purge_done_before(db: sqlite_utils.Database, cutoff: str) -> int:
    """Forget review-queue questions handled before the ISO time `cutoff` (their texts too).

    The questions themselves left the question log by then (the same retention), so they
    cannot come back into the queue.
    """
    with db.atomic():
        return int(db.execute("DELETE FROM review_done WHERE at < ?", [cutoff]).rowcount)
