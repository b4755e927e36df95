"""Stories of odd, forged and failing updates: none raises, and the admin chat is not flooded."""

from __future__ import annotations

import itertools
import logging
import random

import pytest
from telegram import Update

from bot.notices import NoticeThrottle
from handlers.app import build_application
from tests.telegram.conftest import ADMIN_CHAT_ID, ADMIN_ID, BotUnderTest, make_settings
from tests.telegram.fake_bot_api import FakeBotApi

FORGED_DATA = [
    "rp:", "rp:cat:../../etc", "rp:edit:zzz", "rp:send", "rp:go:extra:parts", "lapor:" + "x" * 58,
    "ans:", "ans:nope", "basis:nope", "rel:", "topic:", "topics:x", "fb:", "fb:x:up:" + "9" * 50,
    "fb:medsos-suka-komentar:sideways:-5", "fb:medsos-suka-komentar:up:" + "9" * 30,
    "fb:medsos-suka-komentar:down:²", "rp:cat:²", "page:", "page:../../", "lang:xx", "adm:",
    "adm:rp:", "adm:rp:s:", "adm:rp:o:NTR-AAAA-BBBB", "adm:rp:n::", "kb:", "kb:e:nope", "rv:",
    "na:", "imp:", "askit", "askit:x", "\u0000", "🚨", "x" * 64,
]  # fmt: skip
TEXTS = ["", " ", "/lapor", "/start lapor-../x", "/status", "/laporan", "/kb", "/batal",
         "/tinjau", "/start", "boleh kampanye?", "@netralitas_test_bot",
         "/lapor@other_bot"]  # fmt: skip


