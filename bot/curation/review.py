"""The review queue: questions the bot could not answer well, grouped, most frequent first.

Sources: questions declined or answered with "did you mean", and answered questions that got a
👎. Similar questions (rapidfuzz token-sort ratio) form one group. Each group can be added as a
phrasing of a suggested entry in one tap, start a new entry, or be dismissed; handled questions
are remembered in `review_done` and leave the queue.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from bot.answering import store as usage
from bot.answering.answers import Answers
from bot.curation import store
from bot.curation.editor import KbEditor
from bot.ui import actions
from bot.ui.render import Renderer
from bot.ui.views import Button, View

SIMILAR_AT = 85  # token-sort ratio from which two questions are one group
PAGE = 1  # groups shown per screen (one card, with its actions)


def question_key(text: str) -> str:
    """A short stable key of a question (casefolded, spaces collapsed)."""
    norm = " ".join(text.casefold().split())
    return hashlib.sha1(norm.encode()).hexdigest()[:10]


@dataclass
class ReviewGroup:
    """Similar questions asked, with how often and why they are here."""

    key: str
    question: str
    lang: str
    count: int = 0
    kinds: Counter = field(default_factory=Counter)  # decline / suggest / thumbs_down
    variants: list[str] = field(default_factory=list)
    disliked: list[str] = field(default_factory=list)  # entries answered and given a 👎


class ReviewQueue:
    """Builds the queue from the question log and acts on its groups."""

    def __init__(self, db: sqlite_utils.Database, answers: Answers, editor: KbEditor):
        self.db = db
        self.answers = answers
        self.editor = editor

    @property
    def renderer(self) -> Renderer:
        return self.answers.renderer

    def groups(self) -> list[ReviewGroup]:
        """Open groups, most frequent first."""
        # Imported when an admin reviews, not at start-up: 3 MB of the bot's memory otherwise.
        from rapidfuzz import fuzz, process

        done = store.review_done_keys(self.db)
        known = {
            " ".join(q.casefold().split())
            for e in self.answers.kb.entries.values()
            for qs in e.questions.values()
            for q in qs
        }
        groups: list[ReviewGroup] = []
        reps: list[str] = []
        by_text: dict[str, ReviewGroup] = {}
        for question, lang, band, entry_id in usage.review_questions(self.db):
            norm = " ".join(question.casefold().split())
            if not norm or norm in known or question_key(question) in done:
                continue
            group = by_text.get(norm)
            if group is None:
                hit = process.extractOne(
                    norm, reps, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR_AT
                )
                group = groups[hit[2]] if hit else None
            if group is None:
                group = ReviewGroup(question_key(question), question, lang)
                groups.append(group)
                reps.append(norm)
            by_text[norm] = group
            group.count += 1
            group.kinds[band] += 1
            if question not in group.variants:
                group.variants.append(question)
            if entry_id and entry_id not in group.disliked:
                group.disliked.append(entry_id)
        groups.sort(key=lambda g: -g.count)  # stable: ties keep the newest first
        return groups

    def find(self, key: str) -> ReviewGroup | None:
        """The open group with this key."""
        return next((g for g in self.groups() if g.key == key), None)

    def suggestions(self, group: ReviewGroup, limit: int = 3) -> list[str]:
        """Entries the question could be a phrasing of, best first."""
        match = self.answers.matcher.match(group.question, top=limit)
        return [c.entry_id for c in match.candidates if c.score > 0][:limit]

    def mark_done(self, admin_id: int, group: ReviewGroup, action: str) -> None:
        """Take every question of a group out of the queue for good."""
        store.mark_done(self.db, admin_id, action, ((question_key(q), q) for q in group.variants))

    def add_as_phrasing(self, admin_id: int, key: str, entry_id: str) -> ReviewGroup | None:
        """Add the group's question to an entry (one tap); None if the group is gone."""
        group = self.find(key)
        if group is None:
            return None
        entry = self.editor.live(entry_id)
        self.editor.add_phrasing(
            admin_id, entry_id, group.lang, group.question, entry.version, asked=True
        )
        self.mark_done(admin_id, group, "added")
        return group

    def dismiss(self, admin_id: int, key: str) -> ReviewGroup | None:
        """Leave the group out of the queue from now on."""
        group = self.find(key)
        if group is not None:
            self.mark_done(admin_id, group, "dismissed")
        return group

    # -- views -----------------------------------------------------------------------------------

    def view(self, lang: str, index: int = 0, note: str = "") -> View:
        """One group as a card with its actions, and a way to the next one."""
        r = self.renderer
        groups = self.groups()
        if not groups:
            return View(r.render("review_empty", lang, note=note), lang=lang)
        index = index % len(groups)
        group = groups[index]
        kb = self.answers.kb
        suggested = [kb.entries[e] for e in self.suggestions(group) if e in kb.entries]
        disliked = [kb.entries[e] for e in group.disliked if e in kb.entries]
        text = r.render(
            "review_card",
            lang,
            note=note,
            index=index + 1,
            total=len(groups),
            question=group.question,
            count=group.count,
            kinds=[r.label(f"admin_kind_{k}", lang) for k in group.kinds],
            variants=[v for v in group.variants if v != group.question][:5],
            suggested=[e.title[lang] for e in suggested],
            disliked=[e.title[lang] for e in disliked],
        )
        # A suggestion opens the preview of the answer the question would get; adding is there.
        rows = [
            [
                Button(
                    r.label("admin_add_to", lang, title=e.title[lang]),
                    actions.REVIEW_PREVIEW(group.key, e.id),
                )
            ]
            for e in suggested
        ]
        rows.append([Button(r.label("admin_pick_entry", lang), actions.REVIEW_PICK(group.key))])
        rows += [
            [Button(r.label("admin_open", lang, title=e.title[lang]), actions.KB_OPEN(e.id))]
            for e in disliked
        ]
        rows.append(
            [
                Button(r.label("admin_new_entry", lang), actions.REVIEW_NEW(group.key)),
                Button(r.label("admin_dismiss", lang), actions.REVIEW_DISMISS(group.key)),
            ]
        )
        if len(groups) > 1:
            rows.append([Button(r.label("admin_next", lang), actions.REVIEW_NEXT(index + 1))])
        return View(text, rows, lang=lang)

    def _index(self, key: str) -> int:
        return next((i for i, g in enumerate(self.groups()) if g.key == key), 0)

    def _gone(self, lang: str) -> View:
        note = self.renderer.label("admin_review_gone", lang)
        return self.view(lang, note=note)

    def preview_view(self, key: str, entry_id: str, lang: str) -> View:
        """What users asking the group's question would get once it joins `entry_id`: that
        entry's answer as users see it, with the button that adds it."""
        r, group = self.renderer, self.find(key)
        entry = self.answers.kb.entries.get(entry_id)
        if group is None or entry is None:
            return self._gone(lang)
        answer = self.answers.entry_view(entry.id, group.lang).text
        text = r.render(
            "review_preview", lang, question=group.question, entry=entry.id, answer=answer
        )
        rows = [
            [Button(r.label("admin_attach", lang), actions.REVIEW_ADD(key, entry.id))],
            [Button(r.label("admin_pick_entry", lang), actions.REVIEW_PICK(key))],
            [Button(r.label("admin_back_to_queue", lang), actions.REVIEW_NEXT(self._index(key)))],
        ]
        return View(text, rows, entry_id=entry.id, topic=entry.topic, lang=lang)

    def pick_view(self, key: str, lang: str) -> View:
        """Ask for words or an id to find the entry the group's question belongs to."""
        group = self.find(key)
        if group is None:
            return self._gone(lang)
        text = self.renderer.render("review_pick", lang, question=group.question)
        back = Button(self.renderer.label("admin_back_to_queue", lang), actions.REVIEW_NEXT(0))
        return View(text, [[back]], lang=lang)

    def search_view(self, key: str, query: str, lang: str) -> View:
        """Entries matching the admin's words or id, each opening the preview for the group."""
        r, group = self.renderer, self.find(key)
        if group is None:
            return self._gone(lang)
        found = self.editor.find(query)
        text = r.render(
            "review_found",
            lang,
            question=group.question,
            query=query,
            results=[(e.id, e.title[lang]) for e in found],
        )
        rows = [
            [Button(f"{e.title[lang]} ({e.id})", actions.REVIEW_PREVIEW(key, e.id))] for e in found
        ]
        rows.append([Button(r.label("admin_pick_entry", lang), actions.REVIEW_PICK(key))])
        rows.append(
            [Button(r.label("admin_back_to_queue", lang), actions.REVIEW_NEXT(self._index(key)))]
        )
        return View(text, rows, lang=lang)
