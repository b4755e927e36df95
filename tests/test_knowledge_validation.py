"""A reviewer who breaks a knowledge file is told which file and entry, and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import schema as storage
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.kb import store as kbstore
from bot.kb.model import KnowledgeError, load_directory


def _edit_first_entry(kb_dir: Path, change) -> Path:
    path = sorted((kb_dir / "entries").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["entries"][0], data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _problems(kb_dir: Path) -> str:
    with pytest.raises(KnowledgeError) as err:
        load_directory(kb_dir)
    return str(err.value)


def test_the_shipped_knowledge_base_is_valid_and_covers_every_topic():
    kb = load_directory(DEFAULT_KNOWLEDGE_DIR)
    assert len(kb.topics) == 27
    for topic in kb.topics:
        assert kb.entries_of(topic), topic


def test_every_entry_has_enough_phrasings_in_both_languages_and_a_citation():
    kb = load_directory(DEFAULT_KNOWLEDGE_DIR)
    for entry in kb.entries.values():
        assert len(entry.questions["id"]) >= 8, entry.id
        assert len(entry.questions["en"]) >= 3, entry.id
        assert entry.citations, entry.id


def test_unknown_topic_names_file_and_entry(kb_copy):
    path = _edit_first_entry(kb_copy, lambda e, d: d.update(topic="pemilu-lain"))
    message = _problems(kb_copy)
    assert f"entries/{path.name}" in message and "unknown topic 'pemilu-lain'" in message


def test_citation_to_unknown_source_or_item_is_refused(kb_copy):
    def change(entry, _):
        entry["citations"] = [{"source": "se-fiktif-2099", "item": "A.1"}]
        entry["id"] = "entri-uji"

    _edit_first_entry(kb_copy, change)
    message = _problems(kb_copy)
    assert "entry 'entri-uji': citation to unknown source 'se-fiktif-2099'" in message

    def change_item(entry, _):
        entry["citations"] = [{"source": "se-sekadau-2023", "item": "Z.9"}]

    _edit_first_entry(kb_copy, change_item)
    assert "unknown item 'Z.9' of source 'se-sekadau-2023'" in _problems(kb_copy)


def test_missing_field_is_named(kb_copy):
    _edit_first_entry(kb_copy, lambda e, d: e.pop("answer"))
    assert "field 'answer' needs non-empty 'id' and 'en' texts" in _problems(kb_copy)


def test_duplicate_id_and_duplicate_phrasing_are_refused(kb_copy):
    def duplicate(entry, data):
        data["entries"].append(dict(entry))

    _edit_first_entry(kb_copy, duplicate)
    message = _problems(kb_copy)
    assert "duplicate id" in message


def test_duplicate_phrasing_across_entries_is_refused(kb_copy):
    def copy_question(entry, data):
        data["entries"][1]["questions"]["id"].append(entry["questions"]["id"][0])

    _edit_first_entry(kb_copy, copy_question)
    assert "duplicate phrasing" in _problems(kb_copy)


def test_malformed_yaml_names_the_file(kb_copy):
    path = sorted((kb_copy / "entries").glob("*.yaml"))[-1]
    path.write_text("topic: sanksi\nentries: [\n  - id: x\n", encoding="utf-8")
    assert f"{path.name}: malformed YAML" in _problems(kb_copy)


def test_database_is_rebuilt_only_when_the_files_change(kb_copy, tmp_path):
    db = storage.open_database(tmp_path / "kb.db")
    rebuilt, kb = kbstore.sync(db, kb_copy)
    assert rebuilt and kb.entries
    rebuilt, _ = kbstore.sync(db, kb_copy)
    assert not rebuilt

    def retitle(entry, _):
        entry["title"]["id"] = "Judul yang diperbarui"

    path = _edit_first_entry(kb_copy, retitle)
    rebuilt, kb = kbstore.sync(db, kb_copy)
    assert rebuilt
    first_id = yaml.safe_load(path.read_text())["entries"][0]["id"]
    assert kb.entries[first_id].title["id"] == "Judul yang diperbarui"


def _validate(kb_dir: Path, monkeypatch, capsys) -> tuple[int, str]:
    """`python bot.py kb validate` over `kb_dir`: (exit status, what the reviewer reads)."""
    from bot import cli

    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb_dir))
    status = cli.main(["kb", "validate"])
    out = capsys.readouterr()
    return status, out.out + out.err


def test_kb_validate_names_the_problems_of_the_out_of_scope_and_small_talk_files(
    kb_copy, monkeypatch, capsys
):
    kb = load_directory(kb_copy)
    phrasing = kb.entries[sorted(kb.entries)[0]].questions["id"][0]
    off = yaml.safe_load((kb_copy / "offtopic.yaml").read_text(encoding="utf-8"))
    gaji = off["groups"][0]
    gaji["id"] += [gaji["id"][0].upper(), f"  {phrasing.upper()} !!"]  # copied from an entry
    off["groups"] += [{"theme": "arisan", "id": ["arisan kantor bulan ini di rumah siapa"]}, {}]
    (kb_copy / "offtopic.yaml").write_text(yaml.safe_dump(off, allow_unicode=True), "utf-8")
    intents = yaml.safe_load((kb_copy / "intents.yaml").read_text(encoding="utf-8"))
    intents["intents"] += [
        {"id": "farewell", "questions": {"id": ["dadah min", "sampai jumpa"]}},
        {"id": "thanks", "questions": {"id": ["nuhun"], "en": ["ta"]}},
    ]
    (kb_copy / "intents.yaml").write_text(yaml.safe_dump(intents, allow_unicode=True), "utf-8")

    status, text = _validate(kb_copy, monkeypatch, capsys)
    assert status == 2 and "The knowledge base is invalid:" in text
    where = "offtopic.yaml group 1 (theme 'gaji') 'id'"
    assert f"{where}: duplicate of a line in {where}: {gaji['id'][0].upper()!r}" in text
    copied = f"  {phrasing.upper()} !!"
    assert f"{copied!r} reads the same as a phrasing of entry '{sorted(kb.entries)[0]}'" in text
    assert "offtopic.yaml theme 'arisan': has no 'en' lines" in text
    assert f"offtopic.yaml group {len(off['groups'])}: " in text
    assert "intents.yaml intent 'farewell' 'en': expected a non-empty list of texts" in text
    assert "intents.yaml intent 'farewell': no reply template id/intent_farewell.j2" in text
    assert "intents.yaml intent 'thanks': duplicate id" in text


def test_kb_validate_names_a_malformed_small_talk_file_with_the_entries_problems(
    kb_copy, monkeypatch, capsys
):
    _edit_first_entry(kb_copy, lambda e, d: d.update(topic="pemilu-lain"))
    (kb_copy / "intents.yaml").write_text("intents:\n  - id: greeting\n   questions: [", "utf-8")
    status, text = _validate(kb_copy, monkeypatch, capsys)
    assert status == 2
    assert "unknown topic 'pemilu-lain'" in text and "intents.yaml: malformed YAML" in text
    assert "ok:" not in text


def test_a_word_both_slang_and_english_gloss_is_refused(kb_copy):
    """A word in both sections would fold one way and count as two languages: one must go."""
    path = kb_copy / "slang.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["slang"]["teachers"] = "pengajar"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert "'teachers' is both slang and an English gloss" in _problems(kb_copy)


def test_a_bare_yaml_boolean_in_a_word_list_is_refused(kb_copy):
    """Unquoted, YAML reads `on` as true: the stopword would silently become the word "true"."""
    path = kb_copy / "slang.yaml"
    text = path.read_text(encoding="utf-8")
    assert "'on'" in text
    path.write_text(text.replace("'on'", "on", 1), encoding="utf-8")
    assert "True is not a word: quote it" in _problems(kb_copy)
