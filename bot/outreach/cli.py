"""`bot.py calendar validate|show` and `bot.py quiz validate|show`: checking the outreach files.

Both files are reviewed data beside the knowledge base; these commands are what an admin runs
after editing them, before restarting the bot.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot import schema
from bot.config import Settings
from bot.kb import model as knowledge
from bot.outreach import store
from bot.outreach.calendar import CalendarError, calendar_from_text, load_calendar, plan
from bot.outreach.quiz import QuizError, build_poll, check_bank, read_bank, usable_ids
from bot.ui.render import Renderer, html_to_text


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the `calendar` and `quiz` commands to the top-level parser."""
    cal = sub.add_parser("calendar", help="the election calendar (knowledge/calendar.yaml)")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True)
    cal_sub.add_parser("validate", help="check knowledge/calendar.yaml against the knowledge base")
    cal_sub.add_parser(
        "show", help="the live calendar's reminders (an admin's upload, else the file)"
    )
    quiz = sub.add_parser("quiz", help="the quiz situations (knowledge/quiz.yaml)")
    quiz_sub = quiz.add_subparsers(dest="quiz_command", required=True)
    quiz_sub.add_parser("validate", help="check every quiz item against Telegram's limits")
    show = quiz_sub.add_parser("show", help="print every poll as users will see it")
    show.add_argument("--lang", choices=("id", "en"), default="id")


def _problems(title: str, problems: list[str]) -> int:
    print(title)
    for problem in problems:
        print(f"  - {problem}")
    return 2


def calendar(settings: Settings, args: argparse.Namespace) -> int:
    """Validate or show the calendar; exit 2 naming every problem."""
    kb = knowledge.load_directory(settings.knowledge_dir)
    db = None
    live = None
    if args.calendar_command == "show":
        db = schema.open_database(settings.database_path)
        live = store.live_calendar(db)
    try:
        if live:
            print(f"Live calendar uploaded by an admin at {live[1]} (it replaces the file).")
            cal = calendar_from_text(live[0], kb)
        else:
            cal = load_calendar(settings.knowledge_dir / "calendar.yaml", kb)
    except CalendarError as exc:
        return _problems("The calendar is invalid:", exc.problems)
    reminders = cal.reminders()
    if db is None:
        print(f"ok: {len(cal.elections)} elections, {len(reminders)} reminders")
        return 0
    now = datetime.now(UTC)
    pending = {r.key for r, _ in plan(cal, store.reminders_sent(db), now)}
    sent = store.reminders_sent(db)
    if not reminders:
        print("No election dates yet: add them to calendar.yaml (see the comments at its top).")
    for r in reminders:
        state = "sent" if r.key in sent else "scheduled" if r.key in pending else "past"
        when = r.starts.strftime("%Y-%m-%d %H:%M")
        dates = f"{r.span.start} .. {r.span.end}" if r.span.end != r.span.start else ""
        origin = "derived from voting day" if r.span.derived else r.span.source
        print(f"{when} {r.election.zone:4} {r.election.id} {r.period} {dates} [{state}]")
        print(f"    source: {origin}")
    return 0


def quiz(settings: Settings, args: argparse.Namespace) -> int:
    """Validate the quiz items or print every poll."""
    kb = knowledge.load_directory(settings.knowledge_dir)
    renderer = Renderer()
    try:
        bank = read_bank(settings.knowledge_dir / "quiz.yaml")
    except QuizError as exc:
        return _problems("The quiz file is invalid:", exc.problems)
    problems = check_bank(bank, kb, renderer)
    if problems:
        return _problems("Quiz items that cannot be asked:", problems)
    ids = usable_ids(bank, kb)
    if args.quiz_command == "validate":
        print(f"ok: {len(ids)} quiz items")
        return 0
    for eid in ids:
        poll = build_poll(bank.items[eid], kb.entries[eid], kb, bank, renderer, args.lang)
        print(f"[{eid}] {poll.question}")
        print(f"    answer: {poll.options[poll.correct]}")
        explanation = html_to_text(poll.explanation).replace("\n", "\n    ")
        print(f"    {explanation}")
    return 0


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Dispatch `calendar` and `quiz`."""
    return calendar(settings, args) if args.command == "calendar" else quiz(settings, args)
