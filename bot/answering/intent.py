"""Is a free-text message a question, or an account of something that happened?

Two cheap tests on the words, no model:

- `looks_like_question`: a question mark, or the opening words of a question ("boleh ...",
  "apakah ...", "may I ..."), or a tag such as "boleh gak", "salah?", "gimana".
- `reads_like_report`: long, names a particular person or place, and tells what happened
  (a time such as "kemarin" or "tadi pagi", or a verb of doing such as "membagikan",
  "mengajak", "menyuruh"). Such a message outside /lapor is most likely a tip typed in the
  wrong place: it is not written to the question log, and the sender is offered a confidential
  report instead. Questions about a case ("Pak Camat tadi mengajak ..., boleh?") stay questions,
  and so do headlines in title case ("Guru dan Bidan Berstatus ASN Diajak Jadi KPPS"): a news
  title pasted to ask about it, not someone telling what they saw.
"""

from __future__ import annotations

import re

# Long enough to tell a story: short questions ("camat ngajak staf kampanye, boleh?") are not.
MIN_WORDS, MIN_CHARS = 14, 80
# Reports are typed in sentence case; a title capitalises nearly every longer word.
HEADLINE_SHARE = 0.8
_LONG_WORD = re.compile(r"[^\W\d_]{3,}")  # letters only, three or more

_QUESTION_START = re.compile(
    r"^\s*(boleh|bolehkah|apakah|apa|apkh|bagaimana|gimana|gmn|bgmn|bisakah|bisa|kenapa|"
    r"mengapa|kapan|siapa|dimana|di mana|kemana|berapa|mana|adakah|haruskah|perlukah|"
    r"benarkah|betulkah|mohon (info|penjelasan|tanya)|tanya|numpang tanya|"
    r"may|can|could|is|are|am|do|does|did|should|must|what|how|why|when|where|who|which)\b",
    re.IGNORECASE,
)
_QUESTION_TAG = re.compile(
    r"\b(boleh\s*(gak|ga|nggak|ngga|enggak|tidak|tdk|kah|ya)|dilarang\s*(gak|ga|kah|tidak)|"
    r"melanggar\s*(gak|ga|kah|tidak)?\s*$|salah\s*(gak|ga|kah)?\s*$|gimana|gmn|bagaimana|"
    r"apa\s*(bisa|boleh)|apa (ya|aja|saja|sih)|ya\s*gak|kah\b|is that allowed|am i allowed|"
    r"can i|(gak|ga|gk|nggak|ngga|enggak|tidak|tdk)\s*(sih|ya)?\s*$|\bsih\s*$|\bya\s*$|"
    # a letter's request for an answer anywhere in it ("Dengan hormat, ... mohon penjelasan")
    r"mohon (penjelasan|info|informasi|petunjuk|arahan|pencerahan|jawaban)|"
    r"(mohon|tolong) (di)?jelaskan|"
    r"ingin (tahu|bertanya|menanyakan)|please (explain|advise|clarify)|"
    r"i(?: would|'d) like to (know|ask))",
    re.IGNORECASE,
)

