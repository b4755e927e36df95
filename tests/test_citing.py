"""Stories of ASN who quote the bot to a superior: the first reply names what it rests on.

Questions written for these tests; not copied from the knowledge base or the eval files.
"""

from __future__ import annotations

import pytest
import yaml

from bot.answering.bands import ANSWER
from bot.kb.model import KnowledgeError, load_directory
from bot.ui.render import html_to_text

SEKADAU = "863/2219/BKPSDM/2023"
BATANG = "800/169/2023"

# (question, entry that must answer, a number or article the reply must name)
STORIES = [
    ("pas masa tenang pns masih harus netral ga sih?", "waktu-masa-tenang", SEKADAU),
    (
        "boleh gak asn ngucapin selamat ke bupati terpilih di status wa?",
        "waktu-ucapan-selamat",
        SEKADAU,
    ),
    (
        "bupati petahana bagi-bagi bansos pakai program dinas sebelum penetapan paslon, boleh?",
        "keputusan-petahana",
        SEKADAU,
    ),
    ("pak kades boleh jadi ketua ranting partai?", "kades-pengurus-partai", BATANG),
    ("Can I still report a neutrality breach to KASN?", "lapor-kasn-bkn", SEKADAU),
    ("mau lapor serangan fajar ke mana ya?", "uang-lapor", "Pasal 515"),
    ("tenaga honorer boleh ikut kampanye caleg?", "nonasn-honorer-dukung", "PP 94/2021"),
]


@pytest.mark.parametrize(("question", "entry_id", "reference"), STORIES)
def test_the_answer_names_the_circular_or_article_it_rests_on(
    shared_core, question, entry_id, reference
):
    view = shared_core.answers.ask(question, record=False)
    assert view.band == ANSWER and view.entry_id == entry_id, (question, view.candidates)
    assert reference in html_to_text(view.text)


def test_every_ruling_shows_a_law_or_circular_by_number_in_its_first_message(shared_core):
    answers = shared_core.answers
    rest_on_statements = []
    for entry in answers.kb.entries.values():
        numbers = [
            part.strip()
            for source in answers.kb.sources_of(entry)
            for part in source.number.split(";")
            if part.strip()
        ]
        if not numbers:
            rest_on_statements.append(entry)
            continue
        for lang in ("id", "en"):
            reply = html_to_text(answers.entry_view(entry.id, lang).text)
            assert any(number in reply for number in numbers), (entry.id, lang)
    # Only an `info` entry (where to report, what evidence helps) may rest on channels and
    # releases alone; its reply still names those sources.
    assert all(e.verdict == "info" for e in rest_on_statements), rest_on_statements
    for entry in rest_on_statements:
        reply = html_to_text(answers.entry_view(entry.id, "id").text)
        source = answers.kb.sources[entry.citations[0].source]
        assert source.short in reply


def _rewrite(path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _entry(data: dict, entry_id: str) -> dict:
    return next(e for e in data["entries"] if e["id"] == entry_id)


def test_a_reviewer_who_hides_the_only_numbered_source_is_told(kb_copy):
    # Four statements cited before the law: the law would sit behind "Dasar hukum".
    statements = [
        {"source": "pernyataan-kasn-2020", "item": "perayaan-kemenangan"},
        {"source": "pernyataan-bawaslu-politik-uang", "item": "bansos"},
        {"source": "pernyataan-menpanrb-2024", "item": "hak-pilih"},
        {"source": "kanal-pelaporan", "item": "sbt"},
    ]

    def hide(data):
        entry = _entry(data, "waktu-ucapan-selamat")
        entry["citations"] = statements + [{"source": "uu-7-2017", "item": "283"}]

    _rewrite(kb_copy / "entries" / "waktu-berlaku.yaml", hide)
    with pytest.raises(KnowledgeError) as err:
        load_directory(kb_copy)
    assert "entry 'waktu-ucapan-selamat': the answer lists no law" in str(err.value)
    assert "cite 'uu-7-2017' among the first 4 sources" in str(err.value)


def test_a_ruling_that_rests_only_on_statements_is_refused(kb_copy):
    def strip(data):
        _entry(data, "waktu-ucapan-selamat")["citations"] = [
            {"source": "pernyataan-kasn-2020", "item": "perayaan-kemenangan"}
        ]

    _rewrite(kb_copy / "entries" / "waktu-berlaku.yaml", strip)
    with pytest.raises(KnowledgeError) as err:
        load_directory(kb_copy)
    assert "a 'belum-diatur' answer needs a law, regulation, decree or circular" in str(err.value)
