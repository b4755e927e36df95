"""A reporter files a tip while the real `python bot.py` is killed with SIGKILL after every step.

After each acknowledged step the process is killed and restarted; the reporter carries on where
they were, nothing they saw confirmed is lost, and a Send repeated after a kill files one ticket.
"""

from __future__ import annotations

import re
import signal

import pytest

from bot.config import Settings
from bot.core import Core
from tests.telegram.bot_process import start_bot_process
from tests.telegram.conftest import find_button
from tests.telegram.fake_bot_api import FakeBotApi

KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="
TICKET = re.compile(r"NTR-[2-9A-Z]{4}-[2-9A-Z]{4}")
WHAT = "Camat memakai mobil dinas untuk mengangkut peserta kampanye paslon nomor 1."


@pytest.fixture
def api():
    server = FakeBotApi.run_in_thread()
    try:
        yield server
    finally:
        server.close()


class Reporter:
    """One Telegram user talking to the bot process, which can be killed at any moment."""

    def __init__(self, api, db, user: dict | None = None, **env: str):
        self.api, self.db, self.env = api, db, {"REPORT_ENCRYPTION_KEY": KEY, **env}
        self.user = user or api.user(id=8008)
        self.chat = api.private_chat(self.user)
        self.process = self.restart()

    def restart(self):  # noqa: ANN201 - a BotProcess
        """A new bot process on the same database (the old one must be gone)."""
        return start_bot_process(self.api, self.db, **self.env)

    def shown_after(self, since: int, update: dict) -> str:
        """What the bot showed the reporter since `since`, once it handled `update`."""
        return self._shown(since, update)

    def _shown(self, since: int, update: dict) -> str:
        """Once the bot handled `update` (the step is then saved and flushed) and confirmed
        receiving it (Telegram would otherwise deliver it again after the kill), every text
        it showed the reporter since `since`, joined. Fails if it crashed or showed nothing."""
        self.api.wait_handled(update["update_id"], timeout=30)
        self.api.wait_fetched(timeout=30)
        shown = [
            c.text or ""
            for c in self.api.calls()[since:]
            if c.method in ("sendMessage", "editMessageText")
            and c.params.get("chat_id") == self.user["id"]
            and not c.error
        ]
        assert shown, f"the bot showed the reporter nothing; {self.api.seen()}"
        return "\n".join(shown)

    def say(self, text: str) -> str:
        since = self.api.mark()
        inject = self.api.inject_command if text.startswith("/") else self.api.inject_message
        return self._shown(since, inject(text, user=self.user, chat=self.chat))

    def photo(self, file_id: str) -> str:
        since = self.api.mark()
        return self._shown(since, self.api.inject_photo(file_id, user=self.user, chat=self.chat))

    def press(self, label: str, message=None) -> str:
        message = message or self.api.last_reply(self.user["id"])
        data = find_button(self.api.buttons(message), label)
        since = self.api.mark()
        return self._shown(since, self.api.inject_callback(data, message=message, user=self.user))

    def kill_and_restart(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = self.restart()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def test_sigkill_after_every_step_loses_nothing_and_files_one_ticket(api, database):
    reporter = Reporter(api, database)
    try:
        steps = [
            (lambda: reporter.say("/lapor"), "bukan laporan resmi"),
            (lambda: reporter.press("rp:go"), "kategori"),
            (lambda: reporter.press("rp:cat:kampanye-fasilitas"), "Apa yang terjadi"),
            (lambda: reporter.say(WHAT), "Siapa"),
            (lambda: reporter.say("Camat Z, Kecamatan W"), "Di mana"),
            (lambda: reporter.say("Lapangan desa V"), "Kapan"),
            (lambda: reporter.say("03/02/2024 pagi"), "Bukti"),
            (lambda: reporter.photo("photo-evidence-1"), "Berkas ke-1"),
            (lambda: reporter.press("Selesai"), "Kontak"),
            (lambda: reporter.press("rp:skip"), "Ringkasan"),
        ]
        for step, expected in steps:
            shown = step()
            assert expected.lower() in shown.lower(), (expected, shown)
            reporter.kill_and_restart()

        summary = api.last_reply(reporter.user["id"])
        done = reporter.press("Kirim", message=summary)
        ticket = TICKET.search(done).group(0)
        reporter.kill_and_restart()
        # The reporter taps Send again on the same summary after the restart.
        again = reporter.press("Kirim", message=summary)
        assert TICKET.search(again).group(0) == ticket, again  # the same ticket, shown again
    finally:
        reporter.stop()

    core = Core.open(Settings(database_path=database, report_encryption_key=KEY))
    assert [r["ticket"] for r in core.reports.desk.tickets()] == [ticket]
    report = core.reports.get(ticket)
    assert report.category == "kampanye-fasilitas"
    assert report.what == WHAT
    assert report.who == "Camat Z, Kecamatan W"
    assert report.where == "Lapangan desa V"
    assert "03/02/2024" in report.when
    assert [e["file_id"] for e in report.evidence] == ["photo-evidence-1"]
