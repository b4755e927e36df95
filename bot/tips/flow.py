"""Confidential tips: the reporter's guided draft, filing, following a ticket. No Telegram types.

Every step is written (sealed) to `report_drafts` before it is confirmed, so a crash loses
nothing the reporter was told was saved. The draft is keyed by the reporter's keyed hash and
holds its own step: after a restart the flow follows the draft.

Each step is applied exactly once:
- an update applied before (`Draft.seen`) is not applied again, and shows nothing, when
  Telegram delivers it again after a crash;
- until the reply to a step reached the reporter (`confirm`), the same input once more (the
  reporter repeating what got no answer, say after a crash between saving and replying) shows
  that reply instead of filling the next step;
- when the reply cannot be delivered, `revert` puts the draft back as it was, so the reporter's
  next attempt is applied once;
- buttons name their step (`skip:who`) and Send carries the draft's random code.
Sending files the tip (`bot.tips.filing`): the tip filed and the draft deleted in one
transaction; a receipt found only through the Send button's code answers a repeated Send with the
same ticket.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta

import sqlite_utils

from bot.answering.answers import Answers
from bot.answering.intent import asks_a_question
from bot.config import Settings
from bot.tips.desk import TipDesk
from bot.tips.filing import Filing
from bot.tips.records import (
    EDITABLE,
    LIMITS,
    SKIPPABLE,
    STEPS,
    TEXT_FIELDS,
    Draft,
    Evidence,
    Incoming,
    Reply,
    Report,
    check_date,
    evidence_problem,
    normalize_ticket,
)
from bot.tips.screens import ReporterScreens
from bot.tips.store import TipStore
from bot.tips.vault import ReportKeyError, Vault, throwaway_ref
from bot.ui import actions
from bot.ui.actions import Action
from bot.ui.views import View


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
        self._salt = secrets.token_hex(16)  # hashes ids while there is no key (nothing stored)
        self.store = TipStore(db, self.vault, self.key_problem)
        self.desk = TipDesk(self.store, answers, settings)
        self.screens = ReporterScreens(self.r, self.desk.category_title, self.desk.categories)
        self.filing = Filing(
            self.store, settings, self.r, self.screens, self.category_title, self._now
        )

    # -- helpers ---------------------------------------------------------------------------------

    def require_vault(self) -> Vault:
        """The vault, or ReportKeyError saying why there is none."""
        return self.store.require_vault()

    def user_ref(self, user_id: int) -> str:
        """The reporter's stable keyed hash: the key of their draft, never the id itself."""
        if self.vault is None:
            return throwaway_ref(self._salt, user_id)
        return self.vault.user_ref(user_id)

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def category_title(self, category: str, lang: str) -> str:
        """A category's title from the knowledge base topics ('other' has a label)."""
        return self.desk.category_title(category, lang)

    # -- drafts ----------------------------------------------------------------------------------

    def _load(self, ref: str) -> Draft | None | str:
        """The draft, None when there is none, or 'expired' (then it is deleted)."""
        found = self.store.draft(ref)
        if found is None:
            return None
        draft, updated_at = found
        if self._now() - updated_at > timedelta(minutes=self.settings.conversation_timeout_minutes):
            self.store.delete_draft(ref)
            return "expired"
        return draft

    def draft_of(self, user_id: int) -> Draft | None:
        """The user's draft as it is stored (None when there is none)."""
        found = self.store.draft(self.user_ref(user_id)) if self.vault else None
        return found[0] if found else None

    def in_progress(self, user_id: int) -> bool:
        """True while the user has a tip being written (possibly expired): the flow then owns
        their messages in the private chat. The draft is the only state."""
        draft = self.draft_of(user_id)
        return draft is not None and not draft.ticket

    def expire_drafts(self) -> int:
        """Delete drafts idle longer than the conversation timeout; returns how many."""
        cutoff = self._now() - timedelta(minutes=self.settings.conversation_timeout_minutes)
        return self.store.expire_drafts(cutoff)

    # -- the reporter's flow ---------------------------------------------------------------------

    def start(self, user_id: int, lang: str, category: str = "") -> Reply:
        """/lapor: check the key, the ban list and the daily limit, open a fresh draft
        (with `category` chosen already when the report button of an answer set it)."""
        if self.vault is None:
            return self.screens.closed("no_key", lang)
        if self.store.is_banned(self.vault.user_ref(user_id)):
            return self.screens.closed("banned", lang)
        if self.filing.used_today(user_id) >= self.settings.reports_per_day:
            return self.screens.closed("limit", lang, limit=self.settings.reports_per_day)
        draft = Draft(
            category=category if category in self.desk.categories() else "",
            nonce=secrets.token_urlsafe(9),
            chat=user_id,  # a private chat's id is the user's: for the reminder, sealed
            lang=lang,
        )
        self.store.save_draft(self.user_ref(user_id), draft)
        return self.screens.prompt(draft, lang)

    def resume(self, user_id: int, lang: str) -> Reply:
        """/lapor during a draft: show the current step again."""
        return self.handle(user_id, lang, action=Action(actions.TIP_RESUME))

    def press(self, user_id: int, action: Action | str, lang: str, update_id: int = 0) -> Reply:
        """A step's button (the `TIP_*` actions): continue, category, skip, edit, send, held
        text, cancel, back. A string is the part after `rp:` (`"go"`, `"skip:who"`)."""
        if isinstance(action, str):
            try:
                action = actions.decode(f"rp:{action}")
            except actions.ActionError:
                action = Action(actions.TIP_RESUME)  # show where the reporter is
        return self.handle(user_id, lang, action=action, update_id=update_id)

    def receive(self, user_id: int, incoming: Incoming, lang: str) -> Reply:
        """A message during the flow: text, a file, or something else."""
        return self.handle(user_id, lang, incoming=incoming, update_id=incoming.update_id)

    def cancel(self, user_id: int, lang: str) -> Reply:
        """/batal or Cancel: delete the draft."""
        if self.vault is not None:
            self.store.delete_draft(self.user_ref(user_id))
        return self.screens.closed("cancelled", lang)

    def confirm(self, user_id: int, update_id: int) -> None:
        """The reply to `update_id` reached the reporter: that step is done with."""
        if not update_id or self.vault is None:
            return
        ref = self.user_ref(user_id)
        found = self.store.draft(ref)
        if found and not found[0].confirmed and found[0].seen <= update_id:
            self.store.save_draft(ref, replace(found[0], confirmed=True, pending=""))

    def revert(self, user_id: int, reply: Reply) -> None:
        """The reply could not be delivered: the draft goes back to what it was before it."""
        if reply.previous is not None and self.vault is not None:
            self.store.save_draft(self.user_ref(user_id), reply.previous)

    def handle(
        self,
        user_id: int,
        lang: str,
        action: Action | None = None,
        incoming: Incoming | None = None,
        update_id: int = 0,
    ) -> Reply:
        """Apply one button or message to the reporter's draft (once); returns what to show."""
        if self.vault is None:
            return self.screens.closed("no_key", lang)
        ref = self.user_ref(user_id)
        draft = self._load(ref)
        if not isinstance(draft, Draft):
            ticket = self.filing.receipt(action)
            if ticket:  # Send again, after the tip was filed (its reply may have been lost)
                return self.screens.done(ticket, lang, already=True)
            return self.screens.closed("expired" if draft else "no_draft", lang)
        if draft.ticket:  # a draft kept by an older version after sending: forget it now
            self.store.delete_draft(ref)
            return self.screens.done(draft.ticket, lang, already=True)
        before = replace(draft, evidence=list(draft.evidence))
        if update_id:  # from Telegram, which may deliver an update twice or lose a reply
            digest = _digest(action, incoming)
            if update_id <= draft.seen:  # delivered again: it was applied (and answered)
                return Reply(View("", lang=lang), draft.step, duplicate=True)
            if not draft.confirmed and digest and digest == draft.pending:
                return self._again(draft, lang, update_id, incoming)
            draft.seen, draft.confirmed, draft.pending = update_id, False, digest
        if action is not None and action.spec is actions.TIP_CANCEL:
            return self.cancel(user_id, lang)
        if action is not None and action.spec is actions.TIP_RESUME:
            return self.screens.prompt(before, lang)
        if action is not None:
            reply = self._on_button(ref, user_id, draft, action, lang)
        else:
            reply = self._on_message(ref, draft, incoming or Incoming(), lang)
        return replace(reply, previous=before, update_id=update_id)

    def _again(self, draft: Draft, lang: str, update_id: int, incoming: Incoming | None) -> Reply:
        """The reply to the last step applied, shown again (it never reached the reporter)."""
        if incoming is not None and incoming.evidence is not None:
            reply = self.screens.prompt(draft, lang, added=True)
        else:
            reply = self.screens.prompt(draft, lang, saved=draft.step not in ("notice", "summary"))
        return replace(reply, update_id=update_id)

    def _on_button(self, ref: str, user_id: int, draft: Draft, action: Action, lang: str) -> Reply:
        spec, arg, step = action.spec, action.args[0] if action.args else "", draft.step
        if spec is actions.TIP_GO and step == "notice":
            return self._advance(ref, draft, lang)
        if spec is actions.TIP_CATEGORY and step == "category" and arg in self.desk.categories():
            draft.category = arg
            return self._advance(ref, draft, lang)
        # Buttons name the step they belong to: pressed twice, or late, they skip nothing more.
        if spec is actions.TIP_SKIP and step in SKIPPABLE and arg in ("", step):
            if step != "evidence":
                setattr(draft, step, "")
            return self._advance(ref, draft, lang)
        if spec is actions.TIP_HELD and draft.held and action["step"] == step:
            text, draft.held = draft.held, ""
            if arg == "question":
                self.store.save_draft(ref, draft)
                answer = self.answers.ask(text, lang, channel="telegram", triage=False)
                return self.screens.waiting(answer, draft, lang)
            return self._on_text(ref, draft, text, lang, [])
        if spec is actions.TIP_EDIT and step == "summary" and not arg:
            return Reply(self.screens.edit_menu(lang), "summary")
        if spec is actions.TIP_EDIT and step == "summary" and arg in EDITABLE:
            draft.step, draft.editing = arg, True
            if arg == "evidence":
                draft.evidence = []
            self.store.save_draft(ref, draft)
            return self.screens.prompt(draft, lang)
        if spec is actions.TIP_SEND and step == "summary" and arg in ("", draft.nonce):
            return self.filing.submit(ref, user_id, draft, lang)
        return self.screens.prompt(draft, lang)  # a stale button: show where the reporter is

    def _on_message(self, ref: str, draft: Draft, msg: Incoming, lang: str) -> Reply:
        step = draft.step
        notes = [n for n, on in (("forward", msg.forwarded), ("caption", msg.caption)) if on]
        if step == "evidence" and msg.evidence is not None:
            problem = self._evidence_problem(draft, msg.evidence)
            if problem:
                return self.screens.prompt(draft, lang, problem=problem)
            draft.evidence.append(asdict(msg.evidence))
            self.store.save_draft(ref, draft)
            return self.screens.prompt(draft, lang, notes=notes, added=True)
        if step not in TEXT_FIELDS:
            problem = "evidence_kind" if step == "evidence" else "use_buttons"
            return self.screens.prompt(draft, lang, problem=problem)
        if msg.text is None:
            return self.screens.prompt(draft, lang, problem="not_text")
        if asks_a_question(msg.text):
            # Maybe a question for the bot rather than part of the report: ask, keep it sealed.
            draft.held = msg.text.strip()
            self.store.save_draft(ref, draft)
            return self.screens.which(draft, lang)
        draft.held = ""
        return self._on_text(ref, draft, msg.text, lang, notes)

    def _on_text(self, ref: str, draft: Draft, text: str, lang: str, notes: list[str]) -> Reply:
        """A free-text answer for the current step: checked, then saved."""
        step, text = draft.step, text.strip()
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
            return self.screens.prompt(draft, lang, problem=problem, length=len(text))
        setattr(draft, step, text)
        return self._advance(ref, draft, lang, notes=notes)

    def _evidence_problem(self, draft: Draft, ev: Evidence) -> str:
        if ev.unique and any(e.get("unique") == ev.unique for e in draft.evidence):
            return "same_file"  # the same file again (say, resent after a lost reply)
        return evidence_problem(len(draft.evidence), ev)

    def _advance(self, ref: str, draft: Draft, lang: str, notes: list[str] | None = None) -> Reply:
        """Move to the next step (back to the summary after an edit), save, prompt."""
        if draft.editing or draft.step == "contact":
            draft.step, draft.editing = "summary", False
        else:
            draft.step = STEPS[STEPS.index(draft.step) + 1]
            if draft.step == "category" and draft.category:
                draft.step = "what"
        self.store.save_draft(ref, draft)
        return self.screens.prompt(draft, lang, notes=notes or [], saved=True)

    # -- idle drafts -----------------------------------------------------------------------------

    def idle_notices(self, now: datetime | None = None) -> list[tuple[int, View]]:
        """Remind drafts idle DRAFT_REMINDER_MINUTES once, expire those idle past the timeout;
        returns (chat id, view) for each message to send now."""
        if self.vault is None:
            return []
        now = now or self._now()
        timeout = timedelta(minutes=self.settings.conversation_timeout_minutes)
        remind = timedelta(minutes=self.settings.draft_reminder_minutes)
        out: list[tuple[int, View]] = []
        for ref, draft, active in self.store.drafts():
            lang = draft.lang or "id"
            if now - active >= timeout:
                self.store.delete_draft(ref)
                if draft.chat:
                    out.append((draft.chat, self.screens.closed("expired", lang).view))
            elif now - active >= remind and not draft.reminded:
                self.store.save_draft(ref, replace(draft, reminded=True), touch=False)
                left = max(1, round((timeout - (now - active)).total_seconds() / 60))
                if draft.chat:
                    out.append((draft.chat, self.screens.reminder(draft, left, lang)))
        return out

    # -- following a ticket ----------------------------------------------------------------------

    def status_view(self, code: str, lang: str) -> View:
        """/status CODE: status and notes for the reporter; unknown and malformed look the same."""
        ticket = normalize_ticket(code)
        report = self.get(ticket) if ticket and self.vault is not None else None
        if not code.strip():
            return View(self.r.render("status_result", lang, report=None, asked=False), lang=lang)
        notes = [h for h in report.history if h["note"]] if report else []
        label = self.r.label
        text = self.r.render(
            "status_result",
            lang,
            report=report,
            asked=True,
            status=label(f"report_status_{report.status}", lang) if report else "",
            notes=[{**h, "status": label(f"report_status_{h['status']}", lang)} for h in notes],
        )
        return View(text, lang=lang)

    def get(self, ticket: str) -> Report | None:
        """One tip, decrypted, with its history (None when unknown)."""
        return self.store.get(ticket)


def _digest(action: Action | None, incoming: Incoming | None) -> str:
    """A short fingerprint of one input, to recognise the same input sent again."""
    if action is not None:
        raw = f"b:{action.spec.prefix}:{':'.join(action.args)}"
    elif incoming is not None and incoming.evidence is not None:
        raw = f"f:{incoming.evidence.unique or incoming.evidence.file_id}"
    elif incoming is not None and incoming.text is not None:
        raw = f"t:{incoming.text.strip()}"
    else:
        return ""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]
