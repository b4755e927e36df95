"""The guided creation of a new entry: topic, verdict, title, phrasings, answers, citations.

The draft is a plain JSON-serialisable dict (kept in the admin's persisted user data), so a
restart mid-way loses nothing. Its buttons are the `NEW_*` actions of `bot.ui.actions`; text
steps take the admin's messages.
"""

from __future__ import annotations

import re
from typing import Any

from bot.curation import sense
from bot.curation.editor import AdminError, KbEditor
from bot.kb import store as kbstore
from bot.kb.model import MAX_ENTRY_ID, MIN_QUESTIONS, VERDICTS
from bot.ui import actions
from bot.ui.render import Renderer
from bot.ui.views import Button, View

TEXT_STEPS = ("title_id", "title_en", "q_id", "q_en", "answer_id", "answer_en")


def new_draft(question: str = "", lang: str = "id") -> dict[str, Any]:
    """An empty draft, optionally with a first phrasing (from the review queue)."""
    questions: dict[str, list[str]] = {"id": [], "en": []}
    question = " ".join(question.split())
    if question:
        questions[lang if lang in questions else "id"].append(question)
    return {
        "asked": [question] if question else [],  # asked by users: kept however short
        "step": "topic",
        "topic": "",
        "verdict": "",
        "title": {"id": "", "en": ""},
        "questions": questions,
        "answer": {"id": "", "en": ""},
        "citations": [],
        "source": "",
    }


# Room left in an id for the "-2", "-3", ... that keeps it free.
SLUG_MAX = MAX_ENTRY_ID - 4


def slug(text: str) -> str:
    """An entry id from a title: lowercase words joined by dashes, short enough for buttons."""
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > SLUG_MAX:
            break
        out = f"{out}-{w}" if out else w
    return out or "entri-baru"


