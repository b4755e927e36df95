"""Questions to views: the answering use cases shared by Telegram, the console and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlite_utils

from bot.answering import basis, store
from bot.answering.artefacts import ModelKeeper
from bot.answering.bands import (
    ANSWER,
    DECLINE,
    INTENT,
    JUNK,
    NUMBER,
    SUGGEST,
    VAGUE,
    LearnedMatcher,
    Match,
)
from bot.answering.intent import looks_like_question, reads_like_report
from bot.answering.pages import Pages
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.kb import citing
from bot.kb.model import Entry, KnowledgeBase, Source
from bot.ui import actions
from bot.ui.render import Renderer
from bot.ui.views import Button, View

# Longer questions are cut before matching: a pasted document is not a question, and the cut
# keeps matching time bounded whatever users send.
MAX_QUESTION_CHARS = 500
# The band of a message that reads like a tip: answered with an offer, never logged.
REPORT_OFFER = "report_offer"
# Topics named in the decline message as examples.
DECLINE_EXAMPLE_TOPICS = ("kampanye-ikut", "media-sosial", "kampanye-fasilitas", "sanksi")
# Replies that are not about the knowledge base: chosen by the band's reason.
REPLY_TEMPLATES = {JUNK: "not_understood", NUMBER: "number_alone", "empty": "empty"}


@dataclass
class Answers(Pages):
    """The answering core over one knowledge base.

    `reload` takes a new knowledge base at once (entries, titles, answers) and has its matcher
    model rebuilt in the background; the old model answers until the new one is swapped in.
    """

    kb: KnowledgeBase
    matcher: LearnedMatcher
    renderer: Renderer
    db: sqlite_utils.Database | None = None
    keeper: ModelKeeper | None = None
    # Rendered answer texts by (entry, language) of `kb`, emptied by `reload`: the text is a
    # function of the two alone, and rendering it was a third of `ask`'s CPU (cProfile under
    # bench/throughput.py). A few hundred KB for the whole base.
    _texts: dict[tuple[str, str], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def build(
        cls,
        kb: KnowledgeBase,
        db: sqlite_utils.Database | None = None,
        renderer=None,
        keeper: ModelKeeper | None = None,
    ) -> Answers:
        """Find or build the matcher model of `kb` (blocking) and return the service."""
        keeper = keeper or ModelKeeper(None, DEFAULT_KNOWLEDGE_DIR)
        return cls(kb, keeper.matcher_for(kb), renderer or Renderer(), db, keeper)

    def reload(self, kb: KnowledgeBase) -> None:
        """Take a new knowledge base (after an admin edit); retrain the matcher off-thread."""
        self.kb = kb
        self._texts = {}
        if self.keeper is not None:
            self.keeper.request(kb, self._swap)

    def _swap(self, matcher: LearnedMatcher) -> None:
        # One assignment: a question in flight finishes with the model it started with.
        self.matcher = matcher

    def wait_for_model(self, timeout: float | None = None) -> bool:
        """Block until a requested retraining is in place (CLI, tests); False on timeout."""
        return self.keeper.wait(timeout) if self.keeper is not None else True

    # -- questions ------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        lang: str | None = None,
        channel: str = "cli",
        record: bool = True,
        menu: list[str] | None = None,
        triage: bool = True,
    ) -> View:
        """Answer a free-text question; `lang` None means: follow the question's language.

        `menu` holds the actions of the numbered choices last shown to this user: a bare number
        picks one of them (and is no question). With `record`, the question is logged (text,
        band, entry, score; never who asked). With `triage`, a message that reads like a tip
        and is not phrased as a question gets the offer of a confidential report instead, and
        is not logged (`report_offer_view`).
        """
        text = (question or "").strip()
        if triage and reads_like_report(text) and not looks_like_question(text):
            return self.report_offer_view(lang or self.matcher.normalizer.language(text))
        truncated = len(text) > MAX_QUESTION_CHARS
        text = text[:MAX_QUESTION_CHARS]
        match = self.matcher.match(text)
        lang = lang or match.lang
        if match.reason == NUMBER and menu and 1 <= int(text.strip(" .)")) <= len(menu):
            return self.pick(menu[int(text.strip(" .)")) - 1], lang)
        best = match.best
        qid = None
        if record and self.db is not None and text and match.reason not in (NUMBER, INTENT):
            qid = store.log_question(
                self.db,
                question=text,
                lang=lang,
                band=match.band,
                entry_id=best.entry_id if best else None,
                score=match.score,
                channel=channel,
            )
        view = self._view_of(match, text, lang, qid)
        reply = view.text
        if truncated:
            note = self.renderer.render("truncated_note", lang, limit=MAX_QUESTION_CHARS)
            reply = f"{note}\n\n{reply}"
        return View(
            text=reply,
            buttons=view.buttons,
            band=match.band,
            entry_id=best.entry_id if best else None,
            topic=best.topic if best else None,
            score=match.score,
            candidates=[
                {"id": c.entry_id, "topic": c.topic, "score": c.score} for c in match.candidates
            ],
            lang=lang,
            question_id=qid,
        )

    def _view_of(self, match: Match, text: str, lang: str, qid: int | None) -> View:
        if match.best:
            return self.entry_view(match.best.entry_id, lang, question_id=qid)
        if match.band == SUGGEST:
            return self._suggest_view(match, lang)
        if match.reason == INTENT and match.intent:
            return self.intent_view(match.intent, lang)
        if match.reason in REPLY_TEMPLATES:
            topics = [[Button(self.renderer.label("topics", lang), actions.TOPICS())]]
            return View(
                self.renderer.render(REPLY_TEMPLATES[match.reason], lang), topics, lang=lang
            )
        return self._decline_view(lang, text)

    def report_offer_view(self, lang: str) -> View:
        """A tip typed outside /lapor: not stored; offer a confidential report, or an answer."""
        r = self.renderer
        rows = [
            [Button(r.label("report_offer_start", lang), actions.REPORT(""))],
            [Button(r.label("report_offer_question", lang), actions.ASK_IT())],
        ]
        text = r.render("report_offer", lang, kind="offer")
        return View(text, rows, band=REPORT_OFFER, lang=lang)

    def search(self, question: str, limit: int = 5) -> list[str]:
        """Entry ids worth offering for a partial question (inline mode), best first."""
        match = self.matcher.match(question[:MAX_QUESTION_CHARS], top=limit)
        if match.reason in (JUNK, NUMBER, INTENT) or not match.candidates:
            return []
        floor = 100 * self.matcher.params.suggest_at / limit
        return [c.entry_id for c in match.candidates if c.score >= floor]

    def _suggest_view(self, match: Match, lang: str) -> View:
        """Up to three choices and "None of these": a clarifying question when the message was
        vague, "did you mean" when the model was unsure."""
        entries = [
            self.kb.entries[c.entry_id]
            for c in match.candidates[: self.matcher.params.choices]
            if c.entry_id in self.kb.entries
        ]
        template = "clarify" if match.reason == VAGUE else "suggest"
        text = self.renderer.render(template, lang, choices=[e.title[lang] for e in entries])
        buttons = [[Button(e.title[lang], actions.ANSWER(e.id))] for e in entries]
        buttons.append(
            [Button(self.renderer.label("none_of_these", lang), actions.NONE_OF_THESE())]
        )
        return View(text, buttons, band=SUGGEST, lang=lang)

    def none_of_these_view(self, lang: str) -> View:
        """After "None of these": how to ask in other words, and how to reach a person."""
        rows = [[Button(self.renderer.label("topics", lang), actions.TOPICS())]]
        return View(self.renderer.render("none_of_these", lang), rows, lang=lang)

    def intent_view(self, intent: str, lang: str) -> View:
        """The short reply to a greeting, thanks or "what is this bot", with the topic menu."""
        rows = [[Button(self.renderer.label("topics", lang), actions.TOPICS())]]
        return View(self.renderer.render(f"intent_{intent}", lang), rows, lang=lang)

    def pick(self, data: str, lang: str) -> View:
        """The view a choice of a numbered menu leads to (the user typed its number)."""
        try:
            action = actions.decode(data)
        except actions.ActionError:
            return self.topics_view(lang)
        if action.spec is actions.ANSWER:
            return self.entry_view(action["entry"], lang)
        if action.spec is actions.TOPIC:
            return self.topic_view(action["topic"], lang)
        if action.spec is actions.NONE_OF_THESE:
            return self.none_of_these_view(lang)
        return self.topics_view(lang)

    def _decline_view(self, lang: str, question: str = "") -> View:
        # The question is quoted back (escaped by the template) so the user sees what was read.
        question = question if len(question) <= 120 else question[:117] + "..."
        topics = [
            self.kb.topics[t].title[lang] for t in DECLINE_EXAMPLE_TOPICS if t in self.kb.topics
        ]
        text = self.renderer.render("decline", lang, topics=topics, question=question)
        return View(
            text,
            [[Button(self.renderer.label("topics", lang), actions.TOPICS())]],
            band=DECLINE,
            lang=lang,
        )

    # -- entries --------------------------------------------------------------------------------

    def _validity(self, source: Source) -> dict:
        """Where a source binds and what replaced it, for the templates."""
        later = self.kb.sources.get(source.superseded_by)
        return {"region": source.region, "superseded": later.short if later else ""}

    def _shown_citations(self, entry: Entry, lang: str) -> dict:
        """The sources listed under an answer (`bot.kb.citing.shown_sources`), each with the
        labels of its cited items; the rest are counted, behind "Dasar hukum"."""
        shown, more = citing.shown_sources(self.kb.sources_of(entry))
        labels: dict[str, list[str]] = {s.id: [] for s in shown}
        for cite in entry.citations:
            if cite.source in labels:
                item = self.kb.sources[cite.source].items[cite.item]
                labels[cite.source].append(item.label[lang])
        citations = [{"short": s.short, "labels": labels[s.id]} | self._validity(s) for s in shown]
        return {"citations": citations, "more_sources": more}

    def entry_view(self, entry_id: str, lang: str, question_id: int | None = None) -> View:
        """The full answer of one entry, with its buttons.

        `question_id` (the logged question it answers) rides in the 👍/👎 buttons, so a rating
        is tied to the question without remembering anything about the user.
        """
        entry = self.kb.entries.get(entry_id)
        if entry is None:
            return self.unknown_entry_view(lang)
        r = self.renderer
        asked = () if question_id is None else (question_id,)
        text = self._answer_text(entry, lang)
        rows = [
            [Button(r.label("basis", lang), actions.BASIS(entry.id))],
            [
                Button(r.label("thumbs_up", lang), actions.FEEDBACK(entry.id, "up", *asked)),
                Button(r.label("thumbs_down", lang), actions.FEEDBACK(entry.id, "down", *asked)),
                Button(r.label("topics", lang), actions.TOPIC(entry.topic)),
            ],
        ]
        if entry.related:
            rows[0].append(Button(r.label("related", lang), actions.RELATED(entry.id)))
        if entry.verdict == "dilarang":
            # The report starts with the category of this prohibition already chosen.
            category = self.kb.report_category(entry)
            rows.append([Button(r.label("report", lang), actions.REPORT(category))])
        return View(text, rows, band=ANSWER, entry_id=entry.id, topic=entry.topic, lang=lang)

    def _answer_text(self, entry: Entry, lang: str) -> str:
        """The answer's text, rendered once per knowledge base (`reload` starts afresh)."""
        text = self._texts.get((entry.id, lang))
        if text is None:
            r = self.renderer
            text = self._texts[(entry.id, lang)] = r.render(
                "answer",
                lang,
                verdict=r.label(f"verdict_{entry.verdict}", lang),
                title=entry.title[lang],
                answer=entry.answer[lang],
                **self._shown_citations(entry, lang),
                sanction=(entry.sanction or {}).get(lang, ""),
            )
        return text

    def unknown_entry_view(self, lang: str) -> View:
        """Reply for a button that points at an entry that no longer exists."""
        return View(
            self.renderer.render("unknown_entry", lang),
            [[Button(self.renderer.label("topics", lang), actions.TOPICS())]],
            lang=lang,
        )

    def basis_view(self, entry_id: str, lang: str, page: int = 0) -> View:
        """The exact wording of the cited articles and circular items, one message at a time.

        Page 0: the items in citation order, as many in full as fit one message, the rest
        named, and "📄 Teks lengkap" when something was left out. Pages 1..n: the full text.
        """
        entry = self.kb.entries.get(entry_id)
        if entry is None:
            return self.unknown_entry_view(lang)
        r = self.renderer
        parts = basis.cited_parts(self.kb, entry, lang)

        def render(shown: Sequence, rest: Sequence = (), number: int = 0, total: int = 0) -> str:
            return r.render(
                "basis",
                lang,
                title=entry.title[lang],
                sources=basis.grouped(shown, self._validity),
                more=basis.grouped(list(rest), self._validity),
                page=number,
                pages=total,
            )

        back = Button(r.label("back_to_answer", lang), actions.ANSWER(entry.id))
        pages = basis.full_text_pages(parts, lambda shown: render(shown, (), 99, 99))
        if page <= 0 or page > len(pages):
            count = basis.fitting_prefix(parts, render)
            text = render(parts[:count], parts[count:])
            rows = [[back]]
            if count < len(parts):
                rows.insert(0, [Button(r.label("full_text", lang), actions.BASIS(entry.id, 1))])
            return View(text, rows, entry_id=entry.id, topic=entry.topic, lang=lang)
        text = render(pages[page - 1], (), page, len(pages))
        turn = []
        if page > 1:
            turn.append(Button(r.label("page_prev", lang), actions.BASIS(entry.id, page - 1)))
        if page < len(pages):
            turn.append(Button(r.label("page_next", lang), actions.BASIS(entry.id, page + 1)))
        rows = [turn, [back]] if turn else [[back]]
        return View(text, rows, entry_id=entry.id, topic=entry.topic, lang=lang)

    def related_view(self, entry_id: str, lang: str) -> View:
        """The entries related to one entry, as choices."""
        entry = self.kb.entries.get(entry_id)
        if entry is None:
            return self.unknown_entry_view(lang)
        related = [self.kb.entries[r] for r in entry.related if r in self.kb.entries]
        text = self.renderer.render(
            "related", lang, title=entry.title[lang], choices=[e.title[lang] for e in related]
        )
        rows = [[Button(e.title[lang], actions.ANSWER(e.id))] for e in related]
        rows.append([Button(self.renderer.label("back_to_answer", lang), actions.ANSWER(entry.id))])
        return View(text, rows, entry_id=entry.id, topic=entry.topic, lang=lang)

    # -- browsing -------------------------------------------------------------------------------

    def topics_view(self, lang: str) -> View:
        """Every topic as a button."""
        topics = list(self.kb.topics.values())
        text = self.renderer.render("topics", lang, topics=[t.title[lang] for t in topics])
        rows = [[Button(t.title[lang], actions.TOPIC(t.id))] for t in topics]
        return View(text, rows, lang=lang)

    def topic_view(self, topic_id: str, lang: str) -> View:
        """The entries of one topic as buttons, with a way back."""
        topic = self.kb.topics.get(topic_id)
        if topic is None:
            return self.topics_view(lang)
        entries = self.kb.entries_of(topic_id)
        text = self.renderer.render(
            "topic",
            lang,
            title=topic.title[lang],
            description=topic.description[lang],
            choices=[e.title[lang] for e in entries],
        )
        rows = [[Button(e.title[lang], actions.ANSWER(e.id))] for e in entries]
        rows.append([Button(self.renderer.label("back", lang), actions.TOPICS())])
        return View(text, rows, topic=topic_id, lang=lang)

    def feedback(self, entry_id: str, up: bool, question_id: int | None, lang: str) -> View:
        """Record 👍 (`up`) or 👎 for an entry, tied to the logged question; thank the user."""
        if self.db is not None and entry_id in self.kb.entries:
            store.record_feedback(self.db, entry_id, 1 if up else -1, question_id)
        return View(self.renderer.render("feedback_thanks", lang), lang=lang)
