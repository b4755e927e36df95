"""Filing a finished draft, once: the day's limit, a fresh ticket, the receipt. No Telegram types.

The tip, its history, the day's count and a receipt are written with the draft deleted, in one
transaction (`TipStore.file`). The receipt is found only through the Send button's random code,
so a repeated Send answers with the same ticket and nothing links the receipt to the reporter.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.tips.records import END, TICKET_ALPHABET, Draft, Reply
from bot.tips.screens import ReporterScreens
from bot.tips.store import TipStore
from bot.ui import actions
from bot.ui.actions import Action
from bot.ui.render import Renderer
from bot.ui.views import View


class Filing:
    """The filing side of the reporter's flow: limits, tickets, receipts, the filed tip."""

    def __init__(
        self,
        store: TipStore,
        settings: Settings,
        renderer: Renderer,
        screens: ReporterScreens,
        category_title: Callable[[str, str], str],
        now: Callable[[], datetime],
    ) -> None:
        self.store, self.settings, self.r, self.screens = store, settings, renderer, screens
        self.category_title, self.now = category_title, now

    def used_today(self, user_id: int) -> int:
        """How many tips the user filed today (by a keyed hash of user and day)."""
        return self.store.used(self.store.require_vault().day_ref(user_id, self.now().date()))

    def receipt(self, action: Action | None) -> str:
        """The ticket a Send button (`rp:send:<code>`) filed, or ''."""
        vault = self.store.vault
        if action is None or action.spec is not actions.TIP_SEND or vault is None:
            return ""
        code = action["code"]
        return self.store.receipt(vault.receipt_ref(code)) if code else ""

    def submit(self, ref: str, user_id: int, draft: Draft, lang: str) -> Reply:
        """File the draft once: the tip, its history, the day's count and a receipt, with the
        draft deleted, in one transaction."""
        vault = self.store.require_vault()
        if self.used_today(user_id) >= self.settings.reports_per_day:
            return self.screens.closed("limit", lang, limit=self.settings.reports_per_day)
        content: dict[str, Any] = {
            f: getattr(draft, f) for f in ("what", "who", "where", "when", "contact")
        }
        content["evidence"] = draft.evidence
        now = self.now()
        ticket = self._new_ticket()
        nonce = draft.nonce or secrets.token_urlsafe(9)
        refs = (ref, vault.day_ref(user_id, now.date()), vault.receipt_ref(nonce))
        self.store.file(ticket, draft.category or "lainnya", content, refs, now.date())
        category = self.category_title(draft.category or "lainnya", "id")
        at = now.isoformat(timespec="minutes")  # told to the admins, never stored
        admin = self.r.render("admin_reports_new", "id", ticket=ticket, category=category, at=at)
        reply = self.screens.done(ticket, lang)
        return Reply(reply.view, END, View(admin, lang="id"))

    def _new_ticket(self) -> str:
        while True:
            raw = "".join(secrets.choice(TICKET_ALPHABET) for _ in range(8))
            ticket = f"NTR-{raw[:4]}-{raw[4:]}"
            if not self.store.ticket_taken(ticket):
                return ticket
