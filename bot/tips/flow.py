"""Confidential tips: the guided draft, tickets, status history, retention. No Telegram types.

Every step of a draft is written (sealed) to `report_drafts` before the step is confirmed, so a
crash loses nothing the reporter was told was saved. The draft is keyed by the reporter's keyed
hash and holds its own step: after a restart the conversation follows the draft. Once sent it
holds its ticket, so a second "Send" answers with the same ticket instead of filing twice.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from bot.answering.answers import Answers
from bot.config import Settings
from bot.db import atomic
from bot.tips.desk import TipDesk
from bot.tips.records import (
    CATEGORIES,
    DOCUMENT_TYPES,
    EDITABLE,
    END,
    LIMITS,
    MAX_FILE_MB,
    MAX_FILES,
    SKIPPABLE,
    STEPS,
    TEXT_FIELDS,
    TICKET_ALPHABET,
    Draft,
    Evidence,
    Incoming,
    Reply,
    Report,
    check_date,
    normalize_ticket,
)
from bot.tips.store import TipStore
from bot.tips.vault import ReportKeyError, Vault
from bot.ui.views import Button, View


class Reports:
    """Tip use cases for the reporter, the admins and the CLI."""

    def __init__(self, db: sqlite_utils.Database, settings: Settings, answers: Answers) -> None:
        self.db, self.settings, self.answers = db, settings, answers
        self.r = answers.renderer
        try:
            self.vault: Vault | None = Vault(settings.report_encryption_key)
            self.key_problem = ""
        except ReportKeyError as exc:
            self.vault, self.key_problem = None, str(exc)
        # Without a key, conversation keys still must not be user ids: hash with a process salt.
        self._salt = secrets.token_hex(16)
        self.store = TipStore(db, self.vault, self.key_problem)
        self.desk = TipDesk(self.store, answers, settings)

    # -- helpers ---------------------------------------------------------------------------------

    def require_vault(self) -> Vault:
        """The vault, or ReportKeyError saying why there is none."""
        return self.store.require_vault()

    def user_ref(self, user_id: int) -> str:
        """The reporter's stable keyed hash: the conversation and draft key, never the id."""
        if self.vault is None:
            return storage_hash(self._salt, user_id)
        return self.vault.user_ref(user_id)

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def _label(self, key: str, lang: str) -> str:
        return self.r.label(key, lang)

    def category_title(self, category: str, lang: str) -> str:
        """A category's title from the knowledge base topics ('other' has a label)."""
        return self.desk.category_title(category, lang)

    def _closed(self, reason: str, lang: str, **extra: Any) -> Reply:
        text = self.r.render("report_closed", lang, reason=reason, **extra)
        return Reply(View(text, lang=lang), END)

    # -- drafts ----------------------------------------------------------------------------------

    def _load(self, ref: str) -> Draft | None | str:
        """The draft, None when there is none, or 'expired' (then it is deleted)."""
        found = self.store.draft(ref)
        if found is None:
            return None
        draft, updated_at = found
        if self._now() - updated_at > timedelta(minutes=self.settings.conversation_timeout_minutes):
            self._delete(ref)
            return "expired"
        return draft

    def _save(self, ref: str, draft: Draft) -> None:
        self.store.save_draft(ref, draft)

    def _delete(self, ref: str) -> None:
        self.store.delete_draft(ref)

    def in_progress(self, user_id: int) -> bool:
        """True while the user has a tip being written (not yet sent, possibly expired): the
        flow then owns their messages in the private chat. The draft is the only state."""
        if self.vault is None:
            return False
        found = self.store.draft(self.user_ref(user_id))
        return found is not None and not found[0].ticket

    def expire_drafts(self) -> int:
        """Delete drafts idle longer than the conversation timeout; returns how many."""
        return self.store.expire_drafts(self._idle_cutoff())

    def _idle_cutoff(self) -> datetime:
        return self._now() - timedelta(minutes=self.settings.conversation_timeout_minutes)

    # -- the reporter's flow ---------------------------------------------------------------------

    def start(self, user_id: int, lang: str, topic: str = "") -> Reply:
        """/lapor: check the key, the ban list and the daily limit, open a fresh draft."""
        if self.vault is None:
            return self._closed("no_key", lang)
        if self.store.is_banned(self.vault.user_ref(user_id)):
            return self._closed("banned", lang)
        if self._used_today(user_id) >= self.settings.reports_per_day:
            return self._closed("limit", lang, limit=self.settings.reports_per_day)
        draft = Draft(category=topic if topic in CATEGORIES else "")
        self._save(self.user_ref(user_id), draft)
        return self._prompt(draft, lang)

    def resume(self, user_id: int, lang: str) -> Reply:
        """/lapor during a draft: show the current step again (or start when there is none)."""
        return self.handle(user_id, lang, action="resume")

    def press(self, user_id: int, action: str, lang: str, update_id: int = 0) -> Reply:
        """A `rp:<action>` button: go, cat:<topic>, skip, edit, edit:<field>, back, send, cancel."""
        return self.handle(user_id, lang, action=action, update_id=update_id)

    def receive(self, user_id: int, incoming: Incoming, lang: str) -> Reply:
        """A message during the flow: text, a file, or something else."""
        return self.handle(user_id, lang, incoming=incoming, update_id=incoming.update_id)

    def cancel(self, user_id: int, lang: str) -> Reply:
        """/batal or Cancel: delete the draft."""
        if self.vault is not None:
            self._delete(self.user_ref(user_id))
        return self._closed("cancelled", lang)

    def handle(
        self,
        user_id: int,
        lang: str,
        action: str = "",
        incoming: Incoming | None = None,
        update_id: int = 0,
    ) -> Reply:
        """Apply one button or message to the reporter's draft; returns what to show next."""
        if self.vault is None:
            return self._closed("no_key", lang)
        ref = self.user_ref(user_id)
        draft = self._load(ref)
        if draft is None or draft == "expired":
            return self._closed("expired" if draft else "no_draft", lang)
        assert isinstance(draft, Draft)
        if update_id and update_id <= draft.seen:
            # Telegram delivered this update again (the bot was killed before confirming it):
            # it was applied and answered already, so it changes and shows nothing.
            return Reply(View("", lang=lang), draft.step, duplicate=True)
        draft.seen = max(draft.seen, update_id)
        if draft.ticket:
            return self._done(draft.ticket, lang, already=True)
        if action == "cancel":
            return self.cancel(user_id, lang)
        if action == "resume":
            return self._prompt(draft, lang)
        if action:
            return self._on_button(ref, user_id, draft, action, lang)
        return self._on_message(ref, draft, incoming or Incoming(), lang)

    def _on_button(self, ref: str, user_id: int, draft: Draft, action: str, lang: str) -> Reply:
        kind, _, arg = action.partition(":")
        step = draft.step
        if kind == "go" and step == "notice":
            return self._advance(ref, draft, lang)
        if kind == "cat" and step == "category" and arg in CATEGORIES:
            draft.category = arg
            return self._advance(ref, draft, lang)
        if kind == "skip" and step in SKIPPABLE:
            if step != "evidence":
                setattr(draft, step, "")
            return self._advance(ref, draft, lang)
        if kind == "edit" and step == "summary" and not arg:
            return Reply(self._edit_menu(lang), "summary")
        if kind == "edit" and step == "summary" and arg in EDITABLE:
            draft.step, draft.editing = arg, True
            if arg == "evidence":
                draft.evidence = []
            self._save(ref, draft)
            return self._prompt(draft, lang)
        if kind == "send" and step == "summary":
            return self._submit(ref, user_id, draft, lang)
        return self._prompt(draft, lang)  # a stale button: show where the reporter is

    def _on_message(self, ref: str, draft: Draft, msg: Incoming, lang: str) -> Reply:
        step = draft.step
        notes = [n for n, on in (("forward", msg.forwarded), ("caption", msg.caption)) if on]
        if step == "evidence" and msg.evidence is not None:
            problem = self._evidence_problem(draft, msg.evidence)
            if problem:
                return self._prompt(draft, lang, problem=problem)
            draft.evidence.append(asdict(msg.evidence))
            self._save(ref, draft)
            return self._prompt(draft, lang, notes=notes, added=True)
        if step not in TEXT_FIELDS:
            problem = "evidence_kind" if step == "evidence" else "use_buttons"
            return self._prompt(draft, lang, problem=problem)
        if msg.text is None:
            return self._prompt(draft, lang, problem="not_text")
        text = msg.text.strip()
        low, high = LIMITS[step]
        problem = (
            "empty"
            if not text
            else "too_short"
            if len(text) < low
            else "too_long"
            if len(text) > high
            else check_date(text, self._now().date())
            if step == "when"
            else ""
        )
        if problem:
            return self._prompt(draft, lang, problem=problem, length=len(text))
        setattr(draft, step, text)
        return self._advance(ref, draft, lang, notes=notes)

    def _evidence_problem(self, draft: Draft, ev: Evidence) -> str:
        if len(draft.evidence) >= MAX_FILES:
            return "too_many"
        if ev.size > MAX_FILE_MB * 1024 * 1024:
            return "too_big"
        if ev.kind == "document" and not ev.mime.startswith(DOCUMENT_TYPES):
            return "evidence_kind"
        return ""

    def _advance(self, ref: str, draft: Draft, lang: str, notes: list[str] | None = None) -> Reply:
        """Move to the next step (back to the summary after an edit), save, prompt."""
        if draft.editing or draft.step == "contact":
            draft.step, draft.editing = "summary", False
        else:
            draft.step = STEPS[STEPS.index(draft.step) + 1]
            if draft.step == "category" and draft.category:
                draft.step = "what"
        self._save(ref, draft)
        return self._prompt(draft, lang, notes=notes or [], saved=True)

    def _prompt(self, draft: Draft, lang: str, problem: str = "", **extra: Any) -> Reply:
        """The question of the draft's current step, with its buttons."""
        step = draft.step
        cancel = Button(self._label("report_cancel", lang), "rp:cancel")
        if step == "summary":
            return Reply(self._summary(draft, lang, problem), step)
        rows: list[list[Button]] = []
        if step == "notice":
            rows = [[Button(self._label("report_continue", lang), "rp:go"), cancel]]
        elif step == "category":
            cats = [Button(self.category_title(c, lang), f"rp:cat:{c}") for c in CATEGORIES]
            rows = [cats[i : i + 2] for i in range(0, len(cats), 2)] + [[cancel]]
        else:
            skip = {"evidence": "report_done" if draft.evidence else "report_skip"}
            skip["contact"] = "report_anonymous"
            if step in SKIPPABLE:
                rows = [[Button(self._label(skip.get(step, "report_skip"), lang), "rp:skip")]]
            rows.append([cancel])
        text = self.r.render(
            "report_prompt",
            lang,
            step=step,
            problem=problem,
            limits=LIMITS.get(step, (0, 0)),
            max_mb=MAX_FILE_MB,
            max_files=MAX_FILES,
            count=len(draft.evidence),
            category=self.category_title(draft.category, lang) if draft.category else "",
            editing=draft.editing,
            **{"notes": [], "length": 0, "saved": False, "added": False, **extra},
        )
        return Reply(View(text, rows, lang=lang), step)

    def _summary(self, draft: Draft, lang: str, problem: str = "") -> View:
        text = self.r.render(
            "report_summary",
            lang,
            draft=draft,
            category=self.category_title(draft.category, lang),
            problem=problem,
        )
        rows = [
            [
                Button(self._label("report_send", lang), "rp:send"),
                Button(self._label("report_edit", lang), "rp:edit"),
            ],
            [Button(self._label("report_cancel", lang), "rp:cancel")],
        ]
        return View(text, rows, lang=lang)

    def _edit_menu(self, lang: str) -> View:
        buttons = [Button(self._label(f"report_field_{f}", lang), f"rp:edit:{f}") for f in EDITABLE]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append([Button(self._label("report_back", lang), "rp:resume")])
        return View(self.r.render("report_prompt", lang, step="edit", **_EMPTY), rows, lang=lang)

    # -- filing ----------------------------------------------------------------------------------

    def _used_today(self, user_id: int) -> int:
        return self.store.used(self.require_vault().day_ref(user_id, self._now().date()))

    def _new_ticket(self) -> str:
        while True:
            raw = "".join(secrets.choice(TICKET_ALPHABET) for _ in range(8))
            ticket = f"NTR-{raw[:4]}-{raw[4:]}"
            if not self.store.ticket_taken(ticket):
                return ticket

    def _submit(self, ref: str, user_id: int, draft: Draft, lang: str) -> Reply:
        """File the draft once: report, first history line, daily count and ticket together."""
        vault = self.require_vault()
        if self._used_today(user_id) >= self.settings.reports_per_day:
            return self._closed("limit", lang, limit=self.settings.reports_per_day)
        content: dict[str, Any] = {
            f: getattr(draft, f) for f in ("what", "who", "where", "when", "contact")
        }
        content["evidence"] = draft.evidence
        today = self._now().date()
        with atomic(self.db):
            ticket = self._new_ticket()
            now = self.store.file(
                ticket,
                draft.category or "lainnya",
                content,
                vault.day_ref(user_id, today),
                today.isoformat(),
            )
            draft.ticket, draft.step = ticket, "done"
            self._save(ref, draft)
        category = self.category_title(draft.category or "lainnya", "id")
        admin = self.r.render("admin_reports_new", "id", ticket=ticket, category=category, at=now)
        reply = self._done(ticket, lang)
        return Reply(reply.view, END, View(admin, lang="id"))

    def _done(self, ticket: str, lang: str, already: bool = False) -> Reply:
        text = self.r.render("report_done", lang, ticket=ticket, already=already)
        return Reply(View(text, lang=lang), END)

    # -- following a ticket ----------------------------------------------------------------------

    def status_view(self, code: str, lang: str) -> View:
        """/status CODE: status and notes for the reporter; unknown and malformed look the same."""
        ticket = normalize_ticket(code)
        report = self.get(ticket) if ticket and self.vault is not None else None
        if not code.strip():
            return View(self.r.render("status_result", lang, report=None, asked=False), lang=lang)
        notes = [h for h in report.history if h["note"]] if report else []
        text = self.r.render(
            "status_result",
            lang,
            report=report,
            asked=True,
            status=self._label(f"report_status_{report.status}", lang) if report else "",
            notes=[
                {**h, "status": self._label(f"report_status_{h['status']}", lang)} for h in notes
            ],
        )
        return View(text, lang=lang)

    # -- admins and the CLI ----------------------------------------------------------------------

    def get(self, ticket: str) -> Report | None:
        """One tip, decrypted, with its history (None when unknown)."""
        return self.store.get(ticket)


_EMPTY: dict[str, Any] = dict(
    problem="", limits=(0, 0), max_mb=MAX_FILE_MB, max_files=MAX_FILES, count=0, category="",
    editing=False, notes=[], length=0, saved=False, added=False,
)  # fmt: skip


def storage_hash(salt: str, user_id: int) -> str:
    """A throwaway per-process hash (used only while no report key is configured)."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()
