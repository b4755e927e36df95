"""Telling a question from a tip typed in the wrong place, without storing the tip."""

from __future__ import annotations

import io

import pytest

from bot.answering.answers import REPORT_OFFER
from bot.answering.intent import looks_like_question, reads_like_report
from bot.console import ConsoleChat

TIPS = [
    "Kemarin sore Pak Suparjo, Sekretaris Desa Sukamaju, membagikan kupon berlogo partai kepada "
    "guru honorer saat apel di balai desa.",
    "Kepala Dinas Pendidikan Kabupaten Sekadau menyuruh semua kepala sekolah mengumpulkan "
    "fotokopi KTP guru untuk calon bupati nomor 2 minggu lalu",
    "tadi pagi camat kami memakai mobil dinas untuk mengangkut peserta kampanye ke lapangan desa "
    "Sukamaju, saya lihat sendiri dan sempat foto",
    "Yesterday the head of the district office, Mr Hartono, ordered all staff to attend the "
    "campaign rally at the city hall in Pontianak.",
    "bu Ani kepala sekolah SDN 3 Sukadana mewajibkan guru guru datang ke acara deklarasi paslon "
    "hari sabtu kemarin pakai seragam",
]


@pytest.mark.parametrize("text", TIPS)
def test_an_account_of_an_incident_reads_like_a_report(text):
    assert reads_like_report(text) and not looks_like_question(text)


def test_no_question_of_the_knowledge_base_is_taken_for_a_tip(shared_core):
    phrasings = [
        q for e in shared_core.answers.kb.entries.values() for lang in ("id", "en")
        for q in e.questions[lang]
    ]  # fmt: skip
    assert len(phrasings) > 1000
    taken = [q for q in phrasings if reads_like_report(q) and not looks_like_question(q)]
    assert taken == []


def test_a_pasted_news_title_is_not_taken_for_a_tip():
    title = (
        "Kekurangan Petugas di Pelosok, Guru dan Bidan Berstatus ASN Diajak Ikut Jadi Petugas TPS"
    )
    assert not reads_like_report(title)
    assert reads_like_report(title.capitalize() + " kemarin di Desa Sukamaju")  # typed as a tip


@pytest.mark.parametrize(
    "text",
    ["boleh ikut kampanye?", "apakah PNS boleh jadi relawan", "Bolehkah ASN like postingan",
     "pppk boleh dukung cabup ga sih", "may I attend a rally", "sanksinya apa ya",
     "Dengan hormat, kemarin kepala dinas kami membagikan kalender calon. Mohon penjelasan "
     "apakah itu pelanggaran.",
     "Last week my boss handed out a candidate's calendars. I would like to know the rules.",
     "Kemarin di grup guru beredar surat edaran dari bupati. Mohon dijelaskan isinya."],
)  # fmt: skip
def test_questions_look_like_questions(text):
    assert looks_like_question(text)


def test_in_the_console_a_tip_is_offered_a_report_and_answered_only_when_asked(core):
    out = io.StringIO()
    chat = ConsoleChat(core, out)
    offer, _ = chat.handle(TIPS[2])
    assert offer.band == REPORT_OFFER and core.db["question_log"].count == 0
    number = next(i for i, b in enumerate(offer.choices, 1) if b.action == "askit")
    chat.show(offer)
    answer, _ = chat.handle(str(number))
    assert answer.band != REPORT_OFFER and core.db["question_log"].count == 1
