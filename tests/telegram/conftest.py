"""The end-to-end harness: the project's real Application talking to the fake Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.core import Core
from handlers.app import build_application
from tests.telegram.fake_bot_api import FakeBotApi

ADMIN_ID = 90001
ADMIN_CHAT_ID = -100777
# A valid Fernet key used only by tests.
TEST_REPORT_KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="


@dataclass
class BotUnderTest:
    """A running bot and the fake Telegram it talks to."""

    api: FakeBotApi
    app: Application
    core: Core
    settings: Settings

    async def say(self, text: str, user: dict | None = None, **where) -> str:
        """A user sends `text` in private; returns the bot's next reply text."""
        user = user or self.api.user()
        since = self.api.mark()
        chat = where.pop("chat", None) or self.api.private_chat(user)
        if text.startswith("/"):
            self.api.inject_command(text, user=user, chat=chat, **where)
        else:
            self.api.inject_message(text, user=user, chat=chat, **where)
        calls = await self.api.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == chat["id"], since=since
        )
        return calls[-1].text

    async def press(self, label_or_data: str, user: dict | None = None, message=None) -> str:
        """The user presses a button (by label or callback data) on the bot's last message.

        Returns everything the bot showed in response (edited or new messages), joined.
        """
        user = user or self.api.user()
        chat_id = user["id"]
        message = message or self.api.last_reply(chat_id)
        data = find_button(self.api.buttons(message), label_or_data)
        assert data is not None, f"no button {label_or_data!r} in {self.api.buttons(message)}"
        since = self.api.mark()
        self.api.inject_callback(data, message=message, user=user)
        await self.api.wait_for("answerCallbackQuery", since=since)
        await self._wait_shown(chat_id, since)
        await self.api.wait_idle(quiet=0.15)
        shown = [
            c.text or ""
            for c in self.api.calls()[since:]
            if c.method in ("sendMessage", "editMessageText")
            and str(c.params.get("chat_id")) == str(chat_id)
            and not c.error
        ]
        return "\n".join(shown)

    async def _wait_shown(self, chat_id: int, since: int, timeout: float = 10.0) -> None:
        """Until the bot sends or edits a message in the chat, or answers with a toast."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if any(
                (
                    c.method in ("sendMessage", "editMessageText")
                    and str(c.params.get("chat_id")) == str(chat_id)
                )
                or (c.method == "answerCallbackQuery" and c.params.get("text"))
                for c in self.api.calls()[since:]
            ):
                return
            await asyncio.sleep(0.02)


def find_button(buttons: list[tuple[str, str | None]], label_or_data: str) -> str | None:
    """The data of the button named by its label (or part of it) or its data; `rp:skip` also
    names `rp:skip:<step>` (buttons carry their step or a code after the action)."""
    for text, cb in buttons:
        if label_or_data in (text, cb) or label_or_data in text:
            return cb
    for _, cb in buttons:
        if cb and cb.startswith(label_or_data + ":"):
            return cb
    return None


def make_settings(api: FakeBotApi, tmp_path: Path, **overrides) -> Settings:
    """Settings pointing the bot at the fake server and a temporary database."""
    base = Settings(
        telegram_bot_token=api.token,
        telegram_api_base_url=api.url,
        telegram_admin_ids=frozenset({ADMIN_ID}),
        telegram_admin_chat_id=ADMIN_CHAT_ID,
        database_path=tmp_path / "bot.db",
        report_encryption_key=TEST_REPORT_KEY,
        rate_limit_per_second=0,
    )
    return replace(base, **overrides)


async def start_bot(api: FakeBotApi, settings: Settings) -> Application:
    """Build the project's Application and start polling the fake server."""
    app = build_application(settings)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    return app


async def stop_bot(app: Application) -> None:
    """Stop polling and shut the application down cleanly."""
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


@pytest.fixture
async def bot(tmp_path) -> AsyncIterator[BotUnderTest]:
    """A running bot over a fresh database, talking to a fresh fake Telegram."""
    async with FakeBotApi() as api:
        settings = make_settings(api, tmp_path)
        app = await start_bot(api, settings)
        try:
            yield BotUnderTest(api, app, app.bot_data["core"], settings)
        finally:
            await stop_bot(app)
            await asyncio.sleep(0)
