"""Admins are stopped, with the reason, when what they write makes no sense to a user: a one-word
answer, a phrasing under three words, literal HTML tags. Editor, import and wizard alike."""

from __future__ import annotations

import pytest
import yaml

from bot.core import Core
from bot.curation import importer as admin_import
from bot.curation.editor import AdminError
from bot.curation.wizard import new_draft
from bot.kb.formats import export_yaml
from bot.ui.render import html_to_text

ENTRY = "medsos-bagikan"


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("answer", "Ya", "the 'id' answer 'Ya' is too short: write at least one sentence"),
        ("answer", "<b>Tidak boleh</b>, karena melanggar.", "holds the HTML tag '<b>'"),
        ("phrasing", "kampanye", "has fewer than 3 words: write the question as a user"),
        ("phrasing", "boleh <i>share</i> status paslon?", "holds the HTML tag '<i>'"),
    ],
)
def test_the_editor_refuses_nonsense_with_the_reason_and_changes_nothing(
    core: Core, field, text, reason
):
    editor = core.admin.editor
    before = editor.kb.entries[ENTRY]
    version = before.version
    change = editor.set_answer if field == "answer" else editor.add_phrasing
    with pytest.raises(AdminError) as err:
        change(1, ENTRY, "id", text, version)
    assert reason in str(err.value)
    assert editor.kb.entries[ENTRY] == before and editor.history() == []
    view = core.admin.change(ENTRY, "en", lambda: change(1, ENTRY, "id", text, version))
    shown = html_to_text(view.text)
    assert "does not pass validation" in shown and reason.split(":")[0] in shown


def test_a_real_sentence_and_a_real_question_are_accepted(core: Core):
    editor = core.admin.editor
    version = editor.kb.entries[ENTRY].version
    editor.add_phrasing(1, ENTRY, "id", "boleh sebar ulang flyer paslon?", version)
    editor.set_answer(
        1, ENTRY, "en", "No. Forwarding campaign content is taking sides.", version + 1
    )
    assert editor.kb.entries[ENTRY].version == version + 2


def test_a_short_question_users_really_asked_can_still_join_an_entry_from_the_review_queue(
    core: Core,
):
    editor = core.admin.editor
    version = editor.kb.entries[ENTRY].version
    editor.add_phrasing(1, ENTRY, "id", "forward flyer", version, asked=True)
    assert "forward flyer" in editor.kb.entries[ENTRY].questions["id"]


def test_an_import_that_adds_nonsense_is_refused_naming_the_row(core: Core):
    editor = core.admin.editor
    docs = yaml.safe_load(export_yaml(editor.kb))
    docs[1]["entries"][0]["answer"]["en"] = "Forbidden."
    docs[1]["entries"][0]["questions"]["en"].append("rally?")
    with pytest.raises(AdminError) as err:
        admin_import.plan_import(editor, "kb.yaml", yaml.safe_dump(docs).encode())
    where = f"topic '{docs[1]['topic']}' entry #1"
    assert f"{where} entry '{docs[1]['entries'][0]['id']}': the 'en' answer 'Forbidden.'" in str(
        err.value
    )
    assert "the 'en' phrasing 'rally?' has fewer than 3 words" in str(err.value)
    # An unchanged export passes: only what an import adds or changes is checked.
    unchanged = admin_import.plan_import(editor, "kb.yaml", export_yaml(editor.kb).encode())
    assert unchanged.empty


def test_the_wizard_refuses_a_short_phrasing_or_answer_at_once_and_says_why(core: Core):
    wizard = core.admin.wizard
    draft = new_draft("aturan baru", "id")  # from the review queue: a real, short question
    draft = wizard.press(draft, "t:0")
    draft = wizard.press(draft, "v:info")
    draft = wizard.text(draft, "Zebra di kantor")
    draft = wizard.text(draft, "Zebras at the office")
    draft = wizard.text(draft, "zebra\n" + "\n".join(f"zebra kantor soal {i}" for i in range(7)))
    shown = html_to_text(wizard.view(draft, "en").text)
    assert "the phrasing 'zebra' has fewer than 3 words" in shown
    assert draft["questions"]["id"][0] == "aturan baru" and "zebra" not in draft["questions"]["id"]
    assert "fewer than 3 words" not in wizard.view(draft, "en").text  # said once
    draft = wizard.press(draft, "next")
    draft = wizard.text(draft, "zebra office one\nzebra office two\nzebra office three")
    draft = wizard.press(draft, "next")
    draft = wizard.text(draft, "Tidak.")
    assert draft["step"] == "answer_id"
    assert "the 'id' answer 'Tidak.' is too short" in html_to_text(wizard.view(draft, "en").text)
    draft = wizard.text(draft, "Ini jawaban uji yang cukup panjang.")
    draft = wizard.text(draft, "A <b>bold</b> test answer.")
    assert draft["step"] == "answer_en"
    assert "holds the HTML tag '<b>'" in html_to_text(wizard.view(draft, "en").text)
    draft = wizard.text(draft, "A plain test answer.")
    for action in ("s:0", "i:0", "done"):
        draft = wizard.press(draft, action)
    saved, view = wizard.save(1, draft, "id")
    assert saved, view.text
