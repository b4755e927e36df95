"""What the reporter sees: each step's question with its buttons, the summary, the edit menu,
the closing messages, and the reminder of an idle draft. Views only; `bot.tips.flow` decides.

Buttons that change the draft name the step they belong to (`rp:skip:who`) or carry the
draft's random code (`rp:send:<code>`), so a button pressed twice, or on an older message,
can never act on a later step. Their data follows the one grammar (`bot.ui.actions`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.tips.records import (
    EDITABLE,
    END,
    LIMITS,
    MAX_FILE_MB,
    MAX_FILES,
    SKIPPABLE,
    Draft,
    Reply,
)
from bot.ui import actions
from bot.ui.render import Renderer
from bot.ui.views import Button, View

_EMPTY: dict[str, Any] = dict(
    problem="", limits=(0, 0), max_mb=MAX_FILE_MB, max_files=MAX_FILES, count=0, category="",
    editing=False, notes=[], length=0, saved=False, added=False,
)  # fmt: skip


class ReporterScreens:
    """Renders the reporter's views; `title(category, lang)` names a category and
    `categories()` lists those a reporter chooses from."""

    def __init__(
        self,
        renderer: Renderer,
        title: Callable[[str, str], str],
        categories: Callable[[], list[str]],
    ) -> None:
        self.r, self.title, self.categories = renderer, title, categories

    def _label(self, key: str, lang: str) -> str:
        return self.r.label(key, lang)

    def closed(self, reason: str, lang: str, **extra: Any) -> Reply:
        """The flow ends: cancelled, expired, no draft, no key, daily limit, banned."""
        text = self.r.render("report_closed", lang, reason=reason, **extra)
        return Reply(View(text, lang=lang), END)

    def done(self, ticket: str, lang: str, already: bool = False) -> Reply:
        """The ticket of the tip just filed (or filed before, for a repeated Send)."""
        text = self.r.render("report_done", lang, ticket=ticket, already=already)
        return Reply(View(text, lang=lang), END)

    def prompt(self, draft: Draft, lang: str, problem: str = "", **extra: Any) -> Reply:
        """The question of the draft's current step, with its buttons."""
        step = draft.step
        cancel = Button(self._label("report_cancel", lang), actions.TIP_CANCEL())
        if step == "summary":
            return Reply(self.summary(draft, lang, problem), step)
        rows: list[list[Button]] = []
        if step == "notice":
            rows = [[Button(self._label("report_continue", lang), actions.TIP_GO()), cancel]]
        elif step == "category":
            cats = [Button(self.title(c, lang), actions.TIP_CATEGORY(c)) for c in self.categories()]
            rows = [cats[i : i + 2] for i in range(0, len(cats), 2)] + [[cancel]]
        else:
            skip = {"evidence": "report_done" if draft.evidence else "report_skip"}
            skip["contact"] = "report_anonymous"
            if step in SKIPPABLE:
                label = self._label(skip.get(step, "report_skip"), lang)
                rows = [[Button(label, actions.TIP_SKIP(step))]]
            rows.append([cancel])
        text = self.r.render(
            "report_prompt",
            lang,
            **{
                **_EMPTY,
                "step": step,
                "problem": problem,
                "limits": LIMITS.get(step, (0, 0)),
                "count": len(draft.evidence),
                "category": self.title(draft.category, lang) if draft.category else "",
                "editing": draft.editing,
                **extra,
            },
        )
        return Reply(View(text, rows, lang=lang), step)

    def summary(self, draft: Draft, lang: str, problem: str = "") -> View:
        """Everything the reporter wrote, with Send, Edit and Cancel."""
        text = self.r.render(
            "report_summary",
            lang,
            draft=draft,
            category=self.title(draft.category, lang),
            problem=problem,
        )
        send = actions.TIP_SEND(draft.nonce) if draft.nonce else actions.TIP_SEND()
        rows = [
            [
                Button(self._label("report_send", lang), send),
                Button(self._label("report_edit", lang), actions.TIP_EDIT()),
            ],
            [Button(self._label("report_cancel", lang), actions.TIP_CANCEL())],
        ]
        return View(text, rows, lang=lang)

    def edit_menu(self, lang: str) -> View:
        """Which part to change."""
        buttons = [
            Button(self._label(f"report_field_{f}", lang), actions.TIP_EDIT(f)) for f in EDITABLE
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append([Button(self._label("report_back", lang), actions.TIP_RESUME())])
        return View(
            self.r.render("report_prompt", lang, **{**_EMPTY, "step": "edit"}), rows, lang=lang
        )

    def which(self, draft: Draft, lang: str) -> Reply:
        """A question-like message at a free-text step: part of the report, or a question?"""
        text = self.r.render("report_prompt", lang, **{**_EMPTY, "step": "which"})
        report = actions.TIP_HELD("report", draft.step)
        question = actions.TIP_HELD("question", draft.step)
        rows = [
            [Button(self._label("report_held_report", lang), report)],
            [Button(self._label("report_held_question", lang), question)],
            [Button(self._label("report_cancel", lang), actions.TIP_CANCEL())],
        ]
        return Reply(View(text, rows, lang=lang), draft.step)

    def waiting(self, answer: View, draft: Draft, lang: str) -> Reply:
        """An answer given in the middle of a report, and the way back to it."""
        note = self.r.render(
            "report_waiting", lang, step=self._label(_STEP_LABEL[draft.step], lang)
        )
        rows = [*answer.buttons, [Button(self._label("report_resume", lang), actions.TIP_RESUME())]]
        return Reply(View(f"{answer.text}\n\n{note}", rows, lang=lang), draft.step)

    def reminder(self, draft: Draft, minutes_left: int, lang: str) -> View:
        """The one reminder of an idle draft: it goes in `minutes_left` minutes."""
        step = self._label(_STEP_LABEL.get(draft.step, "report_field_what"), lang)
        text = self.r.render("report_reminder", lang, step=step, minutes=minutes_left)
        resume = [[Button(self._label("report_resume", lang), actions.TIP_RESUME())]]
        return View(text, resume, lang=lang)


# The label that names each step in the reminder and after an answer.
_STEP_LABEL = {
    "notice": "report_step_notice",
    "category": "report_field_category",
    "what": "report_field_what",
    "who": "report_field_who",
    "where": "report_field_where",
    "when": "report_field_when",
    "evidence": "report_field_evidence",
    "contact": "report_field_contact",
    "summary": "report_step_summary",
}
