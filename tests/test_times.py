"""People read times in their own zone (WIB, WITA, WIT), never as UTC ISO strings."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, Settings
from bot.core import Core
from bot.tips.records import Incoming
from bot.ui.times import local_time

KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="
# 23:30 WIB on 30 November is already 1 December in Makassar and in Jayapura.
STORED = "2026-11-30T16:30:00+00:00"


@pytest.mark.parametrize(
    ("zone", "lang", "shown"),
    [
        ("Asia/Jakarta", "id", "30 Nov 2026 23:30 WIB"),
        ("Asia/Makassar", "id", "1 Des 2026 00:30 WITA"),
        ("Asia/Jayapura", "en", "1 Dec 2026 01:30 WIT"),
    ],
)
def test_a_stored_utc_time_reads_in_the_local_zone(zone, lang, shown):
    assert local_time(STORED, ZoneInfo(zone), lang) == shown


def test_the_time_zone_defaults_to_jakarta_and_rejects_unknown_names():
    assert Settings.load(environ={}, env_file=None).time_zone == "Asia/Jakarta"
    assert Settings.load(environ={"TZ": "Asia/Makassar"}, env_file=None).time_zone == (
        "Asia/Makassar"
    )
    with pytest.raises(ConfigError, match="TZ must be"):
        Settings.load(environ={"TZ": "WITA"}, env_file=None)


def test_admins_in_makassar_and_the_reporter_see_local_times_not_utc(tmp_path):
    settings = Settings(
        database_path=tmp_path / "bot.db", report_encryption_key=KEY, time_zone="Asia/Makassar"
    )
    core = Core.open(settings)
    r = core.reports
    r.start(5, "id")
    r.press(5, "go", "id")
    r.press(5, "cat:kampanye-fasilitas", "id")
    r.receive(5, Incoming(text="Kepala dinas memakai mobil dinas untuk kampanye paslon."), "id")
    for _ in range(5):
        r.press(5, "skip", "id")
    sent = r.press(5, "send", "id")
    ticket = re.search(r"NTR-\w{4}-\w{4}", sent.view.text).group(0)
    assert re.search(r"\d{1,2} \w{3} \d{4} \d\d:\d\d WITA", sent.admin_view.text)
    # Pin the stored times to a moment that is a different day in UTC and in WITA.
    core.db.execute("UPDATE reports SET created_at = ?, updated_at = ?", [STORED, STORED])
    core.db.execute("UPDATE report_history SET at = ?", [STORED])

    admin = r.desk.show_view(ticket, "id").text
    assert "1 Des 2026 00:30 WITA" in admin and "T16:30" not in admin
    assert "1 Des 2026 00:30 WITA" in r.desk.list_view("diterima", "id").text
    assert "1 Dec 2026" in r.status_view(ticket, "en").text
    assert "2026-11-30" not in r.status_view(ticket, "id").text
