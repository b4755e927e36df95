"""The answering feature's tables: the question log (what is asked, never who) and feedback.

Every SQL statement on `question_log` and `feedback` is here, including the read-outs the
curation side needs (usage of an entry, the review queue's sources, the statistics).
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from bot.db import MIGRATION_SET, now_iso

migrations = Migrations(MIGRATION_SET)


@migrations()
def m002_usage(db: sqlite_utils.Database) -> None:
    """What users ask (never who) and their feedback."""
    db.table("question_log").create(
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
    db.table("question_log").create_index(["asked_at"])
    db.table("feedback").create(
        {"id": int, "at": str, "entry_id": str, "question_id": int, "value": int}, pk="id"
    )


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
    return int(cursor.lastrowid or 0)


def purge_before(db: sqlite_utils.Database, cutoff: str) -> int:
    """Delete questions asked, and ratings given, before the ISO time `cutoff`; returns how
    many questions went. The caller vacuums, so the texts leave the file."""
    with db.atomic():
        questions = db.execute("DELETE FROM question_log WHERE asked_at < ?", [cutoff]).rowcount
        db.execute("DELETE FROM feedback WHERE at < ?", [cutoff])
    return int(questions)


def record_feedback(
    db: sqlite_utils.Database, entry_id: str, value: int, question_id: int | None
) -> None:
    """Store a 👍 (+1) or 👎 (-1) for an entry."""
    with db.atomic():
        db.table("feedback").insert(
            {"at": now_iso(), "entry_id": entry_id, "question_id": question_id, "value": value}
        )


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


def review_questions(
    db: sqlite_utils.Database, limit: int = 3000
) -> list[tuple[str, str, str, str | None]]:
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


def bands_by_minute(db: sqlite_utils.Database, since: str) -> list[tuple[str, str, int]]:
    """(UTC minute as "YYYY-MM-DDTHH:MM", band, questions) for questions asked at or after the
    UTC ISO moment `since`. Minutes, not days, so a caller can count days in any time zone
    (some are offset by half or three quarters of an hour) in one query."""
    return db.execute(
        "SELECT substr(asked_at, 1, 16) AS minute, band, count(*) FROM question_log"
        " WHERE asked_at >= ? GROUP BY minute, band",
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
