"""Outreach core: quizzes that agree with the bot, the calendar, subscriptions, delivery."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml

from bot import retention, schema
from bot.answering.bands import ANSWER
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.outreach import store
from bot.outreach.broadcast import BLOCKED, FAILED, SENT
from bot.outreach.calendar import CalendarError, load_calendar, parse_calendar, plan
from bot.outreach.quiz import OPTIONS, check_bank, poll_problems, read_bank, usable_ids
from bot.outreach.service import Outreach, QuizPlan
from bot.ui.render import html_to_text

QUIZ_FILE = DEFAULT_KNOWLEDGE_DIR / "quiz.yaml"
CALENDAR_FILE = DEFAULT_KNOWLEDGE_DIR / "calendar.yaml"


@pytest.fixture(scope="module")
def bank():
    return read_bank(QUIZ_FILE)


@pytest.fixture
def outreach(shared_core) -> Outreach:
    """Outreach over the shared answering core and a fresh database of its own."""
    db = schema.open_database(None)
    return Outreach(db, shared_core.answers, read_bank(QUIZ_FILE), rng=random.Random(7))


def election(**overrides) -> dict:
    """One Pemilu with sourced campaign and voting dates, as an admin would write it."""
    base = {
        "id": "pemilu-uji",
        "kind": "pemilu",
        "name": {"id": "Pemilu Uji", "en": "Test Election"},
        "zone": "WIB",
        "campaign": {"start": "2030-01-01", "end": "2030-02-10", "source": "Keputusan KPU uji"},
        "voting": {"date": "2030-02-14", "source": "Keputusan KPU uji"},
    }
    return {**base, **overrides}


def calendar_data(*elections: dict) -> dict:
    data = yaml.safe_load(CALENDAR_FILE.read_text(encoding="utf-8"))
    data["elections"] = list(elections)
    return data


# -- quizzes -------------------------------------------------------------------------------------


def test_every_quiz_item_becomes_a_poll_telegram_accepts_in_both_languages(bank, shared_core):
    answers = shared_core.answers
    assert check_bank(bank, answers.kb, answers.renderer) == []
    assert len(usable_ids(bank, answers.kb)) == len(bank.items) >= 40
    outreach = Outreach(shared_core.db, answers, bank)
    for eid in bank.items:
        for lang in ("id", "en"):
            poll = outreach.poll_for(eid, lang)
            assert poll_problems(poll) == [], (eid, lang)
            # The explanation cites the source by name and item, as the rule's basis.
            assert "📜" in html_to_text(poll.explanation)


def test_asking_a_quiz_situation_gets_the_verdict_the_quiz_marks_correct(bank, shared_core):
    """The agreement test: a poll never contradicts what the bot answers to the same words, and
    the bot is sure enough of every quiz situation to answer it outright."""
    answers = shared_core.answers
    disagreements = []
    for eid in usable_ids(bank, answers.kb):
        expected = answers.kb.entries[eid].verdict
        for lang in ("id", "en"):
            view = answers.ask(bank.items[eid].situation[lang], lang, record=False)
            got = answers.kb.entries[view.entry_id].verdict if view.entry_id else None
            if view.band != ANSWER or got != expected:
                disagreements.append((eid, lang, view.band, view.entry_id, got))
    assert disagreements == []


def test_grey_area_entries_are_asked_only_with_grey_as_the_answer(bank, shared_core):
    kb = shared_core.answers.kb
    outreach = Outreach(shared_core.db, shared_core.answers, bank)
    grey_label = shared_core.answers.renderer.label("verdict_abu-abu", "id")
    grey = [eid for eid in bank.items if kb.entries[eid].verdict == "abu-abu"]
    assert grey, "the quiz should include grey-area entries"
    for eid in bank.items:
        poll = outreach.poll_for(eid, "id")
        assert (poll.options[poll.correct] == grey_label) == (eid in grey)
        assert poll.correct == OPTIONS.index(kb.entries[eid].verdict)


def test_only_clear_verdicts_and_true_grey_areas_are_quiz_material(bank, shared_core):
    """'Not ruled on', 'required' and 'info' entries have no right answer among the options."""
    kb = shared_core.answers.kb
    assert {kb.entries[eid].verdict for eid in bank.items} == {"boleh", "dilarang", "abu-abu"}
    # The newer topics are asked too.
    assert {kb.entries[eid].topic for eid in bank.items} >= {
        "penyelenggara-pemilu",
        "politik-uang",
        "non-asn",
    }


def test_the_shipped_quiz_starts_with_no_item_left_out(shared_core, caplog):
    outreach = Outreach.open(shared_core.db, shared_core.answers, DEFAULT_KNOWLEDGE_DIR)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert outreach.quiz_ids() == outreach.bank.ids()


def test_an_item_whose_entry_is_not_ruled_on_is_left_out_and_logged(shared_core, tmp_path, caplog):
    data = yaml.safe_load(QUIZ_FILE.read_text(encoding="utf-8"))
    data["items"].append({**data["items"][0], "entry": "timses-saksi"})  # 'belum-diatur'
    (tmp_path / "quiz.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    (tmp_path / "calendar.yaml").write_text(CALENDAR_FILE.read_text(encoding="utf-8"), "utf-8")
    outreach = Outreach.open(shared_core.db, shared_core.answers, tmp_path)
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "timses-saksi" in record.getMessage() and "'belum-diatur'" in record.getMessage()
    assert "timses-saksi" not in outreach.quiz_ids()
    assert len(outreach.quiz_ids()) == len(data["items"]) - 1


def test_a_quiz_item_citing_what_its_entry_does_not_is_refused(shared_core, tmp_path):
    data = yaml.safe_load(QUIZ_FILE.read_text(encoding="utf-8"))
    data["items"][0]["cite"] = {"source": "uu-7-2017", "item": "494"}
    data["items"][1]["rule"]["en"] = "x" * 190
    data["items"].append({**data["items"][2], "entry": "dasar-aturan"})  # a 'wajib' entry
    path = tmp_path / "quiz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    answers = shared_core.answers
    problems = check_bank(read_bank(path), answers.kb, answers.renderer)
    assert len(problems) == 3
    assert "does not" in problems[0] and "apk-pasang" in problems[0]
    assert "explanation has" in problems[1]
    assert "verdict 'wajib'" in problems[2]


def test_a_chat_sees_every_question_once_before_any_comes_back(outreach):
    total = len(outreach.quiz_ids())
    asked: list[str] = []
    while len(asked) < total:
        plan = outreach.quiz(501, "id", ["5"], private=True)
        assert isinstance(plan, QuizPlan)
        asked += [p.entry_id for p in plan.polls]
    first_round = asked[:total]
    assert sorted(first_round) == sorted(outreach.quiz_ids())
    # Another chat keeps its own round.
    other = outreach.quiz(502, "id", ["10"], private=True)
    assert len({p.entry_id for p in other.polls}) == 10


def test_a_series_is_in_the_chats_language_and_at_most_ten_questions(outreach):
    plan = outreach.quiz(-100, "en", ["50", "hasil"], private=False)
    assert len(plan.polls) == 10
    assert all(p.question.endswith("Is that allowed?") for p in plan.polls)
    # The options are the verdict labels answers show (labels.yaml), in English here.
    assert plan.polls[0].options == tuple(outreach.r.label(f"verdict_{v}", "en") for v in OPTIONS)
    assert plan.polls[0].options[0] == "✅ Allowed"
    assert plan.counted and not plan.anonymous
    assert "counted" in plan.after.text and plan.after.choices[0].action.startswith("kuis:tutup:")


def test_a_group_quiz_without_results_is_anonymous_and_counts_nothing(outreach):
    plan = outreach.quiz(-100, "id", ["3"], private=False)
    assert plan.anonymous and not plan.counted
    assert "/kuis 3 hasil" in plan.after.text
    for i, poll in enumerate(plan.polls):
        outreach.poll_sent(plan, i, poll, f"anon{i}", i + 1)
    assert store.polls(outreach.db, plan.series_id) == []
    assert outreach.answered("anon0", [1]) is None


def test_a_private_series_is_scored_after_the_last_answer(outreach):
    plan = outreach.quiz(501, "id", ["3"], private=True)
    for i, poll in enumerate(plan.polls):
        outreach.poll_sent(plan, i, poll, f"p{i}", 10 + i)
    wrong = (plan.polls[0].correct + 1) % 3
    assert outreach.answered("p0", [wrong]) is None
    assert outreach.answered("p1", [plan.polls[1].correct]) is None
    outcome = outreach.answered("p2", [plan.polls[2].correct])
    assert outcome.chat_id == 501
    text = html_to_text(outcome.view.text)
    assert "benar 2 dari 3 soal" in text
    assert text.count("✅") == 2 and text.count("❌") == 1


def test_closing_a_group_series_shows_counts_per_question_once(outreach):
    plan = outreach.quiz(-100, "id", ["2", "hasil"], private=False)
    for i, poll in enumerate(plan.polls):
        outreach.poll_sent(plan, i, poll, f"g{i}", 20 + i)
    right, wrong = plan.polls[0].correct, (plan.polls[0].correct + 1) % 3
    for option in (right, right, wrong):
        outreach.answered("g0", [option])
    outreach.answered("g1", [plan.polls[1].correct])
    outcome = outreach.close(plan.series_id)
    assert outcome.stop == [(-100, 20), (-100, 21)]
    text = html_to_text(outcome.view.text)
    assert "2 benar dari 3 jawaban" in text and "1 benar dari 1 jawaban" in text
    assert "Total: 3 jawaban benar dari 4 (75%)" in text
    assert outreach.close(plan.series_id) is None


def test_a_quiz_series_and_its_counts_go_thirty_days_after_it_closed(outreach):
    db = outreach.db
    closed_long_ago = outreach.quiz(-100, "id", ["2", "hasil"], private=False)
    closed_lately = outreach.quiz(-200, "id", ["2", "hasil"], private=False)
    outreach.quiz(-300, "id", ["2"], private=False)  # anonymous: never closes
    still_open = outreach.quiz(501, "id", ["3"], private=True)  # no answer yet
    for sent in (closed_long_ago, closed_lately, still_open):
        for i, poll in enumerate(sent.polls):
            outreach.poll_sent(sent, i, poll, f"{sent.series_id}-{i}", 10 + i)
    for sent in (closed_long_ago, closed_lately):
        assert outreach.close(sent.series_id) is not None
    now = datetime.now(UTC)

    def days_ago(n: int) -> str:
        return (now - timedelta(days=n)).isoformat(timespec="seconds")

    db.execute("UPDATE outreach_series SET started_at = ?", [days_ago(40)])
    db.execute(
        "UPDATE outreach_series SET closed_at = ? WHERE id = ?",
        [days_ago(31), closed_long_ago.series_id],
    )
    db.execute(
        "UPDATE outreach_series SET closed_at = ? WHERE id = ?",
        [days_ago(29), closed_lately.series_id],
    )
    db.execute(
        "UPDATE outreach_series SET started_at = ? WHERE id = ?",
        [days_ago(1), still_open.series_id],
    )
    assert {row["chat_id"] for row in db["outreach_quiz_seen"].rows} == {-100, -200, -300, 501}
    assert retention.purge_quizzes(db, now) == 2  # closed 31 days ago, anonymous of 40 days
    left = {row["chat_id"] for row in db["outreach_series"].rows}
    assert left == {-200, 501}
    assert {row["chat_id"] for row in db["outreach_polls"].rows} == {-200, 501}
    # The chats whose quizzes went are forgotten: not even which questions they saw is kept.
    assert {row["chat_id"] for row in db["outreach_quiz_seen"].rows} == {-200, 501}
    # The recent quizzes still work: the open private series is scored after its last answer.
    for i, poll in enumerate(still_open.polls):
        outcome = outreach.answered(f"{still_open.series_id}-{i}", [poll.correct])
    assert outcome is not None and "benar 3 dari 3 soal" in html_to_text(outcome.view.text)
    # The closed group quiz's button, pressed once more after its series went, shows nothing.
    assert outreach.close(closed_long_ago.series_id) is None


# -- the calendar --------------------------------------------------------------------------------


def test_the_shipped_calendar_is_valid_and_names_existing_entries(shared_core):
    calendar = load_calendar(CALENDAR_FILE, shared_core.answers.kb)
    assert set(calendar.rules) == {"kampanye", "masa-tenang", "pemungutan"}
    assert calendar.rules["masa-tenang"].days_before_voting == 3


def test_a_pemilu_quiet_period_is_the_three_days_before_voting_day(shared_core):
    calendar = parse_calendar(calendar_data(election()), shared_core.answers.kb)
    spans = calendar.elections[0].spans
    assert (spans["masa-tenang"].start, spans["masa-tenang"].end) == (
        date(2030, 2, 11),
        date(2030, 2, 13),
    )
    assert spans["masa-tenang"].derived and "Pasal 278" in spans["masa-tenang"].source
    # A Pilkada gets no quiet period the file does not give (the 3-day rule held is the Pemilu's).
    pilkada = parse_calendar(calendar_data(election(kind="pilkada")), shared_core.answers.kb)
    assert "masa-tenang" not in pilkada.elections[0].spans


def test_calendar_problems_name_the_election_and_the_field(shared_core):
    bad = election(
        id="pilkada-rusak",
        zone="CET",
        campaign={"start": "2030-02-01", "end": "2030-02-20", "source": ""},
        voting={"date": "2030-02-31", "source": "x"},
    )
    overlapping = election(
        id="pemilu-tumpang",
        campaign={"start": "2030-01-01", "end": "2030-02-12", "source": "x"},
    )
    data = calendar_data(bad, overlapping)
    data["periods"]["pemungutan"]["entries"].append("tidak-ada")
    with pytest.raises(CalendarError) as caught:
        parse_calendar(data, shared_core.answers.kb)
    problems = "\n".join(caught.value.problems)
    assert "election 'pilkada-rusak': zone 'CET'" in problems
    assert "pilkada-rusak' campaign: missing 'source'" in problems
    assert "'2030-02-31' is not a date" in problems
    assert "pemilu-tumpang': 'masa-tenang' (2030-02-11) must start after 'kampanye'" in problems
    assert "no entry 'tidak-ada'" in problems


def test_reminders_wait_for_their_day_catch_up_and_never_repeat(shared_core):
    calendar = parse_calendar(calendar_data(election()), shared_core.answers.kb)
    wib = calendar.elections[0].tz
    before = datetime(2029, 12, 31, 7, 0, tzinfo=wib)
    due = plan(calendar, set(), before)
    assert [r.period for r, _ in due] == ["kampanye", "masa-tenang", "pemungutan"]
    assert due[0][1] == timedelta(days=1).total_seconds()  # 07:00 on the first day
    # Restarted mid-campaign: the campaign reminder is still due, at once.
    mid = datetime(2030, 1, 20, tzinfo=wib)
    assert plan(calendar, set(), mid)[0][1] == 0
    # Already sent, or the period is over: nothing.
    assert [r.period for r, _ in plan(calendar, {due[0][0].key}, mid)] == [
        "masa-tenang",
        "pemungutan",
    ]
    after = datetime(2030, 2, 15, tzinfo=UTC)
    assert plan(calendar, set(), after) == []


# -- subscriptions and delivery -----------------------------------------------------------------


def test_subscribing_twice_keeps_one_chat_id_and_unsubscribing_forgets_it(outreach):
    assert "Berlangganan" in outreach.subscribe(77, "id").text
    assert "sudah berlangganan" in outreach.subscribe(77, "id").text
    assert store.subscribers(outreach.db) == [77]
    assert [r["chat_id"] for r in outreach.db["outreach_subscribers"].rows] == [77]
    assert "dihapus" in outreach.unsubscribe(77, "id").text
    assert "tidak berlangganan" in outreach.unsubscribe(77, "id").text
    assert store.subscribers(outreach.db) == []


def test_an_announcement_goes_once_and_a_blocked_chat_is_removed(outreach):
    for chat in (1, 2, 3):
        outreach.subscribe(chat, "id")
    preview = outreach.broadcasts.preview("Sosialisasi netralitas Senin <09.00>", "id")
    assert "3 obrolan" in preview.text and "&lt;09.00&gt;" in preview.text
    send_data = preview.choices[0].action
    announcement_id = int(send_data.rsplit(":", 1)[1])
    received: list[int] = []
    outcomes = {1: SENT, 2: BLOCKED, 3: FAILED}

    async def send(chat_id, view):
        received.append(chat_id)
        assert "Sosialisasi netralitas Senin" in view.text
        return outcomes[chat_id]

    report = asyncio.run(outreach.broadcasts.deliver(announcement_id, "id", send))
    assert html_to_text(report.text).splitlines()[1:3] == [
        "Terkirim: 1",
        "Gagal: 2 (1 obrolan memblokir bot atau sudah tidak ada, dan dihapus dari pelanggan)",
    ]
    assert store.subscribers(outreach.db) == [1, 3]
    again = asyncio.run(outreach.broadcasts.deliver(announcement_id, "id", send))
    assert "sudah dikirim atau dibatalkan" in again.text
    assert received == [1, 2, 3]
