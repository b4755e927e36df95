"""/privasi tells exactly what is stored and for how long; the files and retention hold to it."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot import retention, schema
from bot.answering import store as answering_store
from bot.config import Settings
from bot.core import Core
from bot.curation import store as curation_store
from bot.privacy import INVENTORY, covered_tables, privacy_view
from bot.ui.render import LANGUAGES, Renderer, html_to_text

SETTINGS = Settings(
    question_log_retention_days=77,
    report_retention_days=222,
    conversation_timeout_minutes=33,
    reports_per_day=4,
)


def test_every_table_of_the_database_is_accounted_for_in_privasi(tmp_path):
    db = schema.open_database(tmp_path / "bot.db")
    tables = {
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    }
    missing = tables - covered_tables()
    assert not missing, f"tables /privasi does not mention: {sorted(missing)}"
    assert not covered_tables() - tables, "the inventory names tables that do not exist"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_stored_item_has_its_own_paragraph_with_its_retention(lang):
    renderer = Renderer()
    heading = html_to_text(privacy_view(renderer, SETTINGS, lang, ()).text)
    paragraphs = {}
    for item in INVENTORY:
        text = html_to_text(privacy_view(renderer, SETTINGS, lang, (item,)).text)
        paragraph = text.replace(heading, "").strip()
        assert len(paragraph) > 40, (lang, item.key)
        paragraphs[item.key] = paragraph
    assert len(set(paragraphs.values())) == len(INVENTORY)
    days = "hari" if lang == "id" else "days"
    assert f"77 {days}" in paragraphs["questions"] and f"77 {days}" in paragraphs["feedback"]
    assert f"222 {days}" in paragraphs["tips"]
    assert "33" in paragraphs["drafts"] and "4" in paragraphs["quota"]
    assert f"30 {days}" in paragraphs["quizzes"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privasi_is_honest_about_contacts_and_keyed_hashes(lang):
    text = html_to_text(privacy_view(Renderer(), SETTINGS, lang).text)
    phone = "nomor telepon" if lang == "id" else "phone number"
    # The contact step may hold a phone number: /privasi says so, encrypted.
    assert text.count(phone) >= 2
    assert "HMAC" in text
    # A keyed hash is not a random fingerprint.
    assert "sidik acak" not in text and "random fingerprint" not in text


def test_the_database_and_its_directory_are_private_to_the_bot(tmp_path):
    data = tmp_path / "data"
    core = Core.open(Settings(database_path=data / "bot.db"))
    core.answers.ask("boleh kampanye?", channel="test")  # a write, so -wal and -shm exist
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("bot.db", "bot.db-wal", "bot.db-shm"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    path = tmp_path / "bot.db"
    schema.open_database(path).conn.close()
    path.chmod(0o644)
    schema.open_database(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_questions_ratings_and_review_records_go_after_their_retention(core):
    db = core.db
    answered = core.answers.ask("boleh like postingan caleg Zulkarnaen?", channel="test")
    assert answered.entry_id
    core.answers.feedback(answered.entry_id, True, answered.question_id, "id")
    curation_store.mark_done(db, 1, "dismissed", [("k", "pak Xaverius kampanye di Ypsilon")])
    # Everything so far was written 91 days ago; one question is from today.
    old = (datetime.now(UTC) - timedelta(days=91)).isoformat(timespec="seconds")
    for table, column in (("question_log", "asked_at"), ("feedback", "at"), ("review_done", "at")):
        db.execute(f"UPDATE {table} SET {column} = ?", [old])  # noqa: S608
    core.answers.ask("boleh pasang baliho?", channel="test")
    settings = replace(core.settings, question_log_retention_days=90)
    assert retention.purge_questions(db, settings) == 1
    assert [r["question"] for r in db["question_log"].rows] == ["boleh pasang baliho?"]
    assert db["feedback"].count == 0 and db["review_done"].count == 0
    raw = core.settings.database_path.read_bytes()
    assert b"Zulkarnaen" not in raw and b"Xaverius" not in raw
    assert answering_store.purge_before(db, old) == 0  # nothing older is left
