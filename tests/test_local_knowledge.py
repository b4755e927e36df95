"""A regency deploys the bot with its own circular and contact, without editing shipped files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR, ConfigError, Settings
from bot.core import Core
from bot.kb import formats as kbio
from bot.kb.model import KnowledgeError, load_directory
from bot.ui.render import html_to_text

TEST_KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="  # a Fernet key used only by tests
# A made-up regency: the example of the README, not a real circular.
CIRCULAR = {
    "id": "se-bupati-contoh-2024",
    "kind": "surat-edaran",
    "short": "SE Bupati Contoh No. 800/1/BKPSDM/2024 (2024)",
    "number": "800/1/BKPSDM/2024",
    "title": "Netralitas ASN Pemerintah Kabupaten Contoh pada Pilkada 2024",
    "issuer": "Bupati Contoh",
    "date": "2024-09-02",
    "election": "Pilkada 2024, ASN Pemerintah Kabupaten Contoh",
    "region": "Kabupaten Contoh",
    "year": "2024",
    "origin": "Teks surat edaran yang ditandatangani Bupati Contoh",
    "items": [
        {
            "key": "angka-3",
            "label": {"id": "angka 3", "en": "item 3"},
            "quoted": True,
            "text": "Setiap ASN wajib melaporkan dugaan pelanggaran netralitas kepada BKPSDM.",
        }
    ],
}
ENTRY = {
    "id": "se-bupati-contoh",
    "verdict": "info",
    "title": {
        "id": "SE Bupati Contoh tentang netralitas ASN (2024)",
        "en": "The Contoh regent's circular on neutrality (2024)",
    },
    "questions": {
        "id": [
            "apa isi surat edaran bupati contoh soal netralitas",
            "se bupati contoh 800/1/BKPSDM/2024 isinya apa",
            "edaran netralitas kabupaten contoh pilkada 2024",
            "ada surat edaran netralitas dari pemkab contoh?",
            "surat edaran bupati contoh mewajibkan asn melapor ke mana",
            "se netralitas kab contoh tanggal 2 september 2024",
            "poin poin edaran bupati contoh tentang asn netral",
            "saya asn pemkab contoh, ada edaran netralitas tidak",
        ],
        "en": [
            "What does the Contoh regent's circular on neutrality say?",
            "Is there a neutrality circular in Contoh regency?",
            "Summarise circular 800/1/BKPSDM/2024 of Contoh regency",
        ],
    },
    "answer": {
        "id": "SE Bupati Contoh No. 800/1/BKPSDM/2024 meminta setiap ASN Pemerintah Kabupaten "
        "Contoh melaporkan dugaan pelanggaran netralitas kepada BKPSDM.",
        "en": "The Contoh regent's circular No. 800/1/BKPSDM/2024 asks every civil servant of "
        "the Contoh regency to report suspected breaches of neutrality to the BKPSDM.",
    },
    "citations": [{"source": "se-bupati-contoh-2024", "item": "angka-3"}],
    "related": ["se-sekadau"],
}


def write_local(directory: Path, source: dict = CIRCULAR, entry: dict = ENTRY) -> Path:
    """A local knowledge directory with one circular and one entry citing it."""
    (directory / "sources").mkdir(parents=True)
    (directory / "entries").mkdir()
    (directory / "sources" / f"{source['id']}.yaml").write_text(
        yaml.safe_dump(source, allow_unicode=True), encoding="utf-8"
    )
    document = {"topic": "surat-edaran", "entries": [entry]}
    (directory / "entries" / "lokal.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )
    return directory


@pytest.fixture
def regency(tmp_path) -> Core:
    """The bot as the Contoh regency deploys it: its circular, its name and contact."""
    local = write_local(tmp_path / "lokal")
    settings = Settings.load(
        {
            "DATABASE_PATH": str(tmp_path / "bot.db"),
            "LOCAL_KNOWLEDGE_DIR": str(local),
            "ORG_NAME": "BKPSDM Kabupaten Contoh",
            "ORG_CONTACT": "@bkpsdm_contoh",
            "REPORT_ENCRYPTION_KEY": TEST_KEY,
        },
        env_file=None,
    )
    return Core.open(settings)


def test_a_regency_s_own_circular_is_answered_and_cited_beside_the_shipped_knowledge(regency):
    view = regency.answers.ask("apa isi surat edaran bupati contoh soal netralitas")
    assert view.entry_id == "se-bupati-contoh"
    text = html_to_text(view.text)
    assert "SE Bupati Contoh No. 800/1/BKPSDM/2024 (2024)" in text
    assert "hanya berlaku di Kabupaten Contoh" in text
    basis = html_to_text(regency.answers.basis_view("se-bupati-contoh", "id").text)
    assert "Setiap ASN wajib melaporkan dugaan pelanggaran netralitas kepada BKPSDM." in basis
    # The shipped knowledge is all still there.
    shipped = load_directory(DEFAULT_KNOWLEDGE_DIR)
    assert set(shipped.entries) < set(regency.answers.kb.entries)
    assert regency.answers.kb.local == {"se-bupati-contoh", "source:se-bupati-contoh-2024"}


def test_the_regency_s_name_and_contact_appear_where_users_are_sent_elsewhere(regency):
    declined = html_to_text(regency.answers.ask("resep nasi goreng yang enak", lang="id").text)
    assert "BKPSDM Kabupaten Contoh (@bkpsdm_contoh)" in declined
    help_en = html_to_text(regency.answers.help_view("en", bot_username="bot").text)
    assert "contact BKPSDM Kabupaten Contoh (@bkpsdm_contoh)" in help_en
    notice = html_to_text(regency.reports.start(4242, "id").view.text)
    assert "langsung ke BKPSDM Kabupaten Contoh: @bkpsdm_contoh" in notice


def test_without_an_organisation_the_texts_point_to_the_agency_s_bkpsdm(shared_core):
    declined = html_to_text(shared_core.answers.ask("resep nasi goreng yang enak", lang="en").text)
    assert "contact your agency's BKPSDM/BKD" in declined


@pytest.mark.parametrize(
    ("source", "entry", "reason"),
    [
        (
            CIRCULAR | {"id": "skb-2022"},
            ENTRY | {"citations": [{"source": "skb-2022", "item": "angka-3"}]},
            "local/sources/skb-2022.yaml: duplicate source id 'skb-2022' (already used in "
            "sources/skb-2022.yaml); choose another id",
        ),
        (
            CIRCULAR,
            ENTRY | {"id": "se-sekadau", "related": []},
            "local/entries/lokal.yaml entry 'se-sekadau': duplicate id (already used in "
            "entries/surat-edaran.yaml); choose another id",
        ),
    ],
    ids=["source", "entry"],
)
def test_a_local_id_that_is_already_shipped_is_refused_with_the_reason(
    tmp_path, source, entry, reason
):
    local = write_local(tmp_path / "lokal", source, entry)
    with pytest.raises(KnowledgeError) as err:
        load_directory(DEFAULT_KNOWLEDGE_DIR, local)
    assert reason in err.value.problems


def test_a_local_entry_is_validated_like_a_shipped_one(tmp_path):
    broken = ENTRY | {"citations": [{"source": "se-bupati-contoh-2024", "item": "angka-9"}]}
    local = write_local(tmp_path / "lokal", CIRCULAR, broken)
    with pytest.raises(KnowledgeError, match="unknown item 'angka-9'"):
        load_directory(DEFAULT_KNOWLEDGE_DIR, local)


def test_a_missing_local_directory_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigError, match="LOCAL_KNOWLEDGE_DIR"):
        Settings.load({"LOCAL_KNOWLEDGE_DIR": str(tmp_path / "nowhere")}, env_file=None)


def test_exporting_to_the_shipped_folder_leaves_the_local_entries_out(regency, tmp_path):
    written = kbio.write_entry_files(regency.answers.kb, tmp_path / "export")
    text = "".join(path.read_text(encoding="utf-8") for path in written)
    assert "se-sekadau" in text
    assert "se-bupati-contoh" not in text
