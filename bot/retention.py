"""Retention outside tips: the question log, ratings, handled review items, quiz series.

`QUESTION_LOG_RETENTION_DAYS` after a question was asked, its text, its ratings and any review
record holding it are deleted and the file vacuumed, so the bytes leave the disk too. A quiz
series (a chat id, its language, counts per question) goes `QUIZ_RETENTION_DAYS` after it was
closed. Run daily by the bot; tips have their own retention (`bot.tips.desk.TipDesk.purge`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from bot.answering import store as answering_store
from bot.config import Settings
from bot.curation import store as curation_store
from bot.db import vacuum
from bot.outreach import store as outreach_store


def purge_questions(
    db: sqlite_utils.Database, settings: Settings, now: datetime | None = None
) -> int:
    """Delete questions (with ratings and review records) past their retention; returns how
    many questions were deleted."""
    now = now or datetime.now(UTC)
    cutoff = (now - timedelta(days=settings.question_log_retention_days)).isoformat(
        timespec="seconds"
    )
    questions = answering_store.purge_before(db, cutoff)
    reviewed = curation_store.purge_done_before(db, cutoff)
    if questions or reviewed:
        vacuum(db)
    return questions


def purge_quizzes(db: sqlite_utils.Database, now: datetime | None = None) -> int:
    """Delete quiz series (with their polls) closed more than QUIZ_RETENTION_DAYS ago, or
    started that long ago and never closed; returns how many series were deleted."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=outreach_store.QUIZ_RETENTION_DAYS)
    deleted = outreach_store.purge_series_before(db, cutoff.isoformat(timespec="seconds"))
    if deleted:
        vacuum(db)
    return deleted
