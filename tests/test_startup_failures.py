"""What the IT officer sees when the set-up is wrong: one line saying what to fix, an exit status
a service manager understands, and never a traceback (nor the bot's token).

Every test runs the real `python bot.py` as a subprocess, with an empty `.env` of its own
(`ENV_FILE`) so nothing from the developer's checkout leaks in.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.schema import open_database
from tests.telegram.fake_bot_api import FakeBotApi

PROJECT = Path(__file__).resolve().parent.parent
SETTINGS = (
    "ENV_FILE DATA_DIR DATABASE_PATH KNOWLEDGE_DIR LOG_LEVEL TZ REPORT_ENCRYPTION_KEY "
    "WEBHOOK_SECRET_TOKEN"
).split()
GOOD_KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="
WRONG_TOKEN = "424242:THIS-SECRET-MUST-NEVER-BE-PRINTED"


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in SETTINGS and not k.startswith("TELEGRAM_")
    }
    env_file = tmp_path / "bot.env"
    env_file.touch()
    env.update(ENV_FILE=str(env_file), DATA_DIR=str(tmp_path / "data"), **settings)
    return env


def _bot(args: list[str], tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROJECT / "bot.py"), *args],
        cwd=tmp_path,
        env=_env(tmp_path, **settings),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _problem_lines(proc: subprocess.CompletedProcess, word: str) -> list[str]:
    """The output lines that mention `word`, after checking there is no traceback at all."""
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    return [line for line in out.splitlines() if word in line]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_token_telegram_rejects_stops_with_one_line_naming_the_setting(tmp_path):
    api = FakeBotApi.run_in_thread()  # answers 401 Unauthorized to any other token
    try:
        proc = _bot(
            ["run"], tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_BASE_URL=api.url
        )
    finally:
        api.close()
    assert proc.returncode == 2
    (line,) = _problem_lines(proc, "TELEGRAM_BOT_TOKEN")
    assert "rejected" in line and "@BotFather" in line
    secret = WRONG_TOKEN.partition(":")[2]
    assert secret not in proc.stdout + proc.stderr


def test_an_unreachable_bot_api_is_retried_with_backoff_one_warning_per_attempt(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}"
    bot = subprocess.Popen(
        [sys.executable, str(PROJECT / "bot.py"), "run"],
        cwd=tmp_path,
        env=_env(tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_BASE_URL=url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in bot.stderr], daemon=True).start()
    seen: list[str] = []
    warnings: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while len(warnings) < 3 and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            seen.append(line)
            if "WARNING" in line and "Bot API" in line:
                warnings.append(line)
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=30)
    assert len(warnings) == 3, "".join(seen)
    for attempt, (line, delay) in enumerate(zip(warnings, (1, 2, 4), strict=True), 1):
        assert url in line and f"attempt {attempt}:" in line and f"retrying in {delay} s" in line
    assert not any("Traceback" in line for line in seen)
    assert all(WRONG_TOKEN.partition(":")[2] not in line for line in seen)


def test_a_corrupt_database_names_the_file_and_says_to_restore_a_backup(tmp_path):
    db = tmp_path / "data" / "bot.db"
    db.parent.mkdir()
    db.write_bytes(b"these bytes are not an SQLite database\n" * 200)
    proc = _bot(["ask", "boleh nyoblos?"], tmp_path)
    assert proc.returncode == 2
    (line,) = _problem_lines(proc, str(db))
    assert "damaged" in line and "backup" in line


def _make_read_only(path: Path) -> None:
    if os.geteuid() != 0:
        path.chmod(0o444)
        return
    # root writes through file modes; the immutable attribute stops even root (ext4, xfs...).
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("running as root on a file system without chattr +i")


def test_a_read_only_database_names_the_file_and_says_to_make_it_writable(tmp_path):
    db = tmp_path / "data" / "bot.db"
    db.parent.mkdir()
    open_database(db).close()
    _make_read_only(db)
    try:
        proc = _bot(["run"], tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(db)], check=False)
        db.chmod(0o644)
    assert proc.returncode == 2
    (line,) = _problem_lines(proc, str(db))
    assert "cannot be written" in line and "writable" in line


def test_a_misspelt_log_level_lists_the_valid_values(tmp_path):
    proc = _bot(["ask", "boleh nyoblos?"], tmp_path, LOG_LEVEL="verbose")
    assert proc.returncode == 2
    (line,) = _problem_lines(proc, "LOG_LEVEL")
    assert "DEBUG, INFO, WARNING, ERROR, CRITICAL" in line and "'verbose'" in line


def test_an_unknown_time_zone_names_the_setting(tmp_path):
    proc = _bot(["ask", "boleh nyoblos?"], tmp_path, TZ="Asia/Atlantis")
    assert proc.returncode == 2
    (line,) = _problem_lines(proc, "TZ must be")
    assert "Asia/Jakarta" in line


def test_a_malformed_encryption_key_warns_that_tips_are_off_and_how_to_fix_it(tmp_path):
    proc = _bot(["ask", "boleh nyoblos?"], tmp_path, REPORT_ENCRYPTION_KEY=GOOD_KEY[:20])
    assert proc.returncode == 0  # questions are still answered
    (line,) = _problem_lines(proc, "REPORT_ENCRYPTION_KEY")
    assert "WARNING" in line and "tips are OFF" in line
    assert "python bot.py reports keygen" in line
    assert GOOD_KEY[:20] not in line


def test_no_token_and_no_terminal_exits_non_zero_saying_what_to_set(tmp_path):
    proc = _bot([], tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    (line,) = _problem_lines(proc, "TELEGRAM_BOT_TOKEN")
    assert "is not set" in line and str(tmp_path / "bot.env") in line


def test_run_without_a_token_never_falls_back_to_the_console(tmp_path):
    proc = _bot(["run"], tmp_path)
    assert proc.returncode == 2
    assert "asisten Netralitas ASN" not in proc.stdout  # the console's welcome
    (line,) = _problem_lines(proc, "TELEGRAM_BOT_TOKEN")
    assert "is not set" in line


def test_reverting_a_change_that_does_not_exist_is_one_line(tmp_path):
    proc = _bot(["kb", "revert", "999"], tmp_path)
    assert proc.returncode == 1
    (line,) = _problem_lines(proc, "999")
    assert line == "not reverted: change 999 does not exist"


def test_an_unknown_command_is_one_line_with_where_to_look(tmp_path):
    proc = _bot(["frobnicate"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "invalid choice: 'frobnicate'" in proc.stderr and "--help" in proc.stderr


@pytest.mark.parametrize("url", ["http://bot.example.org/telegram", "https:///telegram"])
def test_a_webhook_url_telegram_would_refuse_is_one_line_before_any_network(tmp_path, url):
    # No TELEGRAM_API_BASE_URL: the public Bot API, which posts only over HTTPS to 4 ports.
    proc = _bot(["run", "--webhook-url", url], tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN)
    assert proc.returncode == 2
    (line,) = _problem_lines(proc, "--webhook-url")
    assert "https://HOST/PATH" in line and "443, 80, 88 or 8443" in line and "BOT_DOMAIN" in line
