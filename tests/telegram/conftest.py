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
from tests.telegram.fake_bot_api import Call, FakeBotApi
from tests.telegram.reporting import report_handling

ADMIN_ID = 90001
ADMIN_CHAT_ID = -100777
# A valid Fernet key used only by tests.
TEST_REPORT_KEY = "7HwQ0yRk3c2rX5Wb1c9mK2p4J8sT6vN0qL3eF5gH7jA="
# How long a story waits for the bot to handle one update before failing with what it saw.
# Generous, as it costs nothing when the bot answers: the first chart imports matplotlib, and
# the machine may be busy.
HANDLING_TIMEOUT = 30.0


@dataclass
class BotUnderTest:
    """A running bot and the fake Telegram it talks to."""

    api: FakeBotApi
    app: Application
    core: Core
    settings: Settings

    async def say(self, text: str, user: dict | None = None, **where) -> str:
        """A user sends `text` (in private unless `chat=` is given); once the bot has handled
        it, returns the first message the bot sent to that chat in reply. Fails if the bot
        crashed or said nothing."""
        user = user or self.api.user()
        since = self.api.mark()
        chat = where.pop("chat", None) or self.api.private_chat(user)
        inject = self.api.inject_command if text.startswith("/") else self.api.inject_message
        update = inject(text, user=user, chat=chat, **where)
        await self.api.wait_handled(update["update_id"], timeout=HANDLING_TIMEOUT)
        sent = self._shown(since, chat["id"], ("sendMessage",))
        assert sent, f"the bot said nothing in reply to {text[:80]!r}; {self.api.seen()}"
        return sent[0].text or ""

    async def press(self, label_or_data: str, user: dict | None = None, message=None) -> str:
        """The user presses a button (by label or callback data) on the bot's last message.

        Once the bot has handled the press, returns everything it showed in response (edited
        or new messages), joined. Fails if the bot crashed, left the press unanswered (the
        user's button would keep spinning) or showed nothing at all.
        """
        user = user or self.api.user()
        message = message or self.api.last_reply(user["id"])
        data = find_button(self.api.buttons(message), label_or_data)
        assert data is not None, f"no button {label_or_data!r} in {self.api.buttons(message)}"
        since = self.api.mark()
        update = self.api.inject_callback(data, message=message, user=user)
        await self.api.wait_handled(update["update_id"], timeout=HANDLING_TIMEOUT)
        query = update["callback_query"]
        chat_id = query["message"]["chat"]["id"]
        answers = [
            c
            for c in self.api.calls()[since:]
            if c.method == "answerCallbackQuery"
            and str(c.params.get("callback_query_id")) == query["id"]
            and not c.error
        ]
        assert answers, f"the bot never answered the press of {data!r}; {self.api.seen()}"
        shown = self._shown(since, chat_id, ("sendMessage", "editMessageText"))
        toast = answers[0].params.get("text")
        files = self._shown(since, chat_id, ("sendPhoto", "sendDocument"))
        assert shown or toast or files, f"the bot showed nothing for {data!r}; {self.api.seen()}"
        return "\n".join(c.text or "" for c in shown)

    def _shown(self, since: int, chat_id: int, methods: tuple[str, ...]) -> list[Call]:
        """Successful calls of `methods` to `chat_id` made at or after `since`."""
        return [
            c
            for c in self.api.calls()[since:]
            if c.method in methods and str(c.params.get("chat_id")) == str(chat_id) and not c.error
        ]


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
        benchmark=True,  # the fake server has no flood limit: the limiter is off on purpose
    )
    return replace(base, **overrides)


async def start_bot(api: FakeBotApi, settings: Settings) -> Application:
    """Build the project's Application, tell it to report each handled update and each crash
    to the fake server (so tests wait for exactly that), and start polling the fake server."""
    app = build_application(settings)

    async def report(update_id: int | None, error: BaseException | None) -> None:
        if error is None:
            api.handled(update_id)
        else:
            api.crashed(update_id, error)

    report_handling(app, report)
    api.expect_reports()
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
async def bot(database: Path) -> AsyncIterator[BotUnderTest]:
    """A running bot over a fresh database, talking to a fresh fake Telegram."""
    async with FakeBotApi() as api:
        settings = make_settings(api, database.parent)
        app = await start_bot(api, settings)
        try:
            yield BotUnderTest(api, app, app.bot_data["core"], settings)
        finally:
            await stop_bot(app)
            await asyncio.sleep(0)  # one turn of the loop for the closed connections' callbacks
        # A crash on an update no helper waited for (a burst, a group message) fails the test
        # too, even if the bot's apology made the story look fine.
        crashes = api.unraised_crashes()
        assert not crashes, f"the bot crashed: {crashes!r}; {api.seen()}"
