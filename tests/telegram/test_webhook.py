"""Production mode: `python bot.py run --webhook-url ...` behind Telegram's secret-token check."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

from tests.telegram.bot_process import start_bot_process
from tests.telegram.fake_bot_api import FakeBotApi

SECRET = "s3cret-token-for-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, json.dumps(update).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError:
        return 0  # not listening yet


def test_webhook_mode_refuses_updates_without_the_secret_and_answers_real_ones(tmp_path, database):
    api = FakeBotApi.run_in_thread()
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    bot = start_bot_process(
        api,
        database,
        *("run", "--webhook-url", hook, "--listen", "127.0.0.1", "--port", str(port)),
        WEBHOOK_SECRET_TOKEN=SECRET,
    )
    try:
        registered = api.wait_for("setWebhook", timeout=30)[-1].params
        assert registered["url"] == hook and registered["secret_token"] == SECRET
        user = api.user(id=6006)
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": api.private_chat(user),
                "from": user,
                "text": "boleh pakai mobil dinas ke kampanye?",
            },
        }
        deadline = time.monotonic() + 20
        while _post(hook, update, None) not in (401, 403) and time.monotonic() < deadline:
            time.sleep(0.02)  # the webhook server listens just after setWebhook
        assert _post(hook, update, None) == 403
        assert _post(hook, update, "wrong-secret") == 403
        assert not api.calls("sendMessage")
        assert _post(hook, update, SECRET) == 200
        api.wait_handled(1, timeout=20)
        [reply] = api.calls("sendMessage")
        assert reply.params["chat_id"] == user["id"] and "Dilarang" in reply.text
    finally:
        bot.terminate()
        bot.wait(timeout=15)
        api.close()
