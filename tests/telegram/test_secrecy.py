"""An operator runs the real `python bot.py` at LOG_LEVEL=DEBUG while a reporter files a tip.

Neither the log nor any database file (the database, its -wal and -shm) may hold the tip, the
reporter's id (as text, or as a 4- or 8-byte integer either way round), username or name, or the
bot token; the log may not hold the question they asked either. And yet DEBUG is useful: it
names update ids, handlers and their timings.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import subprocess
import sys

import pytest

from bot.tips.vault import Vault
from tests.telegram.bot_process import PROJECT
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.test_report_sigkill import KEY, TICKET, Reporter

TOKEN = "7312345678:AAHk3xQ9_vZpL0mN4rT8sW2yB6cD1eF5gJ7"
REPORTER_ID = 987654321  # 0x3ADE68B1: two bytes are not ASCII, so base64 text never holds it
QUESTION = "boleh pak Sastrowardoyo pasang baliho caleg di pagar rumahnya sendiri?"
WHAT = "Sekdes Sukamaju membagikan kupon Zamrudkencana berlogo partai kepada guru honorer."
WHO = "Bapak Suparjo, Sekretaris Desa Sukamaju"
WHERE = "Balai Desa Sukamaju"
CONTACT = "kontak: 0812-5555-0199"
PHOTO = "AgACAgIAAxkBAAIBsecretphoto"


@pytest.fixture
def api():
    server = FakeBotApi.run_in_thread(token=TOKEN)
    try:
        yield server
    finally:
        server.close()


def id_forms(user_id: int) -> list[bytes]:
    """The id as text and as 4- and 8-byte integers, little- and big-endian."""
    return [str(user_id).encode()] + [
        struct.pack(fmt, user_id) for fmt in ("<I", ">I", "<Q", ">Q", "<i", ">i", "<q", ">q")
    ]


def database_files(db) -> list:
    return [p for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"))]


def test_a_tip_filed_at_debug_leaves_no_secret_in_the_log_or_the_database(api, tmp_path):
    db = tmp_path / "data" / "bot.db"
    db.parent.mkdir()
    db.parent.chmod(0o755)  # as an operator's `mkdir data` leaves it: the bot tightens it
    user = api.user(id=REPORTER_ID, first_name="Wahyuningsih", username="saksi_rahasia")
    reporter = Reporter(api, db, user=user, LOG_LEVEL="DEBUG")
    try:
        assert reporter.say(QUESTION)  # answered like any question
        reporter.say("/lapor")
        reporter.press("rp:go")
        reporter.press("rp:cat:kampanye-ikut")
        assert "Siapa" in reporter.say(WHAT)
        assert "Di mana" in reporter.say(WHO)
        assert "Kapan" in reporter.say(WHERE)
        assert "Bukti" in reporter.press("rp:skip")
        assert "Berkas ke-1" in reporter.photo(PHOTO)
        reporter.press("rp:skip")
        assert "Ringkasan" in reporter.say(CONTACT)
        ticket = TICKET.search(reporter.press("Kirim")).group(0)
        # While the bot still runs: the -wal and -shm files are there and in use.
        files = [p for p in database_files(db) if p.exists()]
        assert len(files) == 3
        raw = {p.name: p.read_bytes() for p in files}
    finally:
        reporter.stop()
    raw.update({p.name + " (stopped)": p.read_bytes() for p in database_files(db) if p.exists()})
    log = (db.parent / "bot.log").read_text(encoding="utf-8")

    # The phone number whole, as digits and in part; not a bare "5555": encrypted tips are stored
    # as base64 text, where any four given characters turn up by chance (a CI run once found
    # "5555" in the database, most likely so).
    phone = ["0812-5555-0199", "081255550199", "5555-0199", "0812-5555"]
    secrets = [WHAT, "Sukamaju", "Zamrudkencana", "Suparjo", *phone, PHOTO]
    secrets += ["secretphoto", "saksi_rahasia", "Wahyuningsih", TOKEN, TOKEN.split(":")[1]]
    for name, content in raw.items():
        for secret in [s.encode() for s in secrets] + id_forms(REPORTER_ID):
            assert secret not in content, (name, secret)
    ref = Vault(KEY).user_ref(REPORTER_ID)  # the keyed hash that finds the reporter's draft
    for secret in [*secrets, str(REPORTER_ID), QUESTION, "Sastrowardoyo", ref, KEY]:
        assert secret not in log, secret
    # ... and DEBUG still tells what happened, by update id, handler and time.
    assert re.search(r"update \d+: handlers\.tips\.on_message in [\d.]+ ms", log)
    assert re.search(r"update \d+: handlers\.buttons\.on_button in [\d.]+ ms", log)
    assert "Calling Bot API endpoint `sendMessage`" in log
    assert "DEBUG telegram.ext.Application: Processing update <Update " in log
    # Files only the bot's own user can open.
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    for path in database_files(db):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert ticket


def test_a_rejected_token_is_reported_without_being_printed(api, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    wrong = "7312345678:AAwrongwrongwrongwrongwrongwrongwrong12"
    env.update(
        TELEGRAM_BOT_TOKEN=wrong,
        TELEGRAM_API_BASE_URL=api.url,
        DATABASE_PATH=str(tmp_path / "bot.db"),
        LOG_LEVEL="DEBUG",
    )
    done = subprocess.run(
        [sys.executable, "bot.py"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output[-2000:]
    assert "rejected TELEGRAM_BOT_TOKEN" in output
    assert wrong not in output and wrong.split(":")[1] not in output
