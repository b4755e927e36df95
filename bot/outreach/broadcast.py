"""Messages to every subscriber: admins' announcements and the election calendar's reminders.

Delivery goes through a `send` function the front end supplies (Telegram's, with its rate
limiter, or a test's); it reports each chat as sent, blocked or failed. A chat that blocked the
bot, left or was deleted is unsubscribed on the spot: it would fail every time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils
from markupsafe import Markup

from bot.answering.answers import Answers
from bot.outreach import store
from bot.outreach.calendar import Calendar, CalendarError, Reminder, calendar_from_text, plan
from bot.ui import actions
from bot.ui.render import Renderer
from bot.ui.views import Button, View

log = logging.getLogger(__name__)
SENT, BLOCKED, FAILED = "sent", "blocked", "failed"
Send = Callable[[int, View], Awaitable[str]]
MAX_PROBLEMS = 8  # problems listed when an uploaded calendar is refused
# An announcement is sent as one message: its text plus the header and footer stay under
# Telegram's 4,096 characters.
MAX_ANNOUNCEMENT = 3500


@dataclass(frozen=True)
class Delivery:
    """How a broadcast went."""

    sent: int
    failed: int
    removed: int


class Broadcasts:
    """Announcements and reminders to subscribers."""

    def __init__(self, db: sqlite_utils.Database, answers: Answers, calendar: Calendar | None):
        self.db = db
        self.answers = answers
        self.calendar = calendar

    @property
    def r(self) -> Renderer:
        return self.answers.renderer

    async def broadcast(self, view: View, send: Send) -> Delivery:
        """Send one view to every subscriber, one chat after another."""
        sent = failed = removed = 0
        for chat_id in store.subscribers(self.db):
            outcome = await send(chat_id, view)
            if outcome == SENT:
                sent += 1
                continue
            failed += 1
            if outcome == BLOCKED:
                store.unsubscribe(self.db, chat_id)
                removed += 1
        return Delivery(sent, failed, removed)

    # -- announcements ---------------------------------------------------------------------------

    def preview(self, text: str, lang: str) -> View:
        """/umumkan TEXT: the message as subscribers will see it, with Send and Cancel."""
        text = text.strip()
        if not text or len(text) > MAX_ANNOUNCEMENT:
            return View(
                self.r.render("outreach_announce_usage", lang, limit=MAX_ANNOUNCEMENT, text=text),
                lang=lang,
            )
        announcement_id = store.add_announcement(self.db, text)
        count = len(store.subscribers(self.db))
        text = self.r.render(
            "outreach_announce_preview",
            lang,
            # Already rendered (and escaped) HTML: shown exactly as subscribers will see it.
            message=Markup(self.announcement_view(announcement_id, lang).text),
            count=count,
        )
        rows = [
            [
                Button(
                    self.r.label("outreach_send", lang, n=count),
                    actions.ANNOUNCE_SEND(announcement_id),
                ),
                Button(
                    self.r.label("outreach_cancel", lang), actions.ANNOUNCE_CANCEL(announcement_id)
                ),
            ]
        ]
        return View(text, rows, lang=lang)

    def announcement_view(self, announcement_id: int, lang: str) -> View:
        """What subscribers receive: the admin's text under a header (in the admin's language),
        with how to stop."""
        found = store.announcement(self.db, announcement_id)
        text = found.text if found else ""
        return View(self.r.render("outreach_announcement", lang, text=text), lang=lang)

    def cancel(self, announcement_id: int, lang: str) -> View:
        """Drop a draft (nothing is sent)."""
        done = store.claim_announcement(self.db, announcement_id, "cancelled")
        return View(
            self.r.render("outreach_announce_report", lang, kind="cancelled" if done else "gone"),
            lang=lang,
        )

    async def deliver(self, announcement_id: int, lang: str, send: Send) -> View:
        """Send a confirmed draft to every subscriber once; report sent / failed to the admin."""
        if not store.claim_announcement(self.db, announcement_id, "sending"):
            return View(self.r.render("outreach_announce_report", lang, kind="gone"), lang=lang)
        view = self.announcement_view(announcement_id, lang)
        delivery = await self.broadcast(view, send)
        store.finish_announcement(
            self.db, announcement_id, delivery.sent, delivery.failed, delivery.removed
        )
        log.info(
            "announcement %s: %s sent, %s failed, %s removed",
            announcement_id,
            delivery.sent,
            delivery.failed,
            delivery.removed,
        )
        text = self.r.render(
            "outreach_announce_report",
            lang,
            kind="sent",
            sent=delivery.sent,
            failed=delivery.failed,
            removed=delivery.removed,
        )
        return View(text, lang=lang)

    # -- reminders -------------------------------------------------------------------------------

    def plan(self, now: datetime) -> list[tuple[Reminder, float]]:
        """Reminders still to send at `now` (aware), with the seconds to wait for each."""
        if self.calendar is None:
            return []
        return plan(self.calendar, store.reminders_sent(self.db), now)

    def reminder_view(self, reminder: Reminder) -> View:
        """A reminder in both languages (only the chat id is stored, so not its language)."""
        assert self.calendar is not None
        rule = self.calendar.rules[reminder.period]
        kb = self.answers.kb
        parts = []
        for lang in ("id", "en"):
            entries = [
                {
                    "verdict": self.r.label(f"verdict_{kb.entries[e].verdict}", lang),
                    "title": kb.entries[e].title[lang],
                }
                for e in rule.entries
                if e in kb.entries
            ]
            parts.append(
                self.r.render(
                    "outreach_reminder",
                    lang,
                    period=reminder.period,
                    title=rule.title[lang],
                    election=reminder.election.name[lang],
                    start=reminder.span.start,
                    end=reminder.span.end,
                    source=reminder.span.source,
                    basis=(rule.basis or {}).get(lang, "") if reminder.span.derived else "",
                    entries=entries,
                )
            )
        return View("\n\n".join(parts), lang="id")

    async def send_reminder(self, key: str, send: Send) -> Delivery | None:
        """Send one reminder to every subscriber, at most once; None if already sent or unknown."""
        if self.calendar is None:
            return None
        reminder = next((r for r in self.calendar.reminders() if r.key == key), None)
        if reminder is None or not store.claim_reminder(self.db, key):
            return None
        delivery = await self.broadcast(self.reminder_view(reminder), send)
        store.finish_reminder(self.db, key, delivery.sent, delivery.failed)
        log.info("reminder %s: %s sent, %s failed", key, delivery.sent, delivery.failed)
        return delivery

    def upload_calendar(self, data: bytes, lang: str, now: datetime) -> View:
        """An admin's calendar file: validated, then live (replacing the shipped file) at once.

        A refused file changes nothing and the reply names every problem; an accepted one lists
        the reminders still to come (the caller plans them).
        """
        try:
            text = data.decode("utf-8")
            calendar = calendar_from_text(text, self.answers.kb)
        except UnicodeDecodeError:
            problems = ["calendar.yaml: not UTF-8 text"]
        except CalendarError as exc:
            problems = exc.problems
        else:
            store.save_live_calendar(self.db, text)
            self.calendar = calendar
            upcoming = [
                {
                    "when": r.starts.strftime("%Y-%m-%d %H:%M"),
                    "zone": r.election.zone,
                    "period": calendar.rules[r.period].title[lang],
                    "election": r.election.name[lang],
                }
                for r, _ in self.plan(now)
            ]
            text = self.r.render(
                "outreach_calendar_upload",
                lang,
                ok=True,
                elections=len(calendar.elections),
                upcoming=upcoming,
            )
            return View(text, lang=lang)
        text = self.r.render(
            "outreach_calendar_upload",
            lang,
            ok=False,
            problems=problems[:MAX_PROBLEMS],
            more=max(0, len(problems) - MAX_PROBLEMS),
        )
        return View(text, lang=lang)
