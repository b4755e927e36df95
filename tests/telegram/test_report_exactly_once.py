"""Exactly-once steps: the bot dies after saving a step and before its reply reaches the reporter.

At every step of a tip, the real `python bot.py` saves the step, then Telegram holds its reply
while the process is killed with SIGKILL. The reporter, who saw nothing, does the same thing
again after the restart (sends the same text, presses the same button). Each time the bot shows
the reply of that step once more instead of applying the input to the next step, and the tip
filed in the end holds exactly what the reporter wrote, once.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time

from bot.config import Settings
from bot.core import Core
from bot.tips.vault import Vault
from tests.telegram.conftest import find_button
from tests.telegram.fake_bot_api import ApiError
from tests.telegram.test_report_sigkill import KEY, TICKET, Reporter, api  # noqa: F401

WHAT = "Lurah mengumpulkan ketua RT di kantor kelurahan untuk mengarahkan warga memilih petahana."


def stored(db) -> tuple:
    """The sealed draft and the number of tips, read as another process would."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        draft = conn.execute("SELECT data FROM report_drafts").fetchall()
        tips = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    return draft, tips


def settled(db) -> bool:
    """True once the reply to the last step was confirmed in the draft (or there is none)."""
    rows = stored(db)[0]
    return not rows or Vault(KEY).open(rows[0][0])["confirmed"]


class HeldReplies:
    """While active, Telegram takes the bot's messages to the reporter but never answers."""

    METHODS = ("sendMessage", "editMessageText")

    def __init__(self, server, chat_id: int) -> None:  # noqa: ANN001 - the served FakeBotApi
        self.server, self.chat_id, self.released = server, chat_id, threading.Event()
        for method in self.METHODS:
            setattr(server, f"_m_{method}", self._held(getattr(server, f"_m_{method}")))

    def _held(self, original):  # noqa: ANN001, ANN202
        def method(params):  # noqa: ANN001, ANN202
            if params.get("chat_id") == self.chat_id and not self.released.is_set():
                self.released.wait(60)  # the bot waits for an answer that never comes
                raise ApiError("Bad Request: the bot was gone before this reached the user")
            return original(params)

        return method

    def release(self) -> None:
        self.released.set()
        for method in self.METHODS:
            delattr(self.server, f"_m_{method}")


def crash_after_saving(reporter: Reporter, act) -> None:  # noqa: ANN001 - a callable
    """Do `act` while Telegram holds the replies; kill the bot once the step is saved."""
    deadline = time.monotonic() + 30
    while not settled(reporter.db):  # the previous reply's confirmation is written
        assert time.monotonic() < deadline, "the previous step was never confirmed"
        time.sleep(0.02)
    before = stored(reporter.db)
    held = HeldReplies(reporter.api.api, reporter.user["id"])
    try:
        act()
        while stored(reporter.db) == before:
            assert time.monotonic() < deadline, "the step was never saved"
            time.sleep(0.02)
        reporter.process.send_signal(signal.SIGKILL)
        reporter.process.wait(timeout=10)
    finally:
        held.release()
    reporter.process = reporter.restart()


def test_a_crash_between_saving_and_replying_never_applies_a_step_twice(api, database):  # noqa: F811
    reporter = Reporter(api, database)
    user, chat = reporter.user, reporter.chat

    def text(words: str):  # noqa: ANN202
        return lambda: api.inject_message(words, user=user, chat=chat)

    def button(label: str):  # noqa: ANN202
        message = api.last_reply(user["id"])
        data = find_button(api.buttons(message), label)
        return lambda: api.inject_callback(data, message=message, user=user)

    def photo(file_id: str):  # noqa: ANN202
        return lambda: api.inject_photo(file_id, user=user, chat=chat)

    def again(act, expected: str) -> None:  # noqa: ANN001
        since = api.mark()
        shown = reporter.shown_after(since, act())
        assert expected.lower() in shown.lower(), (expected, shown)

    try:
        reporter.say("/lapor")
        steps = [
            (lambda: button("rp:go"), "kategori"),
            (lambda: button("rp:cat:kampanye-mengerahkan"), "Apa yang terjadi"),
            (lambda: text(WHAT), "Siapa"),
            (lambda: text("Lurah Cempaka"), "Di mana"),
            (lambda: text("Kantor kelurahan Cempaka"), "Kapan"),
            (lambda: text("Senin malam pekan lalu"), "Bukti"),
            (lambda: photo("photo-evidence-7"), "Berkas ke-1"),
            (lambda: button("Selesai"), "Kontak"),
            (lambda: button("rp:skip"), "Ringkasan"),
        ]
        for make, expected in steps:
            act = make()  # the same message or button, before and after the crash
            crash_after_saving(reporter, act)
            again(act, expected)
        summary = api.last_reply(user["id"])
        send = button("Kirim")
        crash_after_saving(reporter, send)
        since = api.mark()
        data = find_button(api.buttons(summary), "Kirim")
        shown = reporter.shown_after(since, api.inject_callback(data, message=summary, user=user))
        ticket = TICKET.search(shown).group(0)
    finally:
        reporter.stop()

    core = Core.open(Settings(database_path=database, report_encryption_key=KEY))
    assert [t["ticket"] for t in core.reports.desk.tickets()] == [ticket]
    report = core.reports.get(ticket)
    assert (report.what, report.who, report.where) == (
        WHAT,
        "Lurah Cempaka",
        "Kantor kelurahan Cempaka",
    )
    assert report.when == "Senin malam pekan lalu" and report.contact == ""
    assert [e["file_id"] for e in report.evidence] == ["photo-evidence-7"]