class Errors(logging.Handler):
    """Collects the bot's 'update ... failed' records."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors():
    handler = Errors()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


def odd_updates(api: FakeBotApi, rng: random.Random) -> list[dict]:
    """Updates Telegram can send (or a modified client can cause) that a bot rarely sees."""
    user = api.user(id=6060)
    bot_user = api.user(id=6061, first_name="Robot")
    bot_user["is_bot"] = True
    group, channel = api.group_chat(), {"id": -1009999, "type": "channel", "title": "Kanal"}
    private = api.private_chat(user)
    now = 1700000000
    base = {"date": now}
    updates: list[dict] = [
        {},  # nothing at all
        {"poll_answer": {"poll_id": "p", "user": user, "option_ids": [0]}},
        {"my_chat_member": {"chat": group, "from": user, "date": now,
                            "old_chat_member": {"status": "left", "user": api.bot_user},
                            "new_chat_member": {"status": "member", "user": api.bot_user}}},
        {"chat_join_request": {"chat": group, "from": user, "user_chat_id": user["id"],
                               "date": now}},
        {"message_reaction": {"chat": private, "message_id": 1, "user": user, "date": now,
                              "old_reaction": [], "new_reaction": []}},
        {"chosen_inline_result": {"result_id": "x", "from": user, "query": "boleh?"}},
        {"inline_query": {"id": "iq-x", "from": user, "query": "", "offset": ""}},
        {"inline_query": {"id": "iq-y", "from": user, "query": "🚨" * 200, "offset": "9"}},
        {"callback_query": {"id": "cq-inline", "from": user, "chat_instance": "c",
                            "inline_message_id": "im-1", "data": "rp:send"}},
        {"callback_query": {"id": "cq-game", "from": user, "chat_instance": "c",
                            "game_short_name": "g"}},
        {"business_message": {"message_id": 3, "chat": private, "from": user, "text": "hi",
                              **base}},
    ]  # fmt: skip
    for text in TEXTS:
        for chat, sender in ((channel, None), (group, user), (private, bot_user)):
            message = {"message_id": rng.randint(1, 10**6), "chat": chat, "text": text, **base}
            if sender:
                message["from"] = sender
            if text.startswith("/"):
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            updates.append({"channel_post" if chat is channel else "message": message})
            edited = {**message, "edit_date": now + 60}
            updates.append({"edited_channel_post" if chat is channel else "edited_message": edited})
        edit = {"message_id": 9, "chat": private, "from": user, "text": text, **base}
        updates.append({"edited_message": {**edit, "edit_date": now}})
    for i, data in enumerate(FORGED_DATA + ["lapor:", "page:help", "lang:en", "ans:x", "topics"]):
        updates.append({"callback_query": {"id": f"cq-inline-{i}", "from": user,
                                           "chat_instance": "c", "inline_message_id": "im-1",
                                           "data": data}})  # fmt: skip
    for extra in (
        {"contact": {"phone_number": "+62812555", "first_name": "A"}},
        {"location": {"latitude": 1.0, "longitude": 2.0}},
        {"dice": {"emoji": "🎲", "value": 3}},
        {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
                     "height": 1, "is_animated": False, "is_video": False}},
        {"text": "x", "entities": [{"type": "mention", "offset": 40, "length": 99}]},
        {"new_chat_members": [user]},
        {"text": "boleh?", "sender_chat": channel},
        {"text": "boleh?", "chat": {"id": 4242, "type": "private", "first_name": "Lain"}},
        {"photo": [{"file_id": "f", "file_unique_id": "f", "width": 1, "height": 1}],
         "media_group_id": "mg"},
    ):  # fmt: skip
        message = {"message_id": rng.randint(1, 10**6), "chat": private, "from": user, **base}
        updates.append({"message": {**message, **extra}})
    return [u for u in updates if parses({"update_id": 1, **u})]


def parses(update: dict) -> bool:
    """True when python-telegram-bot reads the update (one it cannot read never reaches us)."""
    try:
        Update.de_json(update, None)
    except (TypeError, KeyError, ValueError):
        return False
    return True


async def test_odd_and_forged_updates_never_raise_and_never_reach_the_admin_chat(
    bot: BotUnderTest, errors: Errors
):
    rng = random.Random(10)
    user = bot.api.user(id=6060)
    await bot.say("boleh foto bareng caleg?", user=user)  # a message with buttons to press
    message = bot.api.last_reply(user["id"])
    updates = odd_updates(bot.api, rng)
    assert len(updates) >= 60
    for update in updates:
        for kind in ("callback_query",):
            if kind in update:  # a real query id, as Telegram would give
                bot.api._callbacks.add(update[kind]["id"])
        bot.api.inject_raw(update)
    for data in FORGED_DATA:
        for presser in (user, bot.api.user(id=ADMIN_ID)):
            bot.api.inject_callback(data, message=message, user=presser)
    await bot.api.wait_idle(timeout=120)
    assert [r.getMessage() for r in errors.records] == []
    assert bot.api.crashes == []
    assert not bot.api.calls("sendMessage", chat_id=ADMIN_CHAT_ID)
    harmless = ("query is too old", "message is not modified")  # both handled by the bot
    assert not [c for c in bot.api.errors if not any(h in (c.error or "") for h in harmless)]
    # ... and the bot still serves.
    other = bot.api.user(id=6070)
    assert "Dilarang" in await bot.say("boleh ngelike postingan caleg di IG?", user=other)


async def test_a_failing_feature_tells_the_admin_chat_once_per_ten_minutes_with_a_count(
    bot: BotUnderTest, errors: Errors, monkeypatch
):
    clock = itertools.count(0.0, 1.0)  # one second per error
    bot.app.bot_data["error_notices"] = NoticeThrottle(clock=lambda: float(next(clock)))

    def broken(*args, **kwargs):
        raise RuntimeError("the matcher broke")

    async def ask(user: dict) -> int:
        """The user asks; the bot crashes on it and apologises. Returns the update id."""
        since = bot.api.mark()
        update = bot.api.inject_message("boleh kampanye?", user=user)
        apology = await bot.api.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == user["id"], since=since
        )
        assert "gangguan" in apology[0].text
        with pytest.raises(AssertionError, match="crashed"):  # the crash this story causes
            await bot.api.wait_handled(update["update_id"])
        return update["update_id"]

    monkeypatch.setattr(bot.core.answers, "ask", broken)
    users = [bot.api.user(id=7100 + i) for i in range(6)]
    for u in users:
        await ask(u)  # each user is apologised to
    notices = await bot.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == ADMIN_CHAT_ID)
    assert len(bot.api.calls("sendMessage", chat_id=ADMIN_CHAT_ID)) == 1
    first = notices[0].text
    assert "RuntimeError in handlers/answering.py:on_text" in first
    assert "boleh kampanye" not in first and "the matcher broke" not in first
    # Ten minutes later the next one comes, counting the five held back.
    bot.app.bot_data["error_notices"].clock = lambda: 10_000.0
    await ask(users[0])
    later = await bot.api.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == ADMIN_CHAT_ID, count=2
    )
    assert "6 kali" in later[-1].text
    assert len(errors.records) == 7


async def test_polling_hiccups_are_logged_not_posted(bot: BotUnderTest):
    from telegram.error import Conflict, TimedOut

    for error in (TimedOut("read timeout"), Conflict("terminated by other getUpdates request")):
        await bot.app.process_error(update=None, error=error)
    assert not bot.api.calls("sendMessage", chat_id=ADMIN_CHAT_ID)
    assert [u for u, _ in bot.api.crashes] == [None, None]  # seen by the harness, not posted
    bot.api.crashes.clear()


def test_the_rate_limiter_off_outside_a_benchmark_is_warned_about(tmp_path, caplog):
    api = FakeBotApi()
    with caplog.at_level(logging.WARNING, logger="handlers.app"):
        build_application(make_settings(api, tmp_path, rate_limit_per_second=0, benchmark=False))
    assert "TELEGRAM_RATE_LIMIT=0" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="handlers.app"):
        build_application(make_settings(api, tmp_path, rate_limit_per_second=0, benchmark=True))
        build_application(make_settings(api, tmp_path, rate_limit_per_second=30))
    assert "TELEGRAM_RATE_LIMIT" not in caplog.text
