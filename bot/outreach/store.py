"""The outreach tables and every SQL statement on them.

What is kept, and why (the privacy page says the same):
  outreach_subscribers   the chat id of each subscribed chat, nothing else
  outreach_quiz_seen     which quiz questions a chat has seen in the current round
  outreach_series        a quiz series: chat, language, whether results are counted
  outreach_polls         each poll of a counted series: how many answered and how many were
                         right (counts only; never who answered or what they chose)
                         (a series and its polls go QUIZ_RETENTION_DAYS after it closed, or
                         after it started when it never closed: `purge_series_before`; a
                         chat's seen questions go with its last series)
  outreach_announcements an admin's announcement, its status and delivery counts
  outreach_reminders     which calendar reminders went out, so a restart never repeats one
  outreach_calendar      the calendar an admin uploaded (it replaces knowledge/calendar.yaml)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils
from sqlite_utils import Migrations

from bot.db import MIGRATION_SET

# The project's one migration set (bot/schema.py applies every feature's in order); the names
# carry the feature so they never collide with another store's.
migrations = Migrations(MIGRATION_SET)


@migrations()
def m005_outreach(db: sqlite_utils.Database) -> None:
    """Subscriptions, quiz progress and results, announcements, reminders sent."""
    db.table("outreach_subscribers").create({"chat_id": int}, pk="chat_id")
    db.table("outreach_quiz_seen").create(
        {"chat_id": int, "entry_id": str}, pk=("chat_id", "entry_id")
    )
    db.table("outreach_series").create(
        {
            "id": int,
            "chat_id": int,
            "private": int,  # 1: a private chat, scored after its last answer
            "lang": str,
            "counted": int,  # 1: non-anonymous polls whose answers are counted
            "total": int,
            "started_at": str,
            "closed_at": str,
        },
        pk="id",
    )
    db.table("outreach_polls").create(
        {
            "poll_id": str,
            "series_id": int,
            "position": int,
            "chat_id": int,
            "message_id": int,
            "entry_id": str,
            "correct": int,
            "answered": int,
            "right": int,
        },
        pk="poll_id",
        foreign_keys=[("series_id", "outreach_series", "id")],
    )
    db.table("outreach_polls").create_index(["series_id"])
    db.table("outreach_announcements").create(
        {
            "id": int,
            "created_at": str,
            "text": str,
            "status": str,  # draft, sending, sent, cancelled
            "sent": int,
            "failed": int,
            "removed": int,
            "finished_at": str,
        },
        pk="id",
    )
    db.table("outreach_reminders").create(
        {"key": str, "sent_at": str, "sent": int, "failed": int}, pk="key"
    )


@migrations()
def m006_outreach_live_calendar(db: sqlite_utils.Database) -> None:
    """The live calendar: an admin's upload, kept in the database like admins' KB edits."""
    db.table("outreach_calendar").create({"key": str, "text": str, "uploaded_at": str}, pk="key")


QUIZ_RETENTION_DAYS = 30  # a quiz series' chat id and counts, after it closed (or started)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class PollRecord:
    """One sent poll of a counted series."""

    poll_id: str
    series_id: int
    position: int
    chat_id: int
    message_id: int
    entry_id: str
    correct: int
    answered: int
    right: int


@dataclass(frozen=True)
class Series:
    """A quiz series."""

    id: int
    chat_id: int
    private: bool
    lang: str
    counted: bool
    total: int
    closed: bool


@dataclass(frozen=True)
class Announcement:
    """An admin's announcement."""

    id: int
    text: str
    status: str
    sent: int
    failed: int
    removed: int


# -- subscriptions -------------------------------------------------------------------------------


def subscribe(db: sqlite_utils.Database, chat_id: int) -> bool:
    """Subscribe a chat; False when it already was."""
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO outreach_subscribers (chat_id) VALUES (?)", [chat_id]
        )
    return cursor.rowcount == 1


def unsubscribe(db: sqlite_utils.Database, chat_id: int) -> bool:
    """End a chat's subscription; False when it had none."""
    with db.atomic():
        cursor = db.execute("DELETE FROM outreach_subscribers WHERE chat_id = ?", [chat_id])
    return cursor.rowcount == 1


