"""What someone holding the database file, and even the key, can learn about who sent a tip.

The same tips are filed three times, by different senders (A, A, B / A, B, A / B, A, A). If the
database, decrypted with the key, is the same in all three runs, it cannot tell which tip came
from whom, nor which two came from the same person: only that A sent two today and B one.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet

from bot.config import Settings
from bot.core import Core
from bot.tips import filing, flow
from bot.tips.records import Incoming
from bot.tips.vault import Vault

KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="
A, B = 987654321, 555000111
TIPS = [
    ("kampanye-fasilitas", "Camat memakai mobil dinas untuk mengangkut peserta kampanye."),
    ("media-sosial", "Kepala bidang mengunggah ajakan memilih paslon di grup dinas."),
    ("dukungan-ktp", "Staf kelurahan mengumpulkan fotokopi KTP warga untuk calon."),
]


# The knowledge base's tables (rebuilt, with its build time, in each run): no user data.
KNOWLEDGE = {"_sqlite_migrations", "entries", "phrasings", "topics", "sources", "source_items"}
KNOWLEDGE |= {"kb_state", "kb_changes"}


class Dice:
    """Stands in for `secrets` in the flow and filing: the same tickets and codes in every run."""

    def __init__(self) -> None:
        self.rng = random.Random(7)

    def choice(self, seq):  # noqa: ANN001, ANN201
        return self.rng.choice(seq)

    def token_urlsafe(self, n: int = 9) -> str:
        return "".join(self.rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(12))

    def token_hex(self, n: int = 16) -> str:
        return "0" * (2 * n)


def file_tips(tmp_path, name: str, senders: list[int], monkeypatch) -> Core:
    dice = Dice()
    monkeypatch.setattr(flow, "secrets", dice)
    monkeypatch.setattr(filing, "secrets", dice)
    settings = Settings(database_path=tmp_path / name / "bot.db", report_encryption_key=KEY)
    core = Core.open(settings)
    reports = core.reports
    for sender, (category, what) in zip(senders, TIPS, strict=True):
        reports.start(sender, "id")
        reports.press(sender, "go", "id")
        reports.press(sender, f"cat:{category}", "id")
        reports.receive(sender, Incoming(text=what), "id")
        for step in ("who", "where", "when", "evidence", "contact"):
            reports.press(sender, f"skip:{step}", "id")
        reports.press(sender, f"send:{reports.draft_of(sender).nonce}", "id")
    return core


def dump(core: Core) -> dict[str, list[tuple]]:
    """Every table in the order its rows lie in the file, sealed values opened with the key."""
    fernet = Fernet(KEY)
    vault = Vault(KEY)
    tables = [n for (n,) in core.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def shown(value):  # noqa: ANN001, ANN202
        if isinstance(value, str) and value.startswith("gAAAAA"):
            return ("sealed at", fernet.extract_timestamp(value.encode()), vault.open(value))
        return value

    return {
        t: [tuple(shown(v) for v in row) for row in core.db.execute(f"SELECT * FROM [{t}]")]
        for t in sorted(tables)
        if t not in KNOWLEDGE
    }


def test_the_database_cannot_tell_who_sent_which_tip_even_with_the_key(tmp_path, monkeypatch):
    runs = {
        "aab": file_tips(tmp_path, "aab", [A, A, B], monkeypatch),
        "aba": file_tips(tmp_path, "aba", [A, B, A], monkeypatch),
        "baa": file_tips(tmp_path, "baa", [B, A, A], monkeypatch),
    }
    dumps = {name: dump(core) for name, core in runs.items()}
    assert len(dumps["aab"]["reports"]) == 3
    assert dumps["aab"] == dumps["aba"] == dumps["baa"]
    today = datetime.now(UTC).date()
    for row in dumps["aab"]["reports"]:
        assert all(len(d) == 10 for d in row[3:5])  # created and updated: the day, no time
        assert row[6][1] == 0  # the sealed contents do not carry the time they were sealed
    assert all(len(row[2]) == 10 for row in dumps["aab"]["report_history"])
    # With the key and every user id, the senders are found only in today's counts.
    vault = Vault(KEY)
    for uid in (A, B):
        for ref in (vault.user_ref(uid), vault.day_ref(uid, today)):
            holders = [t for t, rows in dumps["aab"].items() if ref in repr(rows)]
            assert holders == ([] if ref == vault.user_ref(uid) else ["report_quota"])


@pytest.mark.parametrize("sender", [A])
def test_no_byte_of_the_draft_survives_the_filing(tmp_path, monkeypatch, sender):
    core = file_tips(tmp_path, "one", [sender, sender, sender], monkeypatch)
    path = core.settings.database_path
    raw = path.read_bytes() + path.with_name("bot.db-wal").read_bytes()
    assert Vault(KEY).user_ref(sender).encode() not in raw
    assert core.db["report_drafts"].count == 0


def test_day_counts_are_gone_once_their_day_has_passed(tmp_path, monkeypatch):
    core = file_tips(tmp_path, "days", [A, A, B], monkeypatch)
    assert sorted(r["count"] for r in core.db["report_quota"].rows) == [1, 2]
    core.db.execute("UPDATE report_quota SET day = '2000-01-01'")
    core.db.execute("UPDATE report_receipts SET day = '2000-01-01'")
    assert core.reports.desk.purge() == 0
    assert core.db["report_quota"].count == 0 and core.db["report_receipts"].count == 0