_HONORIFIC = (
    r"pak|bu|bapak|ibu|bpk|sdr|sdri|saudara|saudari|mas|mbak|bang|kak|drs|dra|dr|ir|hj|h|"
    r"mr|mrs|ms|mister"
)
_ROLE = (
    r"camat|lurah|kades|kepala desa|sekdes|sekretaris desa|sekda|sekretaris daerah|bupati|"
    r"wakil bupati|wali kota|walikota|gubernur|kadis|kepala dinas|kabid|kepala bidang|kasi|"
    r"kepala seksi|kepsek|kepala sekolah|kepala puskesmas|kepala kantor|kepala badan|kaban|"
    r"kabag|kepala bagian|direktur|rektor|dekan|inspektur|kapolsek|danramil|kadus|kepala dusun|"
    r"head of|mayor|regent|governor|principal"
)
_PLACE = (
    r"desa|kelurahan|kecamatan|kabupaten|kab|kota|dusun|kampung|jalan|jl|balai|kantor|gedung|"
    r"lapangan|aula|masjid|gereja|pasar|hotel|rumah makan|restoran|sdn|smpn|sman|smkn|sd|smp|"
    r"sma|smk|puskesmas|rsud|dinas|village|district|city|office|hall|street|school"
)
_STOP = {"yang", "itu", "ini", "saya", "sy", "kami", "kita", "kalau", "kalo", "di", "ke", "dan"}
# A named person: an honorific or a role followed by a name ("Pak Suparjo", "Camat Sukamaju").
_PERSON = re.compile(rf"\b(?:{_HONORIFIC}|{_ROLE})\.?\s+([A-Za-z][\w'-]+)", re.IGNORECASE)
_NAMED = re.compile(r"\b(bernama|namanya|atas nama|inisial|named|called)\s+\w+", re.IGNORECASE)
# A named place: a place word followed by a capitalised name ("Desa Sukamaju", "di Balai Kota").
_PLACE_NAME = re.compile(rf"\b(?:{_PLACE})\.?\s+([A-Z0-9][\w'-]*)", re.IGNORECASE)
_AT_PLACE = re.compile(r"\b(di|at|in)\s+([A-Z][a-z]{2,})")
_WHEN = re.compile(
    r"\b(tadi|kemarin|kmrn|kemaren|semalam|barusan|baru saja|minggu lalu|pekan lalu|bulan lalu|"
    r"tahun lalu|hari (senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu)|"
    r"(senin|selasa|rabu|kamis|jumat|sabtu|minggu) (pagi|siang|sore|malam|kemarin|lalu)|"
    r"tanggal \d+|tgl \d+|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|pukul \d+|jam \d+|pada saat|"
    r"yesterday|last (week|night|month|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday)|this morning|on (monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.IGNORECASE,
)
_DID = re.compile(
    r"\b(telah|sudah|sdh|udah|terjadi|kejadian|ketahuan|kepergok|saya (lihat|melihat|saksikan|"
    r"menyaksikan|dengar|foto|rekam)|membagikan|membagi|bagi-bagi|mengajak|ngajak|mengerahkan|"
    r"mengumpulkan|ngumpulin|menyuruh|nyuruh|memerintahkan|mewajibkan|memaksa|maksa|mengancam|"
    r"memasang|masang|memakai|pakai|pake|menggunakan|membawa|mengarahkan|memberikan|memberi|"
    r"ngasih|dipaksa|disuruh|diajak|diwajibkan|diancam|dikumpulkan|dibagikan|"
    r"i saw|we were|he told|she told|they told|handed out|forced|ordered|threatened|made us|"
    r"told us|used|gave|took|happened)\b",
    re.IGNORECASE,
)


def looks_like_question(text: str) -> bool:
    """True when the message is phrased as a question."""
    text = (text or "").strip()
    if not text:
        return False
    return "?" in text or bool(_QUESTION_START.match(text) or _QUESTION_TAG.search(text))


_ASKS = re.compile(
    r"^\s*(boleh|bolehkah|apakah|apa|bagaimana|gimana|bisakah|kenapa|mengapa|haruskah|"
    r"perlukah|may|can|could|should|what|how|why|is it|am i|do i)\b",
    re.IGNORECASE,
)


def asks_a_question(text: str) -> bool:
    """The narrow test used inside a report: a question mark at the end, or a question's first
    word ("boleh ...", "apakah ..."). A report's answers ("Camat X", "kemarin") never are."""
    text = (text or "").strip()
    return text.endswith("?") or bool(_ASKS.match(text))


def names_person_or_place(text: str) -> bool:
    """True when a particular person or place is named (not just "kepala dinas")."""
    for match in _PERSON.finditer(text):
        if match.group(1).lower() not in _STOP and not re.fullmatch(_ROLE, match.group(1), re.I):
            return True
    if _NAMED.search(text):
        return True
    place = any(m.group(1).lower() not in _STOP for m in _PLACE_NAME.finditer(text))
    capitalised = any(m.group(2).lower() not in _STOP for m in _AT_PLACE.finditer(text))
    return place or capitalised


def is_headline(text: str) -> bool:
    """Title case: most words of three letters or more start with a capital (a news title)."""
    words = _LONG_WORD.findall(text)
    capitals = sum(w[0].isupper() for w in words)
    return len(words) >= 4 and capitals >= HEADLINE_SHARE * len(words)


def reads_like_report(text: str) -> bool:
    """Long, names a person or a place, and says what happened: a tip, not a question."""
    text = (text or "").strip()
    if len(text) < MIN_CHARS or len(text.split()) < MIN_WORDS or is_headline(text):
        return False
    told = bool(_WHEN.search(text) or _DID.search(text))
    return told and names_person_or_place(text)