def subscribers(db: sqlite_utils.Database) -> list[int]:
    """Every subscribed chat id, in a stable order."""
    return [r[0] for r in db.execute("SELECT chat_id FROM outreach_subscribers ORDER BY chat_id")]


def is_subscribed(db: sqlite_utils.Database, chat_id: int) -> bool:
    """True when the chat is subscribed."""
    row = db.execute("SELECT 1 FROM outreach_subscribers WHERE chat_id = ?", [chat_id]).fetchone()
    return row is not None


# -- quiz progress -------------------------------------------------------------------------------


def seen(db: sqlite_utils.Database, chat_id: int) -> set[str]:
    """Questions the chat has seen in its current round."""
    rows = db.execute("SELECT entry_id FROM outreach_quiz_seen WHERE chat_id = ?", [chat_id])
    return {r[0] for r in rows}


def mark_seen(
    db: sqlite_utils.Database, chat_id: int, entry_ids: list[str], new_round: bool
) -> None:
    """Record questions as seen; `new_round` first forgets the finished round."""
    with db.atomic():
        if new_round:
            db.execute("DELETE FROM outreach_quiz_seen WHERE chat_id = ?", [chat_id])
        for eid in entry_ids:
            db.execute(
                "INSERT OR IGNORE INTO outreach_quiz_seen (chat_id, entry_id) VALUES (?, ?)",
                [chat_id, eid],
            )


def start_series(
    db: sqlite_utils.Database, chat_id: int, private: bool, lang: str, counted: bool, total: int
) -> int:
    """Open a series; returns its id."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO outreach_series (chat_id, private, lang, counted, total, started_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [chat_id, int(private), lang, int(counted), total, _now()],
        )
    return int(cursor.lastrowid or 0)


def series(db: sqlite_utils.Database, series_id: int) -> Series | None:
    """One series, or None."""
    row = db.execute(
        "SELECT id, chat_id, private, lang, counted, total, closed_at FROM outreach_series "
        "WHERE id = ?",
        [series_id],
    ).fetchone()
    if row is None:
        return None
    return Series(row[0], row[1], bool(row[2]), row[3], bool(row[4]), row[5], bool(row[6]))


def close_series(db: sqlite_utils.Database, series_id: int) -> bool:
    """Close a series; False when it was already closed (a second press shows nothing new)."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE outreach_series SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
            [_now(), series_id],
        )
    return cursor.rowcount == 1


def add_poll(db: sqlite_utils.Database, record: PollRecord) -> None:
    """Remember a sent poll of a counted series."""
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO outreach_polls (poll_id, series_id, position, chat_id, "
            "message_id, entry_id, correct, answered, right) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)",
            [
                record.poll_id,
                record.series_id,
                record.position,
                record.chat_id,
                record.message_id,
                record.entry_id,
                record.correct,
            ],
        )


_POLL_COLUMNS = (
    "poll_id, series_id, position, chat_id, message_id, entry_id, correct, answered, right"
)


def polls(db: sqlite_utils.Database, series_id: int) -> list[PollRecord]:
    """The polls of a series, in the order they were sent."""
    rows = db.execute(
        f"SELECT {_POLL_COLUMNS} FROM outreach_polls WHERE series_id = ? ORDER BY position",
        [series_id],
    )
    return [PollRecord(*row) for row in rows]


def count_answer(db: sqlite_utils.Database, poll_id: str, option_ids: list[int]) -> int | None:
    """Count one answer to a poll; returns the poll's series id, or None for an unknown poll.

    Quiz votes cannot be changed, so each update is one person's one answer. A retracted vote
    (no options) counts nothing.
    """
    with db.atomic():
        row = db.execute(
            "SELECT series_id, correct FROM outreach_polls WHERE poll_id = ?", [poll_id]
        ).fetchone()
        if row is None:
            return None
        if option_ids:
            right = int(option_ids[0] == row[1])
            db.execute(
                "UPDATE outreach_polls SET answered = answered + 1, right = right + ? "
                "WHERE poll_id = ?",
                [right, poll_id],
            )
    return int(row[0])