class NewEntryWizard:
    """Steps of the new-entry conversation; each returns the updated draft and the next view."""

    def __init__(self, editor: KbEditor):
        self.editor = editor

    @property
    def r(self) -> Renderer:
        return self.editor.answers.renderer

    def expects_text(self, draft: dict[str, Any]) -> bool:
        """True when the next step is answered by a message rather than a button."""
        return draft.get("step") in TEXT_STEPS

    def _sources(self) -> list[str]:
        return list(self.editor.kb.sources)

    def view(self, draft: dict[str, Any], lang: str, note: str = "") -> View:
        """The screen of the draft's current step (with why the last text was refused)."""
        note = note or draft.pop("note", "")
        step, kb, r = draft["step"], self.editor.kb, self.r
        rows: list[list[Button]] = []
        if step == "topic":
            topics = list(kb.topics.values())
            rows = [[Button(t.title[lang], actions.NEW_TOPIC(i))] for i, t in enumerate(topics)]
        elif step == "verdict":
            rows = [
                [Button(r.label(f"verdict_{v}", lang), actions.NEW_VERDICT(v))] for v in VERDICTS
            ]
        elif step in ("q_id", "q_en"):
            have = len(draft["questions"][step[2:]])
            if have >= MIN_QUESTIONS[step[2:]]:
                rows = [[Button(r.label("admin_next", lang), actions.NEW_NEXT())]]
        elif step == "cite":
            sources = self._sources()
            source = kb.sources.get(draft["source"])
            if source is None:
                rows = [
                    [Button(kb.sources[s].short[:60], actions.NEW_SOURCE(i))]
                    for i, s in enumerate(sources)
                ]
            else:
                chosen = {(c["source"], c["item"]) for c in draft["citations"]}
                rows = [
                    [Button(("✅ " if (source.id, k) in chosen else "") + k, actions.NEW_ITEM(i))]
                    for i, k in enumerate(source.items)
                ]
                rows.append([Button(r.label("admin_other_source", lang), actions.NEW_SOURCE("-1"))])
            if draft["citations"]:
                rows.append([Button(r.label("admin_next", lang), actions.NEW_DONE())])
        elif step == "confirm":
            rows = [[Button(r.label("admin_save", lang), actions.NEW_SAVE())]]
        text = r.render(
            "admin_new_step",
            lang,
            note=note,
            step=step,
            draft=draft,
            topic=kb.topics[draft["topic"]].title[lang] if draft["topic"] in kb.topics else "",
            verdict=r.label(f"verdict_{draft['verdict']}", lang) if draft["verdict"] else "",
            need=MIN_QUESTIONS,
            source=kb.sources[draft["source"]].short if draft["source"] in kb.sources else "",
            entry_id=self.entry_id(draft),
        )
        return View(text, rows, lang=lang)

    def entry_id(self, draft: dict[str, Any]) -> str:
        """A free id derived from the Indonesian title."""
        base = slug(draft["title"]["id"])
        candidate, n = base, 2
        while kbstore.entry_id_taken(self.editor.db, candidate):
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def press(self, draft: dict[str, Any], action: actions.Action | str) -> dict[str, Any]:
        """Apply a button of the wizard to the draft (unknown or stale buttons change nothing).

        `action` is decoded button data, or the part after `na:` (`"t:0"`, `"next"`).
        """
        if isinstance(action, str):
            try:
                action = actions.decode(f"na:{action}")
            except actions.ActionError:
                return draft
        spec, arg = action.spec, action.args[0] if action.args else ""
        kb = self.editor.kb
        if spec is actions.NEW_TOPIC and draft["step"] == "topic" and arg.isdigit():
            topics = list(kb.topics)
            if int(arg) < len(topics):
                draft.update(topic=topics[int(arg)], step="verdict")
        elif spec is actions.NEW_VERDICT and draft["step"] == "verdict" and arg in VERDICTS:
            draft.update(verdict=arg, step="title_id")
        elif spec is actions.NEW_NEXT and draft["step"] in ("q_id", "q_en"):
            draft["step"] = "q_en" if draft["step"] == "q_id" else "answer_id"
        elif spec is actions.NEW_SOURCE and draft["step"] == "cite":
            sources = self._sources()
            index = int(arg) if arg.lstrip("-").isdigit() else -1
            draft["source"] = sources[index] if 0 <= index < len(sources) else ""
        elif spec is actions.NEW_ITEM and draft["step"] == "cite" and draft["source"] in kb.sources:
            items = list(kb.sources[draft["source"]].items)
            if arg.isdigit() and int(arg) < len(items):
                cite = {"source": draft["source"], "item": items[int(arg)]}
                cites = draft["citations"]
                draft["citations"] = (
                    [c for c in cites if c != cite] if cite in cites else [*cites, cite]
                )
        elif spec is actions.NEW_DONE and draft["step"] == "cite" and draft["citations"]:
            draft["step"] = "confirm"
        return draft

    def text(self, draft: dict[str, Any], text: str) -> dict[str, Any]:
        """Take the admin's message for a text step."""
        step, text = draft["step"], text.strip()
        if not text or step not in TEXT_STEPS:
            return draft
        field, lang = step.rsplit("_", 1)
        if field == "q":
            lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
            refused = [p for q in lines if (p := sense.phrasing_problem(q))]
            lines = [q for q in lines if not sense.phrasing_problem(q)]
            draft["questions"][lang] += [q for q in lines if q not in draft["questions"][lang]]
            draft["note"] = "\n".join(refused)
            return draft
        what = f"the '{lang}' {field}"
        problem = (
            sense.answer_problem(text, what) if field == "answer" else sense.tag_problem(text, what)
        )
        if problem:
            draft["note"] = problem  # the same step is asked again, with the reason
            return draft
        draft[field][lang] = " ".join(text.split()) if field == "title" else text
        draft["step"] = TEXT_STEPS[TEXT_STEPS.index(step) + 1] if step != "answer_en" else "cite"
        return draft

    def save(self, admin_id: int, draft: dict[str, Any], lang: str) -> tuple[bool, View]:
        """Create the entry; (True, its admin view text) or (False, the reasons)."""
        state = {
            "id": self.entry_id(draft),
            "topic": draft["topic"],
            "verdict": draft["verdict"],
            "title": draft["title"],
            "questions": draft["questions"],
            "answer": draft["answer"],
            "citations": draft["citations"],
            "related": [],
        }
        try:
            change = self.editor.create(admin_id, state, asked=tuple(draft.get("asked", [])))
        except AdminError as err:
            return False, self.view(draft, lang, note="\n".join(err.problems[:8]))
        text = self.r.render("admin_new_saved", lang, entry=change.entry_id, id=change.id)
        return True, View(
            text, [[Button(change.entry_id, actions.KB_OPEN(change.entry_id))]], lang=lang
        )
