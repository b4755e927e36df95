"""Tip records and rules: steps, statuses, limits, the draft and report records, dates, tickets.

Pure data and checks, shared by the reporter's flow (`bot.tips.flow`), the admins' desk
(`bot.tips.desk`) and the command line (`bot.tips.cli`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.ui.views import View

STATUSES = (
    "diterima", "ditinjau", "diteruskan-bkn", "diteruskan-bawaslu", "diteruskan-ppk",
    "selesai", "ditolak",
)  # fmt: skip
CLOSED = ("selesai", "ditolak")
STEPS = ("notice", "category", "what", "who", "where", "when", "evidence", "contact", "summary")
END = "end"
TEXT_FIELDS = ("what", "who", "where", "when", "contact")
EDITABLE = ("category", "what", "who", "where", "when", "evidence", "contact")
SKIPPABLE = ("who", "where", "when", "evidence", "contact")
# Shortest and longest answers per step (characters).
LIMITS = {"what": (20, 3000), "who": (2, 500), "where": (2, 500), "when": (2, 200)}
LIMITS["contact"] = (3, 300)
MAX_FILE_MB = 20  # what a bot can fetch from Telegram's servers
MAX_FILES = 10
DOCUMENT_TYPES: tuple[str, ...] = ("image/", "video/", "application/pdf", "application/msword")
DOCUMENT_TYPES += ("application/vnd.openxmlformats-officedocument.", "text/plain")
TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
TICKET_RE = re.compile(r"^NTR-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
MONTHS = {
    m: i + 1
    for names in (
        "januari februari maret april mei juni juli agustus september oktober november desember",
        "january february march april may june july august september october november december",
        "jan feb mar apr mei jun jul agu sep okt nov des",
        "jan feb mar apr may jun jul aug sep oct nov dec",
    )
    for i, m in enumerate(names.split())
}
_NUM_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\b")
_WORD_DATE = re.compile(r"\b(\d{1,2})\s+([a-z]+)\s+(\d{4})\b")
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


@dataclass
class TipContent:
    """What a reporter tells about a violation: the same fields in a draft and a filed tip."""

    category: str = ""
    what: str = ""
    who: str = ""
    where: str = ""
    when: str = ""
    evidence: list[dict] = field(default_factory=list)
    contact: str = ""


@dataclass
class Draft(TipContent):
    """A tip being written: one per reporter, sealed in `report_drafts` after every step.

    Exactly-once steps: `seen` is the newest Telegram update applied; until the reply to it was
    delivered (`confirmed`), the same input again (`pending` holds its digest) is the reporter
    repeating what got no answer, not a new answer for the next step.
    """

    step: str = "notice"
    editing: bool = False
    ticket: str = ""  # only in drafts written before tips were filed by deleting the draft
    seen: int = 0  # the newest Telegram update applied (a redelivered one changes nothing)
    confirmed: bool = True  # the reply to `seen` reached the reporter
    pending: str = ""  # digest of the input applied at `seen`, while not confirmed
    nonce: str = ""  # random code in the Send button: finds the receipt once the draft is gone
    chat: int = 0  # where to send the reminder and the expiry notice (sealed like the rest)
    lang: str = "id"  # the language of the reminder and the expiry notice
    reminded: bool = False
    held: str = ""  # a question-like text at a free-text step: report, or question?


@dataclass(frozen=True)
class Evidence:
    """A file the reporter sent, kept on Telegram's servers by its file id."""

    kind: str  # photo | video | document
    file_id: str
    size: int = 0
    name: str = ""
    mime: str = ""
    unique: str = ""  # Telegram's file_unique_id: the same file sent twice is kept once


@dataclass(frozen=True)
class Incoming:
    """What the reporter sent, reduced to what a step needs (the handler fills it in)."""

    text: str | None = None
    evidence: Evidence | None = None
    caption: bool = False  # had a caption (dropped)
    forwarded: bool = False  # had forward information (dropped)
    update_id: int = 0  # Telegram's id of the update, to recognise one delivered twice


@dataclass(frozen=True)
class Reply:
    """A view for the reporter, the step the conversation is now in, and an admin-chat notice."""

    view: View
    step: str
    admin_view: View | None = None
    duplicate: bool = False  # an update applied and answered before: show nothing
    previous: Draft | None = None  # the draft before this reply's change (restored if unsent)
    update_id: int = 0  # the update this reply answers (confirmed once it is delivered)


@dataclass(kw_only=True)
class Report(TipContent):
    """A filed tip, decrypted (admins and the CLI only)."""

    ticket: str
    status: str
    created_at: str
    updated_at: str
    closed_at: str | None
    history: list[dict] = field(default_factory=list)


def check_date(text: str, today: date) -> str:
    """'' when the free-text date is plausible, else 'bad_date' or 'future_date'."""
    low = text.lower()
    found: list[tuple[int, int, int]] = []
    for d, m, y in _NUM_DATE.findall(low):
        found.append((int(d), int(m), int(y) + (2000 if len(y) == 2 else 0)))
    for d, name, y in _WORD_DATE.findall(low):
        if name in MONTHS:
            found.append((int(d), MONTHS[name], int(y)))
    for d, m, y in found:
        try:
            if date(y, m, d) > today:
                return "future_date"
        except ValueError:
            return "bad_date"
    if any(int(y) > today.year for y in _YEAR.findall(low)):
        return "future_date"
    return ""


def normalize_ticket(code: str) -> str:
    """`ntr 7k3f q9m2` -> `NTR-7K3F-Q9M2` (anything else comes back unusable)."""
    raw = re.sub(r"[^A-Z0-9]", "", (code or "").upper())
    raw = raw[3:] if raw.startswith("NTR") else raw
    return f"NTR-{raw[:4]}-{raw[4:]}" if len(raw) == 8 else ""


def evidence_problem(already: int, ev: Evidence) -> str:
    """'' when a file can join a tip that has `already` files, else what is wrong with it."""
    if already >= MAX_FILES:
        return "too_many"
    if ev.size > MAX_FILE_MB * 1024 * 1024:
        return "too_big"
    if ev.kind == "document" and not ev.mime.startswith(DOCUMENT_TYPES):
        return "evidence_kind"
    return ""
