"""The real `python bot.py` process, killed with SIGKILL mid-conversation and restarted."""

from __future__ import annotations

import signal

import pytest

from tests.telegram.bot_process import start_bot_process
from tests.telegram.fake_bot_api import FakeBotApi

KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="


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


def test_sigkill_mid_conversation_then_restart_keeps_the_users_state(
    fake_telegram, tmp_path, database
):
    api = fake_telegram
    user = api.user(id=7007, language_code="id")
    chat = api.private_chat(user)
    bot = start_bot_process(api, database, REPORT_ENCRYPTION_KEY=KEY)
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

    restarted = start_bot_process(api, database, REPORT_ENCRYPTION_KEY=KEY)
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
