"""The admins' side of tips: lists, one tip opened, status changes, CSV export, retention.

Views for `/laporan` in Telegram and the functions behind `python bot.py reports ...`.
Contents are decrypted only here and only on request.
"""

from __future__ import annotations

import csv
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from bot.answering.answers import Answers
from bot.config import Settings
from bot.kb.categories import OTHER
from bot.tips.records import CLOSED, STATUSES, Report
from bot.tips.store import TipStore, day_of
from bot.ui import actions
from bot.ui.views import Button, View

LIST_LIMIT = 30


class TipDesk:
    """Admin use cases over the tips of one store."""

    def __init__(self, store: TipStore, answers: Answers, settings: Settings) -> None:
        self.store, self.answers, self.settings = store, answers, settings
        self.r = answers.renderer

    def categories(self) -> list[str]:
        """The report categories a reporter chooses from, "lainnya" last.

        From `knowledge/report_categories.yaml`; a database compiled before that file existed
        offers the topics instead.
        """
        kb = self.answers.kb
        found = list(kb.report_categories) or list(kb.topics)
        return [c for c in found if c != OTHER] + [OTHER]

    def category_title(self, category: str, lang: str) -> str:
        """A category's title (tips filed under a topic id show the topic's title)."""
        kb = self.answers.kb
        if found := kb.report_categories.get(category):
            return found.title[lang]
        topic = kb.topics.get(category)
        return topic.title[lang] if topic else self.r.label("report_other", lang)

    # -- views for /laporan --------------------------------------------------------------------

    def _status_label(self, status: str, lang: str) -> str:
        return self.r.label(f"report_status_{status}", lang)

    def note_view(self, kind: str, lang: str, ticket: str = "", status: str = "") -> View:
        """Short admin messages: ask for a note, saved, cancelled, unknown, refused, private."""
        label = self._status_label(status, lang) if status in STATUSES else ""
        text = self.r.render("admin_reports_note", lang, kind=kind, ticket=ticket, status=label)
        rows = []
        if kind == "ask":
            no_note = self.r.label("report_admin_no_note", lang)
            rows = [[Button(no_note, actions.DESK_NO_NOTE(ticket, status))]]
        return View(text, rows, lang=lang)

    def overview_view(self, lang: str) -> View:
        """Counts per status, each a button that lists its tickets."""
        counts = self.store.counts()
        items = [
            {"status": s, "label": self._status_label(s, lang), "count": counts.get(s, 0)}
            for s in STATUSES
        ]
        text = self.r.render("admin_reports_list", lang, status="", counts=items, tickets=[])
        buttons = [
            Button(f"{i['label']} ({i['count']})", actions.DESK_LIST(i["status"])) for i in items
        ]
        return View(text, [buttons[i : i + 2] for i in range(0, len(buttons), 2)], lang=lang)

    def list_view(self, status: str, lang: str) -> View:
        """The newest tickets with one status, each a button that opens it."""
        if status not in STATUSES:
            return self.overview_view(lang)
        tickets = self.tickets(status, limit=LIST_LIMIT)
        for t in tickets:
            t["category"] = self.category_title(t["category"], lang)
        text = self.r.render(
            "admin_reports_list",
            lang,
            status=self._status_label(status, lang),
            counts=[],
            tickets=tickets,
        )
        rows = [[Button(t["ticket"], actions.DESK_OPEN(t["ticket"]))] for t in tickets]
        rows.append([Button(self.r.label("report_admin_home", lang), actions.DESK_HOME())])
        return View(text, rows, lang=lang)

    def show_view(self, ticket: str, lang: str) -> View:
        """One tip decrypted, its history, and buttons to change its status or see evidence."""
        rep = self.get(ticket)
        if rep is None:
            return self.note_view("unknown", lang)
        history = [{**h, "status": self._status_label(h["status"], lang)} for h in rep.history]
        text = self.r.render(
            "admin_reports_show",
            lang,
            r=rep,
            status=self._status_label(rep.status, lang),
            category=self.category_title(rep.category, lang),
            history=history,
        )
        choices = [
            Button(self._status_label(s, lang), actions.DESK_STATUS(ticket, s))
            for s in STATUSES
            if s != rep.status
        ]
        rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
        if rep.evidence:
            label = self.r.label("report_admin_evidence", lang, n=len(rep.evidence))
            rows.append([Button(label, actions.DESK_EVIDENCE(ticket))])
        rows.append([Button(self.r.label("back", lang), actions.DESK_LIST(rep.status))])
        return View(text, rows, lang=lang)

    def get(self, ticket: str) -> Report | None:
        """One tip, decrypted, with its history (None when unknown)."""
        return self.store.get(ticket)

    def evidence(self, ticket: str) -> list[dict]:
        """The evidence files of a tip (kind, file_id, ...), to send back to an admin."""
        rep = self.get(ticket)
        return rep.evidence if rep else []

    # -- status, export, retention -------------------------------------------------------------

    def tickets(self, status: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Tickets (newest first) with category, status and dates only: no decryption."""
        return self.store.tickets(status, limit)

    def set_status(self, ticket: str, status: str, note: str = "") -> Report | None:
        """Change a tip's status with an optional note for the reporter; history keeps all."""
        if status not in STATUSES or self.store.get(ticket) is None:
            return None
        self.store.set_status(ticket, status, status in CLOSED, note.strip()[:1000])
        return self.store.get(ticket)

    def ban(self, user_id: int) -> None:
        """Refuse future tips from this Telegram user (stored as a keyed hash only)."""
        self.store.ban(self.store.require_vault().user_ref(user_id))

    def export_csv(self, out: IO[str]) -> int:
        """Every tip, decrypted, as CSV for the official channels; returns the row count."""
        fields = ["ticket", "category", "status", "created_at", "updated_at", "closed_at"]
        fields += ["what", "who", "where", "when", "contact", "evidence", "history"]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        n = 0
        for row in reversed(self.tickets()):
            rep = self.store.get(row["ticket"])
            if rep is None:
                continue
            rec = asdict(rep)
            rec["evidence"] = " ".join(f"{e['kind']}:{e['file_id']}" for e in rep.evidence)
            rec["history"] = " | ".join(
                f"{h['at']} {h['status']}" + (f": {h['note']}" if h["note"] else "")
                for h in rep.history
            )
            writer.writerow(rec)
            n += 1
        return n

    def purge(self) -> int:
        """Delete tips closed more than REPORT_RETENTION_DAYS ago, day counts and receipts of
        past days and drafts idle past the timeout; then vacuum so their bytes leave the file.
        Returns the number of tips deleted."""
        now = datetime.now(UTC)
        cutoff = day_of(now - timedelta(days=self.settings.report_retention_days))
        idle = now - timedelta(minutes=self.settings.conversation_timeout_minutes)
        return self.store.purge(cutoff, day_of(now), idle)
