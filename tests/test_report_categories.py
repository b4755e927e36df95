"""Every forbidden act has its report category: the report button under a "Dilarang" answer
opens a tip with that category already chosen, and the mapping is data, validated."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from bot.core import Core
from bot.curation.editor import AdminError
from bot.kb.categories import FILE, OTHER
from bot.kb.model import KnowledgeError, load_directory
from bot.ui.render import html_to_text

KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="  # a Fernet key used only by tests


@pytest.fixture
def reporting(tmp_path) -> Core:
    return Core.open(Settings(database_path=tmp_path / "bot.db", report_encryption_key=KEY))


def report_button(core: Core, entry_id: str) -> str:
    view = core.answers.entry_view(entry_id, "id")
    [action] = [b.action for b in view.choices if b.action.startswith("lapor:")]
    return action.partition(":")[2]


def test_every_forbidden_answer_preselects_a_category_of_its_own(shared_core):
    kb = shared_core.answers.kb
    forbidden = [e for e in kb.entries.values() if e.verdict == "dilarang"]
    assert len(forbidden) > 40
    for entry in forbidden:
        category = report_button(shared_core, entry.id)
        assert category in kb.report_categories and category != OTHER, entry.id


@pytest.mark.parametrize(
    ("entry_id", "category", "title"),
    [
        ("timses-anggota", "tim-kampanye", "Menjadi tim kampanye"),
        ("partai-anggota", "anggota-partai", "Anggota atau pengurus partai politik"),
        ("kades-tim-kampanye", "kepala-desa", "Kepala desa atau perangkat desa berpihak"),
        ("pencalonan-dekati-partai", "pencalonan", "Maju sebagai calon tanpa mundur"),
        ("ktp-surat-dukungan", "dukungan-ktp", "Dukungan dengan fotokopi KTP"),
        ("uang-beri-pemilih", "politik-uang", "Politik uang"),
        ("nonasn-tni", "non-asn", "Honorer, PPNPN, TNI atau Polri berpihak"),
        ("pilih-tunjukkan", "media-sosial", "Media sosial"),
    ],
)
def test_a_reporter_coming_from_a_forbidden_answer_starts_in_its_category(
    reporting, entry_id, category, title
):
    assert report_button(reporting, entry_id) == category
    reports = reporting.reports
    reports.start(7, "id", category)
    shown = html_to_text(reports.press(7, "go", "id").view.text)
    assert f"Kategori: {title}" in shown and "Apa yang terjadi?" in shown


def test_a_reporter_choosing_by_hand_sees_every_category_with_other_last(reporting):
    reports = reporting.reports
    reports.start(8, "en")
    view = reports.press(8, "go", "en").view
    labels = [b.label for b in view.choices][:-1]  # without Cancel
    kb = reporting.answers.kb
    assert labels[-1] == "Other" and len(labels) == len(kb.report_categories)
    for needed in ("Money politics", "Village heads", "Running for office without resigning"):
        assert any(label.startswith(needed) for label in labels), needed


def _categories(kb_dir: Path) -> list[dict]:
    return yaml.safe_load((kb_dir / FILE).read_text(encoding="utf-8"))


def _write(kb_dir: Path, data: list[dict]) -> None:
    (kb_dir / FILE).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_prohibition_without_a_category_is_refused_with_the_reason(kb_copy):
    data = [c for c in _categories(kb_copy) if c["id"] != "politik-uang"]
    _write(kb_copy, data)
    with pytest.raises(KnowledgeError) as err:
        load_directory(kb_copy)
    assert (
        "entry 'uang-terima' is dilarang but no report category covers it: add its topic "
        f"'politik-uang' or its id to a category in {FILE}"
    ) in err.value.problems


def test_unknown_or_twice_named_topics_and_a_missing_other_are_refused(kb_copy):
    data = _categories(kb_copy)
    data[0]["topics"].append("pemilu-lain")
    data[1]["topics"].append("kampanye-ikut")
    _write(kb_copy, [c for c in data if c["id"] != OTHER])
    with pytest.raises(KnowledgeError) as err:
        load_directory(kb_copy)
    message = str(err.value)
    assert f"{FILE} category 'kampanye-ikut': unknown topic 'pemilu-lain'" in message
    assert "topic 'kampanye-ikut' is also in 'kampanye-ikut'" in message
    assert f"the category '{OTHER}' (anything else) is missing" in message


def test_an_admin_cannot_make_an_uncategorised_act_forbidden_without_a_category(core):
    editor = core.admin.editor
    entry = next(e for e in editor.kb.entries.values() if e.topic == "sanksi")
    with pytest.raises(AdminError, match="no report category covers it"):
        editor.set_verdict(1, entry.id, "dilarang", entry.version)
