"""Outreach use cases: subscriptions and quizzes. Telegram, the console and tests drive the same.

Callback data of the outreach buttons:
  kuis:tutup:<series>          close a counted group quiz and show its results
  umum:kirim:<id> / umum:batal:<id>   send / cancel an announcement draft (admins only)
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from bot.answering.answers import Answers
from bot.outreach import store
from bot.outreach.broadcast import Broadcasts
from bot.outreach.calendar import Calendar, CalendarError, calendar_from_text, load_calendar
from bot.outreach.quiz import (
    MAX_SERIES,
    QuizBank,
    QuizError,
    QuizPoll,
    build_poll,
    check_bank,
    pick,
    read_bank,
    usable_ids,
)
from bot.ui import actions
from bot.ui.render import Renderer
from bot.ui.views import Button, View

log = logging.getLogger(__name__)
RESULTS_WORDS = {"hasil", "results", "rekap"}


@dataclass(frozen=True)
class QuizPlan:
    """What `/kuis` sends: the polls, how they are answered, and a message after them."""

    series_id: int
    chat_id: int
    polls: list[QuizPoll]
    anonymous: bool
    counted: bool
    after: View | None


@dataclass(frozen=True)
class Outcome:
    """A message to send to a chat as the result of something that happened elsewhere."""

    chat_id: int
    view: View
    stop: list[tuple[int, int]]  # (chat id, message id) of polls to close first


class Outreach:
    """Subscriptions and quizzes over one database and the answering core."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        answers: Answers,
        bank: QuizBank,
        calendar: Calendar | None = None,
        rng: random.Random | None = None,
    ):
        self.db = db
        self.answers = answers
        self.bank = bank
        self.rng = rng or random.Random()
        self._valid: tuple[object, list[str]] = (None, [])
        self.broadcasts = Broadcasts(db, answers, calendar)

    @classmethod
    def open(cls, db: sqlite_utils.Database, answers: Answers, knowledge_dir: Path) -> Outreach:
        """Read `quiz.yaml` and the calendar (an admin's upload, else `calendar.yaml`).

        Problems are logged, not raised: the bot keeps answering questions with whatever is
        valid (`bot.py quiz validate` and `bot.py calendar validate` name every problem).
        """
        bank = QuizBank({}, {})
        try:
            bank = read_bank(Path(knowledge_dir) / "quiz.yaml")
            for problem in check_bank(bank, answers.kb, answers.renderer):
                log.error("quiz item left out: %s", problem)
        except QuizError as exc:
            log.error("quizzes are disabled: %s", exc)
        calendar = None
        live = store.live_calendar(db)  # an admin's upload replaces the file
        try:
            if live:
                calendar = calendar_from_text(live[0], answers.kb)
            else:
                calendar = load_calendar(Path(knowledge_dir) / "calendar.yaml", answers.kb)
        except CalendarError as exc:
            log.error("reminders are disabled, the calendar is invalid: %s", exc)
        return cls(db, answers, bank, calendar)

    @property
    def r(self) -> Renderer:
        return self.answers.renderer

    # -- subscriptions ---------------------------------------------------------------------------

    def subscribe(self, chat_id: int, lang: str) -> View:
        """/langganan: keep the chat id for announcements and reminders."""
        added = store.subscribe(self.db, chat_id)
        return View(self.r.render("outreach_subscribed", lang, added=added), lang=lang)

    def unsubscribe(self, chat_id: int, lang: str) -> View:
        """/berhenti_langganan: forget the chat id."""
        removed = store.unsubscribe(self.db, chat_id)
        return View(self.r.render("outreach_unsubscribed", lang, removed=removed), lang=lang)

    def group_admins_only(self, action: str, lang: str) -> View:
        """The polite refusal a group member gets for what only the group's admins may do:
        `subscribe`, `unsubscribe`, or `close` a counted quiz (plain text: it may be an alert)."""
        text = self.r.render("outreach_group_admins_only", lang, action=action)
        return View(text, lang=lang)

    # -- quizzes ---------------------------------------------------------------------------------

    def quiz_ids(self) -> list[str]:
        """Entries that can be asked now: in the quiz file, valid against the live knowledge.

        Checked once per knowledge base (an admin's edit swaps it), not on every /kuis.
        """
        kb = self.answers.kb
        if self._valid[0] is not kb:
            ids = [
                eid
                for eid in usable_ids(self.bank, kb)
                if not check_bank(
                    QuizBank({eid: self.bank.items[eid]}, self.bank.names), kb, self.r
                )
            ]
            self._valid = (kb, ids)
        return self._valid[1]

    def poll_for(self, entry_id: str, lang: str) -> QuizPoll:
        """The poll of one quiz item in one language."""
        kb = self.answers.kb
        return build_poll(
            self.bank.items[entry_id], kb.entries[entry_id], kb, self.bank, self.r, lang
        )

    def quiz(self, chat_id: int, lang: str, args: list[str], private: bool) -> QuizPlan | View:
        """/kuis [N] [hasil]: N quiz polls the chat has not seen in this round.

        In a group the polls are anonymous unless the group asks for results (`hasil`): then
        answers are visible to members and counted, and a button closes the series. In a
        private chat a series of several is counted and scored after the last answer.
        """
        candidates = self.quiz_ids()
        if not candidates:
            return View(self.r.render("outreach_quiz_empty", lang), lang=lang)
        numbers = [int(a) for a in args if a.isdigit()]
        count = max(1, min(numbers[0] if numbers else 1, MAX_SERIES, len(candidates)))
        wants_results = any(a.lower() in RESULTS_WORDS for a in args)
        counted = (private and count > 1) or (not private and wants_results)
        seen = store.seen(self.db, chat_id) & set(candidates)
        chosen = pick(candidates, seen, count, self.rng)
        store.mark_seen(self.db, chat_id, chosen, new_round=len(candidates) - len(seen) < count)
        series_id = store.start_series(self.db, chat_id, private, lang, counted, len(chosen))
        after = None
        if counted and not private:
            after = View(
                self.r.render("outreach_quiz_group", lang, total=len(chosen), counted=True),
                [
                    [
                        Button(
                            self.r.label("outreach_close_quiz", lang),
                            actions.QUIZ_CLOSE(series_id),
                        )
                    ]
                ],
                lang=lang,
            )
        elif count > 1:
            template = "outreach_quiz_private" if private else "outreach_quiz_group"
            after = View(self.r.render(template, lang, total=len(chosen), counted=False), lang=lang)
        return QuizPlan(
            series_id=series_id,
            chat_id=chat_id,
            polls=[self.poll_for(eid, lang) for eid in chosen],
            anonymous=not private and not counted,
            counted=counted,
            after=after,
        )

    def poll_sent(
        self, plan: QuizPlan, position: int, poll: QuizPoll, poll_id: str, message_id: int
    ) -> None:
        """Remember a sent poll whose answers are counted (nothing is kept for the others)."""
        if plan.counted:
            store.add_poll(
                self.db,
                store.PollRecord(
                    poll_id,
                    plan.series_id,
                    position,
                    plan.chat_id,
                    message_id,
                    poll.entry_id,
                    poll.correct,
                    0,
                    0,
                ),
            )

    def answered(self, poll_id: str, option_ids: list[int]) -> Outcome | None:
        """Count one answer; in a private series, the score once every question is answered."""
        series_id = store.count_answer(self.db, poll_id, option_ids)
        if series_id is None:
            return None
        series = store.series(self.db, series_id)
        if series is None or not series.private or series.closed:
            return None  # groups close with the button; a private series only once
        polls = store.polls(self.db, series_id)
        if len(polls) < series.total or any(p.answered == 0 for p in polls):
            return None
        if not store.close_series(self.db, series_id):
            return None
        return Outcome(series.chat_id, self._results(series, polls), [])

    def close(self, series_id: int) -> Outcome | None:
        """Close a counted group series: the polls to stop and the results to show.

        None when the series is unknown or already closed (a second press shows nothing new).
        """
        series = store.series(self.db, series_id)
        if series is None or not series.counted or not store.close_series(self.db, series_id):
            return None
        polls = store.polls(self.db, series_id)
        stop = [(p.chat_id, p.message_id) for p in polls]
        return Outcome(series.chat_id, self._results(series, polls), stop)

    def _results(self, series: store.Series, polls: list[store.PollRecord]) -> View:
        lang = series.lang
        kb = self.answers.kb
        rows = [
            {
                "title": kb.entries[p.entry_id].title[lang] if p.entry_id in kb.entries else "",
                "answered": p.answered,
                "right": p.right,
            }
            for p in polls
        ]
        text = self.r.render(
            "outreach_quiz_results",
            lang,
            private=series.private,
            rows=rows,
            answered=sum(p.answered for p in polls),
            right=sum(p.right for p in polls),
            total=len(polls),
        )
        return View(text, lang=lang)
