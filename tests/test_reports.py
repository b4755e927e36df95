"""The tip core without Telegram: keys, hashes, dates, tickets, expiry, retention, CLI."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet

from bot import db as storage
from bot.cli import main
from bot.config import Settings
from bot.core import Core
from bot.tips.records import TICKET_RE, Incoming, check_date, normalize_ticket
from bot.tips.vault import ReportKeyError, Vault, generate_key

KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="
WHAT = "Camat memakai mobil dinas untuk mengantar tim kampanye ke lapangan."


@pytest.fixture
def core(database) -> Core:
    return Core.open(Settings(database_path=database, report_encryption_key=KEY))


def file_tip(core: Core, user_id: int = 77, what: str = WHAT) -> str:
    r = core.reports
    r.start(user_id, "id")
    r.press(user_id, "go", "id")
    r.press(user_id, "cat:kampanye-fasilitas", "id")
    r.receive(user_id, Incoming(text=what), "id")
    for _ in range(5):
        r.press(user_id, "skip", "id")
    reply = r.press(user_id, "send", "id")
    return re.search(r"NTR-\w{4}-\w{4}", reply.view.text).group(0)


def test_missing_and_malformed_keys_are_refused_with_the_reason():
    with pytest.raises(ReportKeyError, match="not set"):
        Vault("")
    with pytest.raises(ReportKeyError, match="malformed"):
        Vault("not-a-key")
    Fernet(generate_key())  # a generated key is a valid Fernet key


def test_reporter_hashes_are_keyed_and_unlinkable_across_days():
    a, b = Vault(KEY), Vault(generate_key())
    assert a.user_ref(5) == a.user_ref(5) != b.user_ref(5)
    day = date(2024, 2, 10)
    assert a.day_ref(5, day) != a.day_ref(5, day + timedelta(days=1))
    assert len(a.user_ref(5)) == 64


@pytest.mark.parametrize(
    "text, problem",
    [
        ("31/02/2024", "bad_date"),
        ("30 Februari 2024", "bad_date"),
        ("12/13/2023", "bad_date"),
        ("1/1/2099", "future_date"),
        ("tahun 2099", "future_date"),
        ("10/02/2024 pagi", ""),
        ("Sabtu pagi pekan lalu", ""),
        ("kemarin", ""),
    ],
)
def test_obviously_invalid_dates_are_caught(text, problem):
    assert check_date(text, date(2025, 1, 1)) == problem


def test_tickets_are_unambiguous_and_codes_are_normalised(core):
    ticket = file_tip(core)
    assert TICKET_RE.match(ticket)
    assert normalize_ticket(ticket.lower().replace("-", " ")) == ticket
    assert normalize_ticket("halo") == ""


def test_a_draft_idle_past_the_timeout_expires_and_is_deleted(core):
    core.reports.start(5, "id")
    core.db.execute("UPDATE report_drafts SET updated_at = '2000-01-01T00:00:00+00:00'")
    reply = core.reports.press(5, "go", "id")
    assert reply.step == "end" and "kedaluwarsa" in reply.view.text
    assert core.db["report_drafts"].count == 0


def test_retention_deletes_closed_tips_and_vacuums(core, tmp_path):
    old, open_ = file_tip(core, 1), file_tip(core, 2)
    core.reports.desk.set_status(old, "selesai", "Ditindaklanjuti PPK.")
    core.db.execute(
        "UPDATE reports SET closed_at = '2000-01-01T00:00:00+00:00' WHERE ticket = ?", [old]
    )
    assert core.reports.desk.purge() == 1
    assert core.reports.get(old) is None and core.reports.get(open_) is not None
    assert core.db["report_history"].count_where("ticket = ?", [old]) == 0


def test_export_writes_every_tip_decrypted(core):
    ticket = file_tip(core)
    out = io.StringIO()
    assert core.reports.desk.export_csv(out) == 1
    assert ticket in out.getvalue() and WHAT in out.getvalue()


def test_without_a_key_tips_are_refused_but_questions_still_work(database):
    core = Core.open(Settings(database_path=database))
    reply = core.reports.start(5, "en")
    assert reply.step == "end" and "encryption key" in reply.view.text
    view = core.answers.ask("boleh ikut kampanye?", record=False)
    assert view.band == "answer" and "Dilarang" in view.text


def test_cli_keygen_prints_a_key_last_and_show_needs_the_key(
    database, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("DATABASE_PATH", str(database))
    monkeypatch.setenv("REPORT_ENCRYPTION_KEY", "")
    assert main(["reports", "keygen"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    Fernet(key)
    assert main(["reports", "show", "NTR-AAAA-BBBB"]) == 2
    assert "REPORT_ENCRYPTION_KEY" in capsys.readouterr().err
    monkeypatch.setenv("REPORT_ENCRYPTION_KEY", key)
    settings = Settings(database_path=database, report_encryption_key=key)
    ticket = file_tip(Core.open(settings))
    assert main(["reports", "list"]) == 0
    assert ticket in capsys.readouterr().out
    assert main(["reports", "show", ticket]) == 0
    assert WHAT in capsys.readouterr().out
    assert main(["reports", "export", "--out", str(tmp_path / "tips.csv")]) == 0
    assert WHAT in (tmp_path / "tips.csv").read_text(encoding="utf-8")
    assert main(["reports", "purge"]) == 0


def test_vacuum_helper_empties_the_wal(tmp_path):
    db = storage.open_database(tmp_path / "x.db")
    db["t"].insert({"a": "x" * 5000})
    storage.vacuum(db)
    assert (tmp_path / "x.db-wal").stat().st_size == 0
