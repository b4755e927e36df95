"""The knowledge-base editor on a real temporary database: validation, versions, audit, revert."""

from __future__ import annotations

import pytest

from bot.core import Core
from bot.curation.editor import AdminError, KbEditor
from bot.kb import store as kbstore

ENTRY = "medsos-bagikan"


@pytest.fixture
def editor(core: Core) -> KbEditor:
    return core.admin.editor


def test_an_added_phrasing_answers_the_next_question_and_is_audited(editor: KbEditor, core: Core):
    question = "aturan baru soal itu gimana bos"
    assert core.answers.ask(question, record=False).entry_id != ENTRY
    version = editor.kb.entries[ENTRY].version
    change = editor.add_phrasing(7, ENTRY, "id", question, version)
    assert core.answers.ask(question, record=False).entry_id == ENTRY
    assert change.admin_id == 7 and change.action == "add_phrasing"
    assert question not in change.before["questions"]["id"]
    assert question in change.after["questions"]["id"]
    assert editor.kb.entries[ENTRY].version == version + 1
    assert question in kbstore.load_from_db(core.db).entries[ENTRY].questions["id"]


def test_an_edit_based_on_an_older_version_is_refused(editor: KbEditor):
    version = editor.kb.entries[ENTRY].version
    editor.set_answer(1, ENTRY, "en", "First admin's answer. It is short.", version)
    with pytest.raises(AdminError) as err:
        editor.set_answer(2, ENTRY, "en", "Second admin's answer, from a stale screen.", version)
    assert err.value.kind == "conflict"
    assert editor.kb.entries[ENTRY].answer["en"] == "First admin's answer. It is short."


def test_an_invalid_change_is_refused_with_the_reason_and_changes_nothing(editor: KbEditor):
    taken = editor.kb.entries["medsos-suka-komentar"].questions["id"][0]
    version = editor.kb.entries[ENTRY].version
    with pytest.raises(AdminError) as err:
        editor.add_phrasing(1, ENTRY, "id", taken, version)
    assert "duplicate phrasing" in str(err.value)
    with pytest.raises(AdminError) as err:
        editor.set_verdict(1, ENTRY, "mungkin", version)
    assert "verdict" in str(err.value)
    assert editor.kb.entries[ENTRY].version == version
    assert editor.history() == []


def test_retire_then_revert_brings_the_entry_back(editor: KbEditor, core: Core):
    lonely = [t for t in editor.kb.topics if len(editor.kb.entries_of(t)) == 1]
    if lonely:  # retiring the only entry of a topic breaks the files' rules
        only = editor.kb.entries_of(lonely[0])[0]
        with pytest.raises(AdminError, match="no entries"):
            editor.retire(1, only.id, only.version)
    target = next(e for e in editor.kb.entries.values() if len(editor.kb.entries_of(e.topic)) > 1)
    linked = [o.id for o in editor.kb.entries.values() if target.id in o.related]
    retired = editor.retire(1, target.id, target.version)
    assert target.id not in editor.kb.entries and retired.after is None
    assert not any(target.id in o.related for o in editor.kb.entries.values())
    assert {c.entry_id for c in editor.history() if c.action == "unlink"} == set(linked)
    back = editor.revert(2, retired.id)
    assert target.id in editor.kb.entries and back.action == "revert"
    assert editor.change(retired.id).reverted_by == back.id
    with pytest.raises(AdminError):
        editor.revert(2, retired.id)


def test_revert_restores_the_previous_answer_and_history_lists_both(editor: KbEditor):
    before = editor.kb.entries[ENTRY].answer["id"]
    edit = editor.set_answer(5, ENTRY, "id", "Jawaban baru. Singkat saja.", 1)
    undo = editor.revert(6, edit.id)
    assert editor.kb.entries[ENTRY].answer["id"] == before
    assert [c.id for c in editor.history(ENTRY)] == [undo.id, edit.id]


def test_create_a_new_entry_validated_like_the_files(editor: KbEditor, core: Core):
    state = {
        "id": "uji-entri-baru",
        "topic": "sanksi",
        "verdict": "info",
        "title": {"id": "Entri uji", "en": "Test entry"},
        "questions": {
            "id": [f"pertanyaan uji nomor {i} tentang zebra" for i in range(8)],
            "en": [f"test question {i} about zebras" for i in range(3)],
        },
        "answer": {"id": "Ini jawaban uji.", "en": "This is a test answer."},
        "citations": [{"source": "nope", "item": "x"}],
    }
    with pytest.raises(AdminError, match="unknown source"):
        editor.create(1, state)
    source = next(iter(editor.kb.sources.values()))
    state["citations"] = [{"source": source.id, "item": next(iter(source.items))}]
    editor.create(1, state)
    assert core.answers.ask("pertanyaan uji nomor 3 tentang zebra", record=False).entry_id == (
        "uji-entri-baru"
    )
    with pytest.raises(AdminError, match="already used"):
        editor.create(1, state)


def test_rebuild_from_files_refuses_to_drop_admin_edits_unless_forced(editor: KbEditor, core):
    editor.set_verdict(1, ENTRY, "abu-abu", editor.kb.entries[ENTRY].version)
    db, directory = core.db, core.settings.knowledge_dir
    db["kb_state"].upsert({"key": "content_hash", "value": "stale"}, pk="key")
    with pytest.raises(kbstore.UnsavedEditsError) as err:
        kbstore.sync(db, directory)
    assert err.value.differences == [f"{ENTRY}: verdict"]
    reopened = Core.open(core.settings)  # start-up keeps the live version and warns
    assert reopened.answers.kb.entries[ENTRY].verdict == "abu-abu"
    rebuilt, kb = kbstore.sync(db, directory, force=True)
    assert rebuilt and kb.entries[ENTRY].verdict != "abu-abu"
    db["kb_state"].upsert({"key": "content_hash", "value": "stale"}, pk="key")
    assert kbstore.sync(db, directory)[0]  # nothing left to lose
