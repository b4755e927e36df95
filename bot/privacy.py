"""/privasi: what the bot stores, where, and for how long, from one inventory of the database.

Every table belongs to exactly one stored item below, and every item has its paragraph, with
its retention, in `bot/ui/templates/<lang>/privacy.j2`. A test walks the live schema and fails
when a table is not in the inventory, so a new table cannot appear without /privasi saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.outreach.store import QUIZ_RETENTION_DAYS
from bot.ui.render import Renderer
from bot.ui.views import View


@dataclass(frozen=True)
class Stored:
    """One kind of stored data: its paragraph in the template and the tables that hold it."""

    key: str
    tables: tuple[str, ...]


INVENTORY = (
    Stored("questions", ("question_log",)),
    Stored("feedback", ("feedback",)),
    # kv: the language choice (python-telegram-bot's user_data) and conversation positions.
    Stored("settings", ("kv",)),
    Stored("drafts", ("report_drafts",)),
    Stored("tips", ("reports", "report_history")),
    Stored("receipts", ("report_receipts",)),
    Stored("quota", ("report_quota",)),
    Stored("bans", ("report_bans",)),
    Stored("admins", ("kb_changes", "review_done")),
    Stored("subscriptions", ("outreach_subscribers",)),
    Stored("quizzes", ("outreach_quiz_seen", "outreach_series", "outreach_polls")),
    Stored("outreach", ("outreach_announcements", "outreach_reminders", "outreach_calendar")),
    Stored(
        "knowledge",
        ("topics", "sources", "source_items", "entries", "phrasings", "kb_state"),
    ),
    Stored("internal", ("_sqlite_migrations",)),
)


def covered_tables() -> set[str]:
    """Every table /privasi accounts for."""
    return {table for item in INVENTORY for table in item.tables}


def privacy_view(
    renderer: Renderer, settings: Settings, lang: str, items: tuple[Stored, ...] = INVENTORY
) -> View:
    """The /privasi page: each stored item with its retention, from the live settings."""
    text = renderer.render(
        "privacy",
        lang,
        items=[item.key for item in items],
        question_days=settings.question_log_retention_days,
        report_days=settings.report_retention_days,
        draft_minutes=settings.conversation_timeout_minutes,
        per_day=settings.reports_per_day,
        quiz_days=QUIZ_RETENTION_DAYS,
    )
    return View(text, lang=lang)
