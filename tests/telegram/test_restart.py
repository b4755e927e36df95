"""The real `python bot.py` process, killed with SIGKILL mid-conversation and restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.telegram.fake_bot_api import FakeBotApi

PROJECT = Path(__file__).resolve().parents[2]


def _start(api, db: Path, **extra_env: str) -> subprocess.Popen:
    """Start `python bot.py` against the fake server; its log goes to a file beside the db."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.url,
        DATABASE_PATH=str(db),
        TELEGRAM_RATE_LIMIT="0",
        REPORT_ENCRYPTION_KEY="7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA=",
    )
    env.update(extra_env)
    return subprocess.Popen(
        [sys.executable, "bot.py"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(db.parent / "bot.log").open("a"),
        text=True,
    )


@pytest.fixture
def fake_telegram():
    api = FakeBotApi.run_in_thread()
    try:
        yield api
    finally:
        api.close()


def _reply_after(api, since: int, chat_id: int, timeout: float = 20.0) -> str:
    calls = api.wait_for(
        "sendMessage", lambda c: c.params.get("chat_id") == chat_id, timeout=timeout, since=since
    )
    return calls[-1].text


def test_sigkill_mid_conversation_then_restart_keeps_the_users_state(fake_telegram, tmp_path):
    api = fake_telegram
    user = api.user(id=7007, language_code="id")
    chat = api.private_chat(user)
    bot = _start(api, tmp_path / "bot.db")
    try:
        since = api.mark()
        api.inject_command("/bahasa", user=user, chat=chat)
        picker = api.wait_for("sendMessage", since=since, timeout=30)[-1]
        since = api.mark()
        api.inject_callback("lang:en", message=picker, user=user)
        api.wait_for("editMessageText", since=since)
        since = api.mark()
        api.inject_message("boleh pakai mobil dinas buat kampanye?", user=user, chat=chat)
        assert "Forbidden" in _reply_after(api, since, user["id"])
    finally:
        bot.send_signal(signal.SIGKILL)
        bot.wait(timeout=10)
    assert bot.returncode == -signal.SIGKILL

    restarted = _start(api, tmp_path / "bot.db")
    try:
        since = api.mark()
        api.inject_command("/topik", user=user, chat=chat)
        # The language chosen before the kill is still in force: the menu comes in English.
        texts = [
            c.text
            for c in api.wait_for(
                "sendMessage",
                lambda c: (
                    c.params.get("chat_id") == user["id"] and "topic" in (c.text or "").lower()
                ),
                since=since,
                timeout=30,
            )
        ]
        assert any("ASN neutrality topics" in t for t in texts)
    except TimeoutError:
        print((tmp_path / "bot.log").read_text()[-3000:])
        raise
    finally:
        restarted.terminate()
        restarted.wait(timeout=15)
    assert restarted.returncode == 0, (tmp_path / "bot.log").read_text()[-2000:]
