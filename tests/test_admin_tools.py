"""Import, review queue, statistics and `kb history / revert / build`, on real databases."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from bot import cli
from bot.answering import store as storage
from bot.config import Settings
from bot.core import Core
from bot.curation import importer as admin_import
from bot.curation.editor import AdminError
from bot.curation.stats import collect, statistics_view
from bot.kb import store as kbstore
from bot.kb.formats import export_yaml

ENTRY = "medsos-bagikan"


def load_yaml(text: str):
    """The admin's editor opening an export (libyaml: the whole KB parses in a blink)."""
    return yaml.load(text, Loader=yaml.CSafeLoader)


def dump_yaml(data) -> str:
    """The admin's editor saving it."""
    return yaml.dump(data, Dumper=yaml.CSafeDumper)


def test_a_yaml_import_previews_and_applies_exactly_its_changes(core: Core):
    editor = core.admin.editor
    docs = load_yaml(export_yaml(editor.kb))
    docs[0]["entries"][0]["answer"]["en"] = "Changed by the import. Two sentences."
    changed = docs[0]["entries"][0]["id"]
    plan = admin_import.plan_import(editor, "kb.yaml", dump_yaml(docs).encode())
    assert (plan.added, plan.changed, plan.removed) == ([], [changed], [])
    admin_import.save_pending(editor, 3, plan)
    applied, changes = admin_import.apply_import(editor, 3, plan.token)
    assert [c.entry_id for c in changes] == [changed]
    assert editor.kb.entries[changed].answer["en"] == "Changed by the import. Two sentences."


def test_a_bad_yaml_import_names_the_entry_and_a_stale_plan_is_refused(core: Core):
    editor = core.admin.editor
    docs = load_yaml(export_yaml(editor.kb))
    del docs[2]["entries"][1]["citations"]
    try:
        admin_import.plan_import(editor, "kb.yaml", dump_yaml(docs).encode())
        raise AssertionError("accepted")
    except AdminError as err:
        assert f"topic '{docs[2]['topic']}' entry #2" in str(err)
    docs = load_yaml(export_yaml(editor.kb))
    docs[0]["entries"][0]["answer"]["id"] = "Jawaban dari impor. Dua kalimat."
    plan = admin_import.plan_import(editor, "kb.yml", dump_yaml(docs).encode())
    admin_import.save_pending(editor, 3, plan)
    first = editor.kb.entries[plan.changed[0]]
    editor.set_verdict(4, first.id, "abu-abu", first.version)  # someone else, in between
    try:
        admin_import.apply_import(editor, 3, plan.token)
        raise AssertionError("applied a stale plan")
    except AdminError as err:
        assert err.kind == "conflict"
    assert editor.kb.entries[first.id].verdict == "abu-abu"


def test_the_review_queue_groups_similar_questions_most_frequent_first(core: Core):
    for q in ("aturan baru", "Aturan baru", "aturan baru?", "resep soto ayam"):
        core.answers.ask(q, channel="test")
    liked = core.answers.ask("boleh share postingan paslon di grup WA kantor?", channel="test")
    storage.record_feedback(core.db, liked.entry_id, -1, liked.question_id)
    groups = core.admin.review.groups()
    assert groups[0].count == 3 and groups[0].question.startswith("aturan baru")
    assert any(g.disliked == [liked.entry_id] for g in groups)
    core.admin.review.dismiss(1, groups[0].key)
    assert all(not g.question.startswith("aturan") for g in core.admin.review.groups())


def test_statistics_count_days_bands_topics_and_feedback(core: Core):
    for q in ("boleh ikut kampanye?", "resep soto ayam", "aturan baru"):
        core.answers.ask(q, channel="test")
    stats = collect(core.db, core.answers)
    assert len(stats.days) == 30 and stats.total == 3
    assert round(stats.rate("answer") + stats.rate("suggest") + stats.rate("decline")) == 100
    assert stats.top_topics and stats.tips == {}


@pytest.mark.parametrize(
    ("zone", "day", "other"),
    [("Asia/Jakarta", "2026-11-30", "2026-11-29"), ("UTC", "2026-11-29", "2026-11-30")],
)
def test_statistics_count_a_late_evening_question_on_the_local_day(
    database, monkeypatch, zone, day, other
):
    # A question asked at 23:30 UTC on 29 November: 06:30 on the 30th in Jakarta.
    core = Core.open(Settings(database_path=database, time_zone=zone))
    monkeypatch.setattr(storage, "now_iso", lambda: "2026-11-29T23:30:00+00:00")
    core.answers.ask("boleh ikut kampanye?", channel="test")
    view, _chart, stats = statistics_view(core.db, core.answers, "en", today=date(2026, 11, 30))
    assert stats.total == 1
    assert f"{day}: 1" in view.text and f"{other}: 0" in view.text
    assert ("(today 1)" in view.text) == (day == "2026-11-30")


def test_cli_history_revert_and_build_that_would_drop_edits(database, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(database))
    core = Core.open(Settings(database_path=database))
    editor = core.admin.editor
    change = editor.set_verdict(9, ENTRY, "abu-abu", editor.kb.entries[ENTRY].version)
    assert cli.main(["kb", "history", ENTRY]) == 0
    assert "set_verdict" in capsys.readouterr().out
    core.db["kb_state"].upsert({"key": "content_hash", "value": "stale"}, pk="key")
    assert cli.main(["kb", "build"]) == 1
    out = capsys.readouterr().out
    assert f"{ENTRY}: verdict" in out and "kb export --to knowledge/" in out
    assert cli.main(["kb", "revert", str(change.id)]) == 0
    assert "reverted" in capsys.readouterr().out
    assert cli.main(["kb", "history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "revert" in lines[0] and "reverted by" in lines[1]
    assert cli.main(["kb", "build"]) == 0  # the revert matches the files again
    assert kbstore.load_from_db(core.db).entries[ENTRY].verdict != "abu-abu"


def test_the_guided_new_entry_builds_a_valid_entry_step_by_step(core: Core):
    from bot.curation.wizard import new_draft

    wizard = core.admin.wizard
    draft = new_draft("zebra di kantor boleh?", "id")
    draft = wizard.press(draft, "t:0")
    draft = wizard.press(draft, "v:info")
    for text in ("Zebra di kantor", "Zebras at the office"):
        draft = wizard.text(draft, text)
    draft = wizard.text(draft, "\n".join(f"zebra kantor pertanyaan {i}" for i in range(7)))
    draft = wizard.press(draft, "next")
    draft = wizard.text(draft, "zebra office one\nzebra office two\nzebra office three")
    draft = wizard.press(draft, "next")
    draft = wizard.text(draft, "Ini jawaban uji. Singkat.")
    draft = wizard.text(draft, "A test answer. Short.")
    assert draft["step"] == "cite" and not wizard.expects_text(draft)
    for action in ("s:0", "i:0", "done"):
        draft = wizard.press(draft, action)
        assert "<b>" in wizard.view(draft, "en").text
    saved, view = wizard.save(1, draft, "id")
    assert saved, view.text
    assert core.answers.wait_for_model(timeout=300)  # the matcher retrains off-thread
    assert core.answers.ask("zebra kantor pertanyaan 4", record=False).entry_id == "zebra-di-kantor"
