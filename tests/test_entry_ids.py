"""Entry ids ride in every answer's buttons: one too long, or with odd characters, is refused
wherever it comes from (files, an import, the admin's editor), with the reason."""

from __future__ import annotations

import pytest
import yaml

from bot.core import Core
from bot.curation import importer as admin_import
from bot.curation.editor import AdminError, entry_state
from bot.curation.wizard import new_draft
from bot.kb.formats import export_tsv, export_yaml
from bot.kb.model import MAX_ENTRY_ID, KnowledgeError, load_directory
from bot.ui import actions

TOO_LONG = "netralitas-asn-" + "x" * 50  # 65 characters, as in the import that broke buttons


def test_the_limit_leaves_every_button_of_an_entry_within_telegram_s_64_bytes():
    longest = "x" * MAX_ENTRY_ID
    for spec in actions.SPECS.values():
        if "entry" in spec.params:
            args = [longest if p == "entry" else actions.WIDEST[p] for p in spec.params]
            assert len(actions.encode(spec, *args).encode()) <= 64
    assert MAX_ENTRY_ID == actions.room_for("entry") >= 33  # the longest shipped id is 33


def test_an_over_long_entry_id_in_the_files_is_refused_with_the_reason(kb_copy):
    path = sorted((kb_copy / "entries").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["entries"][0]["id"] = TOO_LONG
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_directory(kb_copy)
    assert (
        f"entries/{path.name} entry '{TOO_LONG}': id '{TOO_LONG}' has 65 characters, "
        f"at most {MAX_ENTRY_ID}: it rides in the buttons' data, which Telegram limits to 64 bytes"
    ) in err.value.problems


@pytest.mark.parametrize("bad", ["Medsos-Bagikan", "medsos.bagikan", "medsos:bagikan", "a--b"])
def test_an_id_with_other_characters_is_refused(kb_copy, bad):
    path = sorted((kb_copy / "entries").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["entries"][0]["id"] = bad
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="only lowercase letters, digits and single dashes"):
        load_directory(kb_copy)


def test_an_import_with_an_over_long_id_is_refused_naming_the_row(core: Core):
    editor = core.admin.editor
    docs = yaml.safe_load(export_yaml(editor.kb))
    docs[0]["entries"][0]["id"] = TOO_LONG
    with pytest.raises(AdminError) as err:
        admin_import.plan_import(editor, "kb.yaml", yaml.safe_dump(docs).encode())
    assert f"topic '{docs[0]['topic']}' entry #1" in str(err.value)
    assert "has 65 characters" in str(err.value)
    lines = export_tsv(editor.kb).splitlines()
    lines[3] = TOO_LONG + lines[3][lines[3].index("\t") :]
    with pytest.raises(AdminError, match="line 4 entry .* has 65 characters"):
        admin_import.plan_import(editor, "kb.tsv", "\n".join(lines).encode())
    view = core.admin.import_preview(1, "kb.yaml", yaml.safe_dump(docs).encode(), "en")
    assert "has 65 characters" in view.text and not view.choices  # nothing to apply


def test_the_admin_editor_refuses_an_over_long_id_and_the_wizard_never_makes_one(core: Core):
    editor = core.admin.editor
    state = editor.kb.entries["medsos-bagikan"]
    new = entry_state(state) | {"id": TOO_LONG, "questions": {"id": [], "en": []}}
    with pytest.raises(AdminError, match="has 65 characters"):
        editor.create(1, new)
    draft = new_draft()
    draft["title"]["id"] = "Bolehkah ASN yang menjabat sebagai kepala bidang ikut rapat umum calon"
    assert len(core.admin.wizard.entry_id(draft)) <= MAX_ENTRY_ID