def purge_series_before(db: sqlite_utils.Database, cutoff: str) -> int:
    """Delete the quiz series closed before the ISO time `cutoff`, and those never closed that
    started before it (anonymous ones never close; a counted one left open is abandoned), with
    their polls; a chat left with no series also loses the questions it has seen, so no chat id
    outlives its quizzes. Returns how many series went."""
    old = "SELECT id FROM outreach_series WHERE coalesce(closed_at, started_at) < ?"
    with db.atomic():
        db.execute(f"DELETE FROM outreach_polls WHERE series_id IN ({old})", [cutoff])
        cursor = db.execute(f"DELETE FROM outreach_series WHERE id IN ({old})", [cutoff])
        db.execute(
            "DELETE FROM outreach_quiz_seen "
            "WHERE chat_id NOT IN (SELECT chat_id FROM outreach_series)"
        )
    return int(cursor.rowcount)


# -- announcements -------------------------------------------------------------------------------


def add_announcement(db: sqlite_utils.Database, text: str) -> int:
    """Keep an announcement as a draft until an admin confirms it; returns its id."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO outreach_announcements (created_at, text, status, sent, failed, removed) "
            "VALUES (?, ?, 'draft', 0, 0, 0)",
            [_now(), text],
        )
    return int(cursor.lastrowid or 0)


def announcement(db: sqlite_utils.Database, announcement_id: int) -> Announcement | None:
    """One announcement, or None."""
    row = db.execute(
        "SELECT id, text, status, sent, failed, removed FROM outreach_announcements WHERE id = ?",
        [announcement_id],
    ).fetchone()
    return Announcement(*row) if row else None


def claim_announcement(db: sqlite_utils.Database, announcement_id: int, status: str) -> bool:
    """Move a draft to `status` (sending or cancelled); False when it is no longer a draft.

    Two presses of Send deliver once: only the first finds the draft.
    """
    with db.atomic():
        cursor = db.execute(
            "UPDATE outreach_announcements SET status = ? WHERE id = ? AND status = 'draft'",
            [status, announcement_id],
        )
    return cursor.rowcount == 1


def finish_announcement(
    db: sqlite_utils.Database, announcement_id: int, sent: int, failed: int, removed: int
) -> None:
    """Record how the delivery went."""
    with db.atomic():
        db.execute(
            "UPDATE outreach_announcements SET status = 'sent', sent = ?, failed = ?, "
            "removed = ?, finished_at = ? WHERE id = ?",
            [sent, failed, removed, _now(), announcement_id],
        )


# -- reminders -----------------------------------------------------------------------------------


def reminders_sent(db: sqlite_utils.Database) -> set[str]:
    """Keys of every reminder already claimed."""
    return {r[0] for r in db.execute("SELECT key FROM outreach_reminders")}


def claim_reminder(db: sqlite_utils.Database, key: str) -> bool:
    """Claim a reminder before sending it; False when it was already claimed.

    At most once: a crash in the middle of a delivery loses the rest rather than repeating it.
    """
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO outreach_reminders (key, sent_at, sent, failed) "
            "VALUES (?, ?, 0, 0)",
            [key, _now()],
        )
    return cursor.rowcount == 1


def finish_reminder(db: sqlite_utils.Database, key: str, sent: int, failed: int) -> None:
    """Record how a reminder's delivery went."""
    with db.atomic():
        db.execute(
            "UPDATE outreach_reminders SET sent = ?, failed = ? WHERE key = ?", [sent, failed, key]
        )


# -- the live calendar ---------------------------------------------------------------------------


def live_calendar(db: sqlite_utils.Database) -> tuple[str, str] | None:
    """The uploaded calendar's YAML and when it was uploaded, or None (the file is used)."""
    row = db.execute(
        "SELECT text, uploaded_at FROM outreach_calendar WHERE key = 'live'"
    ).fetchone()
    return (row[0], row[1]) if row else None


def save_live_calendar(db: sqlite_utils.Database, text: str) -> None:
    """Keep an admin's validated calendar as the live one."""
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO outreach_calendar (key, text, uploaded_at) "
            "VALUES ('live', ?, ?)",
            [text, _now()],
        )
