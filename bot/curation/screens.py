"""What admins see: the knowledge-base screens, imports and exports, over `bot.curation.editor`.

The buttons are the `KB_*`, `REVIEW_*` and `IMPORT_*` actions of `bot.ui.actions`; a button that
changes an entry carries the version the admin saw, and an edit based on an older one is refused.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from bot.answering.answers import Answers
from bot.curation import importer as admin_import
from bot.curation.editor import AdminError, Change, KbEditor
from bot.curation.review import ReviewQueue
from bot.curation.stats import Statistics, statistics_view
from bot.curation.wizard import NewEntryWizard
from bot.kb import formats as kbio
from bot.kb.model import LANGS, VERDICTS
from bot.ui import actions
from bot.ui.render import Renderer
from bot.ui.views import Button, View, fits, pack

CARD_PHRASINGS = 3  # newest phrasings per language on an entry's card
MAX_PROBLEMS = 8  # problems listed in a refusal; the rest are counted


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class CurationDesk:
    """The admin use cases that return views (Telegram, the CLI and tests drive the same)."""

    def __init__(self, db: sqlite_utils.Database, answers: Answers):
        self.db = db
        self.answers = answers
        self.editor = KbEditor(db, answers)
        self.review = ReviewQueue(db, answers, self.editor)
        self.wizard = NewEntryWizard(self.editor)

    @property
    def r(self) -> Renderer:
        return self.answers.renderer

    # -- simple pages ----------------------------------------------------------------------------

    def refused(self, lang: str) -> View:
        """The one reply non-admins get to any admin command, button or upload."""
        return View(self.r.render("admin_refused", lang), lang=lang)

    def cancelled(self, lang: str) -> View:
        """The pending admin step was abandoned."""
        return View(self.r.render("admin_cancelled", lang), lang=lang)

    def home(self, lang: str) -> View:
        """/kb without words: how to find an entry, and the other doors."""
        rows = [
            [
                Button(self.r.label("admin_new_entry", lang), actions.NEW_START()),
                Button(self.r.label("admin_review", lang), actions.REVIEW_NEXT("0")),
            ]
        ]
        return View(self.r.render("admin_home", lang), rows, lang=lang)

    def problems(self, err: AdminError, lang: str, back: str = "") -> View:
        """A refused change, with the reasons."""
        text = self.r.render(
            "admin_rejected",
            lang,
            kind=err.kind,
            problems=err.problems[:MAX_PROBLEMS],
            more=max(0, len(err.problems) - MAX_PROBLEMS),
        )
        rows = (
            [[Button(self.r.label("admin_back_to_entry", lang), actions.KB_OPEN(back))]]
            if back
            else []
        )
        return View(text, rows, lang=lang)

    # -- finding and showing entries -------------------------------------------------------------

    def search(self, query: str, lang: str) -> View:
        """Entries matching an id or words; one exact id opens it directly."""
        found = self.editor.find(query)
        if len(found) == 1 and found[0].id == query.strip().lower():
            return self.entry(found[0].id, lang)
        text = self.r.render(
            "admin_search", lang, query=query, results=[(e.id, e.title[lang]) for e in found]
        )
        rows = [[Button(f"{e.title[lang]} ({e.id})", actions.KB_OPEN(e.id))] for e in found]
        return View(text, rows, lang=lang)

    def entry(self, entry_id: str, lang: str, note: str = "") -> View:
        """An entry as admins see it, in one message so its buttons come with it: the figures,
        the newest phrasings (all of them a button away), answers, citations."""
        kb = self.editor.kb
        e = kb.entries.get(entry_id)
        if e is None:
            return View(self.r.render("admin_unknown_entry", lang, entry=entry_id), lang=lang)
        stats = self.editor.stats(e.id)
        citations = [f"{kb.sources[c.source].short}: {c.item}" for c in e.citations]

        def card(recent: int, cited: int, answer_chars: int) -> str:
            return self.r.render(
                "admin_entry",
                lang,
                note=note,
                e=e,
                topic=kb.topics[e.topic].title[lang] if e.topic in kb.topics else e.topic,
                verdict=self.r.label(f"verdict_{e.verdict}", lang),
                recent={x: e.questions[x][-recent:] if recent else [] for x in LANGS},
                answer={x: _cut(e.answer[x], answer_chars) for x in LANGS},
                citations=citations[:cited],
                more_citations=len(citations) - len(citations[:cited]),
                stats=stats,
            )

        # Fewer newest phrasings first, then fewer citations, then shortened answers (their
        # full text is shown when editing them): the card always fits one message.
        levels = [(n, len(citations), 10_000) for n in (CARD_PHRASINGS, 2, 1, 0)]
        levels += [(0, 4, 10_000), (0, 4, 600), (0, 0, 300)]
        text = next((t for t in (card(*lv) for lv in levels) if fits(t)), card(*levels[-1]))
        v, label, a = e.version, self.r.label, actions
        count = len(e.questions["id"]) + len(e.questions["en"])
        rows = [
            [Button(label("admin_add_phrasing", lang, lang_=x.upper()), a.KB_PHRASING(e.id, x, v))
             for x in LANGS],
            [Button(label("admin_edit_answer", lang, lang_=x.upper()), a.KB_ANSWER(e.id, x, v))
             for x in LANGS],
            [
                Button(label("admin_verdict", lang), a.KB_VERDICTS(e.id, v)),
                Button(label("admin_retire", lang), a.KB_RETIRE_ASK(e.id, v)),
                Button(label("admin_history", lang), a.KB_HISTORY(e.id)),
            ],
            [Button(label("admin_all_phrasings", lang, n=count), a.KB_PHRASINGS(e.id))],
        ]  # fmt: skip
        return View(text, rows, entry_id=e.id, topic=e.topic, lang=lang)

    def phrasings(self, entry_id: str, page: int, lang: str) -> View:
        """Every phrasing of an entry, numbered per language, in pages of one message each."""
        e = self.editor.kb.entries.get(entry_id)
        if e is None:
            return View(self.r.render("admin_unknown_entry", lang, entry=entry_id), lang=lang)
        rows = [(x, q, n) for x in LANGS for n, q in enumerate(e.questions[x], 1)]
        total = {x: len(e.questions[x]) for x in LANGS}

        def render(shown: list, number: int = 0, pages: int = 0) -> str:
            return self.r.render(
                "admin_phrasings",
                lang,
                title=e.title[lang],
                entry=e.id,
                rows=shown,
                total=total,
                page=number or 99,
                pages=pages or 99,
            )

        pages = pack(rows, render) or [[]]
        page = min(max(page, 1), len(pages))
        a, label = actions, self.r.label
        turn = []
        if page > 1:
            turn.append(Button(label("page_prev", lang), a.KB_PHRASINGS(e.id, page - 1)))
        if page < len(pages):
            turn.append(Button(label("page_next", lang), a.KB_PHRASINGS(e.id, page + 1)))
        buttons = [turn] if turn else []
        buttons.append([Button(label("admin_back_to_entry", lang), a.KB_OPEN(e.id))])
        text = render(pages[page - 1], page, len(pages))
        return View(text, buttons, entry_id=e.id, topic=e.topic, lang=lang)

    def ask_text(self, kind: str, entry_id: str, field_lang: str, lang: str) -> View:
        """Ask for a new phrasing or answer text (kind 'phrasing' or 'answer')."""
        e = self.editor.kb.entries.get(entry_id)
        if e is None:
            return View(self.r.render("admin_unknown_entry", lang, entry=entry_id), lang=lang)
        text = self.r.render(
            "admin_ask_text",
            lang,
            kind=kind,
            field_lang=field_lang.upper(),
            title=e.title[lang],
            current=e.answer[field_lang] if kind == "answer" else "",
        )
        return View(text, lang=lang)

    def verdict_menu(self, entry_id: str, version: int, lang: str) -> View:
        """The verdicts to choose from."""
        rows = [
            [Button(self.r.label(f"verdict_{v}", lang), actions.KB_VERDICT(entry_id, v, version))]
            for v in VERDICTS
        ]
        rows.append([Button(self.r.label("admin_back_to_entry", lang), actions.KB_OPEN(entry_id))])
        return View(self.r.render("admin_pick_verdict", lang, entry=entry_id), rows, lang=lang)

    def retire_confirm(self, entry_id: str, version: int, lang: str) -> View:
        """Ask before retiring."""
        rows = [
            [
                Button(
                    self.r.label("admin_yes_retire", lang), actions.KB_RETIRE(entry_id, version)
                ),
                Button(self.r.label("admin_back_to_entry", lang), actions.KB_OPEN(entry_id)),
            ]
        ]
        return View(self.r.render("admin_retire_confirm", lang, entry=entry_id), rows, lang=lang)

    def history(self, entry_id: str | None, lang: str) -> View:
        """The audited changes of an entry, newest first."""
        changes = self.editor.history(entry_id, limit=20)
        text = self.r.render("admin_history", lang, entry=entry_id or "", changes=changes)
        rows = [
            [Button(self.r.label("admin_undo", lang, id=c.id), actions.KB_UNDO(c.id))]
            for c in changes[:5]
            if not c.reverted_by
        ]
        if entry_id:
            rows.append(
                [Button(self.r.label("admin_back_to_entry", lang), actions.KB_OPEN(entry_id))]
            )
        return View(text, rows, lang=lang)

    def undo(self, admin_id: int, change_id: int, lang: str) -> View:
        """Revert one change (itself audited) and show the entry as it is now."""
        old = self.editor.change(change_id)
        entry_id = old.entry_id if old else ""
        view = self.change(entry_id, lang, lambda: self.editor.revert(admin_id, change_id))
        return view

    # -- changing entries ------------------------------------------------------------------------

    def change(self, entry_id: str, lang: str, apply: Callable[[], Change]) -> View:
        """Run one edit; show the entry with a note, or the reasons it was refused."""
        try:
            change = apply()
        except AdminError as err:
            return self.problems(err, lang, back=entry_id if err.kind != "unknown" else "")
        note = self.r.label("admin_saved", lang, id=change.id)
        if change.after is None:
            return View(
                self.r.render("admin_retired", lang, entry=entry_id, id=change.id), lang=lang
            )
        return self.entry(change.entry_id, lang, note=note)

    # -- review queue ----------------------------------------------------------------------------

    def review_add(self, admin_id: int, key: str, entry_id: str, lang: str) -> View:
        """One tap: the grouped question becomes a phrasing of the entry; show the next group."""
        try:
            group = self.review.add_as_phrasing(admin_id, key, entry_id)
        except AdminError as err:
            return self.problems(err, lang, back=entry_id)
        title = self.editor.kb.entries[entry_id].title[lang]
        note = self.r.label("admin_added_to", lang, title=title) if group else ""
        return self.review.view(lang, note=note)

    def review_dismiss(self, admin_id: int, key: str, lang: str) -> View:
        """Leave a group out of the queue; show the next one."""
        self.review.dismiss(admin_id, key)
        return self.review.view(lang, note=self.r.label("admin_dismissed", lang))

    # -- import and export -----------------------------------------------------------------------

    def export_files(self) -> list[tuple[str, bytes]]:
        """The live knowledge base as a YAML and a TSV document."""
        kb = self.editor.kb
        return [
            ("netralitas-kb.yaml", kbio.export_yaml(kb).encode()),
            ("netralitas-kb.tsv", kbio.export_tsv(kb).encode()),
        ]

    def export_view(self, lang: str) -> View:
        """The text sent with the export documents."""
        kb = self.editor.kb
        return View(self.r.render("admin_export", lang, entries=len(kb.entries)), lang=lang)

    def import_preview(self, admin_id: int, name: str, data: bytes, lang: str) -> View:
        """Validate an uploaded file and show what it would add, change and remove."""
        try:
            plan = admin_import.plan_import(self.editor, name, data)
        except AdminError as err:
            admin_import.cancel(self.editor, admin_id)
            return self.problems(err, lang)
        text = self.r.render(
            "admin_import_preview", lang, name=name, plan=plan, total=len(plan.states)
        )
        if plan.empty:
            return View(text, lang=lang)
        admin_import.save_pending(self.editor, admin_id, plan)
        rows = [
            [
                Button(self.r.label("admin_apply", lang), actions.IMPORT_APPLY(plan.token)),
                Button(self.r.label("admin_cancel", lang), actions.IMPORT_CANCEL()),
            ]
        ]
        return View(text, rows, lang=lang)

    def import_confirm(self, admin_id: int, token: str, lang: str) -> View:
        """Apply the previewed import exactly."""
        try:
            plan, changes = admin_import.apply_import(self.editor, admin_id, token)
        except AdminError as err:
            return self.problems(err, lang)
        return View(
            self.r.render("admin_import_done", lang, plan=plan, changes=len(changes)), lang=lang
        )

    def import_cancel(self, admin_id: int, lang: str) -> View:
        """Drop the pending import."""
        admin_import.cancel(self.editor, admin_id)
        return self.cancelled(lang)

    # -- statistics ------------------------------------------------------------------------------

    def statistics(self, lang: str) -> tuple[View, bytes, Statistics]:
        """The statistics text, the 30-day chart (PNG) and the figures behind them."""
        return statistics_view(self.db, self.answers, lang)
