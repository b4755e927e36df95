"""Stories of ASN asking about corrected and new knowledge (issue 9): right verdict, right law.

Questions written for these tests; not copied from the knowledge base or the eval files.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import yaml

from bot.answering.bands import ANSWER, DECLINE
from bot.kb.model import KnowledgeError, load_directory
from bot.ui.render import html_to_text

# (question, entry that must answer, verdict, a source the reply must name, words it must say)
STORIES = [
    # corrected entries
    (
        "kalau fotonya sama simbol dua jari nomor paslon, terus aku upload ke IG, boleh?",
        "foto-simbol-jari",
        "dilarang",
        "skb-2022",
        "tanpa mengunggah",  # posing without posting is not what the SKB forbids
    ),
    (
        "selfie bareng cagub tapi cuma disimpen di hp, gak diposting, melanggar?",
        "foto-tanpa-unggah",
        "belum-diatur",
        "skb-2022",
        "tidak ada sumber",
    ),
    (
        "Apa isi SE Gubernur Kalimantan Tengah soal netralitas pilkada 2024?",
        "se-kalteng-kotim",
        "info",
        "se-kalteng-2024",
        "berita tidak menyebut bagian itu sebagai isi SE",
    ),
    (
        "boleh nerusin broadcast kampanye caleg ke grup WA keluarga?",
        "medsos-bagikan",
        "dilarang",
        "skb-2022",
        "penafsiran",
    ),
    (
        "Is it okay to set a selfie with a regent candidate as my WhatsApp profile photo?",
        "foto-unggah-calon",
        "dilarang",
        "skb-2022",
        "inference",
    ),
    (
        "apa aja larangan buat kepala desa dan perangkat desa soal pemilu?",
        "kades-wajib-netral",
        "wajib",
        "uu-6-2014",
        "Pasal 29",
    ),
    (
        "kades bikin kebijakan desa yang nguntungin caleg tertentu waktu kampanye, boleh?",
        "kades-keputusan",
        "dilarang",
        "uu-7-2017",
        "bukan perangkat desa",
    ),
    (
        "SKB 2022 tentang netralitas ASN itu isinya apa saja?",
        "se-skb-2022",
        "info",
        "uu-20-2023",
        "Pasal 52",
    ),
    (
        "lapor lewat bot ini dihitung laporan resmi ga?",
        "lapor-bot",
        "info",
        "kanal-pelaporan",
        "bukan laporan resmi",
    ),
    (
        "pns upload foto surat suara yang sudah dicoblos ke story IG, gimana?",
        "pilih-tunjukkan",
        "dilarang",
        "skb-2022",
        "secara lisan tidak diatur",
    ),
    (
        "tenaga honorer di kantor pemda apakah wajib netral juga?",
        "nonasn-honorer-dukung",
        "dilarang",
        "se-menpanrb-01-2023",
        "juga wajib netral",
    ),
    (
        "habis kampanye selesai, asn udah bebas dukung calon belum?",
        "waktu-setelah-kampanye",
        "wajib",
        "pp-94-2021",
        "sebelum, selama, dan sesudah",
    ),
    (
        "apa saja yang tidak boleh dilakukan ASN pada masa kampanye?",
        "waktu-selama-kampanye",
        "dilarang",
        "pp-94-2021",
        "cara-cara tertentu",
    ),
    (
        "apa saja yang harus dicatat pengawas sebagai bukti pelanggaran netralitas?",
        "awas-yang-dicatat",
        "info",
        "rilis-bima-2024",
        "perlu dilakukan pencatatan",
    ),
    (
        "ke mana saja saluran resmi untuk melaporkan ASN yang tidak netral?",
        "lapor-resmi",
        "info",
        "kanal-pelaporan",
        "dua saluran",
    ),
    (
        "PNS jadi anggota partai politik sanksinya apa?",
        "partai-anggota",
        "dilarang",
        "uu-20-2023",
        "Pasal 52",
    ),
    (
        "om saya nyalon bupati, boleh saya bantu kampanye?",
        "keluarga-kerabat",
        "dilarang",
        "pp-94-2021",
        "",
    ),
    (
        "temen sekantor maksa saya ikut dukung paslon, gimana?",
        "korps-tekanan-rekan",
        "dilarang",
        "pp-94-2021",
        "",
    ),
    (
        "disuruh kepala dinas wajib hadir kampanye paslon, gimana dong?",
        "kerahkan-perintah-atasan",
        "dilarang",
        "pp-94-2021",
        "SBT BKN",
    ),
    (
        "nonton kampanye akbar diam-diam tanpa atribut, asn boleh?",
        "kampanye-ikut-pasif",
        "abu-abu",
        "pernyataan-mendagri-2024",
        "",
    ),
    (
        "pns bolehkah jadi saksi paslon di tps?",
        "timses-saksi",
        "belum-diatur",
        "uu-20-2023",
        "",
    ),
    # new topics
    (
        "aku asn, dapat tawaran jadi petugas pemungutan suara di rt, apa boleh?",
        "adhoc-anggota",
        "boleh",
        "uu-7-2017",
        "izin tertulis atasan",
    ),
    (
        "PNS yang menjadi anggota Panitia Pemungutan Suara apakah harus cuti?",
        "adhoc-cuti",
        "abu-abu",
        "pernyataan-cuti-adhoc-2023",
        "tidak sejalan",
    ),
    (
        "serangan fajar hukumannya apa",
        "uang-beri-pemilih",
        "dilarang",
        "uu-7-2017",
        "Rp36.000.000",
    ),
    (
        "Apakah penerima uang dari calon bupati bisa dipenjara?",
        "uang-terima",
        "dilarang",
        "uu-10-2016",
        "187A",
    ),
    (
        "pegawai honorer boleh jadi timses?",
        "nonasn-honorer-dukung",
        "dilarang",
        "se-menpanrb-01-2023",
        "pemutusan kontrak",
    ),
    (
        "anggota tni boleh nyoblos?",
        "nonasn-tni-polri-memilih",
        "info",
        "uu-7-2017",
        "Pasal 200",
    ),
    ("Can soldiers join political parties?", "nonasn-tni", "dilarang", "uu-34-2004", ""),
    # new entries in existing topics
    (
        "PNS yang maju DPD kapan harus mengundurkan diri?",
        "pencalonan-kapan-mundur",
        "wajib",
        "pkpu-10-2023",
        "ditetapkan sebagai calon",
    ),
    (
        "masa tenang pemilu berapa hari, asn boleh ngapain?",
        "waktu-masa-tenang",
        "wajib",
        "uu-7-2017",
        "3 hari",
    ),
    (
        "boleh datang ke syukuran kemenangan caleg?",
        "waktu-ucapan-selamat",
        "belum-diatur",
        "pp-94-2021",
        "BKPSDM/BKD",
    ),
    (
        "my supervisor won't let me leave work to vote, is that legal?",
        "pilih-dihalangi-atasan",
        "dilarang",
        "uu-7-2017",
        "Article 498",
    ),
    (
        "petahana pakai program pemda buat kampanye sebelum penetapan calon",
        "keputusan-petahana",
        "dilarang",
        "uu-10-2016",
        "6 bulan",
    ),
    (
        "kampanye di sekolah negeri boleh?",
        "fasilitas-kampanye-kantor-sekolah",
        "boleh",
        "uu-7-2017",
        "izin penanggung jawab",
    ),
    (
        "calon walikota diundang ngisi sambutan di acara dinas, gmn?",
        "kegiatan-calon-acara-dinas",
        "belum-diatur",
        "pp-94-2021",
        "",
    ),
    (
        "perangkat desa jadi pengurus partai boleh?",
        "kades-pengurus-partai",
        "dilarang",
        "uu-6-2014",
        "Pasal 52",
    ),
]


@pytest.mark.parametrize(("question", "entry_id", "verdict", "source", "says"), STORIES)
def test_user_gets_the_corrected_or_new_rule_with_its_verdict_and_law(
    shared_core, question, entry_id, verdict, source, says
):
    answers = shared_core.answers
    view = answers.ask(question, record=False)
    assert view.band == ANSWER, (question, view.candidates)
    assert view.entry_id == entry_id, (question, view.candidates)
    assert html.escape(answers.renderer.label(f"verdict_{verdict}", view.lang)) in view.text
    assert html.escape(answers.kb.sources[source].short) in view.text
    assert says in html_to_text(view.text)


def test_a_grey_area_and_an_unruled_question_look_different_to_the_user(shared_core):
    answers = shared_core.answers
    grey = html_to_text(answers.entry_view("kampanye-ikut-pasif", "id").text)
    unruled = html_to_text(answers.entry_view("foto-tanpa-unggah", "id").text)
    assert "sumber tidak sejalan" in grey and "tak ada sumber" not in grey
    assert "tak ada sumber yang membahas" in unruled and "tidak sejalan" not in unruled
    english = html_to_text(answers.entry_view("waktu-ucapan-selamat", "en").text)
    assert "Not ruled on: no source covers this" in english


def test_a_regional_circular_is_shown_as_binding_only_in_its_region(shared_core):
    answers = shared_core.answers
    answer = html_to_text(answers.entry_view("se-sekadau", "id").text)
    assert "(hanya berlaku di Kabupaten Sekadau, Kalimantan Barat)" in answer
    basis = html_to_text(answers.basis_view("kpd-kewajiban", "en").text)
    assert "Applies only in Kabupaten Sekadau, Kalimantan Barat" in basis


def test_answers_show_national_law_first_and_at_most_four_sources(shared_core):
    answers = shared_core.answers
    for entry_id, entry in answers.kb.entries.items():
        text = html_to_text(answers.entry_view(entry_id, "id").text)
        basis = text.split("Dasar:", 1)[1].split("Sanksi:", 1)[0]
        shown = [line for line in basis.splitlines() if line.startswith("• ")]
        sources = list(dict.fromkeys(c.source for c in entry.citations))
        assert len(shown) == min(len(sources), 4) + (len(sources) > 4), entry_id
        first = answers.kb.sources[sources[0]]
        regional = [answers.kb.sources[s].region for s in sources]
        assert not first.region or all(regional), entry_id  # national first, when there is one


def test_an_answer_citing_a_regencys_circular_keeps_one_circular_in_view(shared_core):
    answers = shared_core.answers
    checked = 0
    for entry_id, entry in answers.kb.entries.items():
        regional = [
            answers.kb.sources[c.source].short
            for c in entry.citations
            if answers.kb.sources[c.source].region
        ]
        if not regional:
            continue
        checked += 1
        for lang in ("id", "en"):
            text = html_to_text(answers.entry_view(entry_id, lang).text)
            assert any(short in text for short in regional), (entry_id, lang)
    assert checked > 10


def test_a_superseded_law_is_marked_with_the_law_that_replaced_it(shared_core):
    answers = shared_core.answers
    basis = html_to_text(answers.basis_view("partai-anggota", "id").text)
    assert "⚠️ Sudah diganti UU No. 20 Tahun 2023 tentang Aparatur Sipil Negara." in basis
    answer = html_to_text(answers.entry_view("partai-anggota", "en").text)
    assert answer.index("UU No. 20 Tahun 2023") < answer.index("UU No. 5 Tahun 2014")


def test_the_kotim_regents_own_words_are_not_filed_as_the_governors_circular(shared_core):
    kb = shared_core.answers.kb
    assert set(kb.sources["se-kalteng-2024"].items) == {"larangan"}
    basis = html_to_text(shared_core.answers.basis_view("korps-arti", "id").text)
    assert "Pernyataan Plt Bupati Kotawaringin Timur (2024)" in basis


@pytest.mark.parametrize("lang", ["id", "en"])
def test_users_never_see_internal_wording(shared_core, lang):
    answers = shared_core.answers
    internal = ("legal-notes", "dokumen sumber", "catatan proyek", "catatan hukum", "catatan kami")
    for entry_id in answers.kb.entries:
        for view in (answers.entry_view(entry_id, lang), answers.basis_view(entry_id, lang)):
            text = html_to_text(view.text).lower()
            assert not [w for w in internal if w in text], entry_id


def test_titles_under_forbidden_name_the_forbidden_act(shared_core):
    entries = shared_core.answers.kb.entries
    assert entries["keluarga-kerabat"].title["id"].startswith("Mendukung secara aktif")
    assert entries["korps-tekanan-rekan"].title["id"].startswith("Mengajak atau menekan")
    assert entries["kerahkan-perintah-atasan"].title["id"].startswith("Hadir di kampanye")


@pytest.mark.parametrize("question", ["selamat pagi min", "cara mengajukan cuti tahunan pns"])
def test_greetings_and_leave_questions_are_not_taken_for_election_questions(shared_core, question):
    assert shared_core.answers.ask(question, record=False).band == DECLINE


def test_every_topic_description_renders_whole_in_both_languages(shared_core):
    answers = shared_core.answers
    for topic in answers.kb.topics.values():
        for lang in ("id", "en"):
            description = topic.description[lang]
            assert description[-1] == "." and len(description.split()) >= 5, description
            assert description in html_to_text(answers.topic_view(topic.id, lang).text)


def _rewrite(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_description_cut_at_a_comma_is_refused(kb_copy):
    path = kb_copy / "topics.yaml"
    original = path.read_text(encoding="utf-8")
    text = original.replace(
        "description:\n    id: Sebelum, selama",
        "description: {id: Sebelum, selama dan sesudah, en: Before, during and after.}\n"
        "  unused:\n    id: Sebelum, selama",
    )
    assert text != original
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_directory(kb_copy)
    assert "topic 'waktu-berlaku'" in str(err.value)
    assert "unexpected keys" in str(err.value) and "not a full sentence" in str(err.value)


def test_a_regional_circular_cited_before_national_law_or_without_a_year_is_refused(kb_copy):
    entries = kb_copy / "entries" / "kampanye-ikut.yaml"
    _rewrite(entries, lambda d: d["entries"][0]["citations"].reverse())
    _rewrite(kb_copy / "sources" / "se-batang-2023.yaml", lambda d: d.pop("year"))
    _rewrite(kb_copy / "sources" / "uu-5-2014.yaml", lambda d: d.update(superseded_by="uu-99"))
    with pytest.raises(KnowledgeError) as err:
        load_directory(kb_copy)
    message = str(err.value)
    assert "entry 'kampanye-ikut-serta': cite national rules before regional circulars" in message
    assert "source 'se-batang-2023': a regional source needs a 'year'" in message
    assert "source 'uu-5-2014': superseded_by 'uu-99' is not a source" in message
