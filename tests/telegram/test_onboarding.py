"""Stories of a new admin getting set up: /id, their own command menu, /bantuan, and the
start-up line that says the admin chat cannot be reached."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from tests.telegram.conftest import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    BotUnderTest,
    make_settings,
    start_bot,
    stop_bot,
)
from tests.telegram.fake_bot_api import FakeBotApi

ADMIN_COMMANDS = {"laporan", "kb", "kb_export", "tinjau", "statistik", "umumkan", "id"}
PUBLIC = "start topik kuis lapor status langganan bahasa bantuan privasi"
PUBLIC_COMMANDS = set(PUBLIC.split())


def admin_user(bot: BotUnderTest) -> dict:
    return bot.api.user(id=ADMIN_ID, first_name="Admin", username="admin_bkpsdm")


def menus(api: FakeBotApi) -> dict[tuple[str, object, object], list[dict]]:
    """The menus the bot set: (scope type, chat id, language code) -> commands."""
    return {
        (
            c.params["scope"]["type"],
            c.params["scope"].get("chat_id"),
            c.params.get("language_code"),
        ): c.params["commands"]
        for c in api.calls("setMyCommands")
    }


async def test_a_would_be_admin_gets_their_user_id_in_a_private_chat(bot: BotUnderTest):
    stranger = bot.api.user(id=4242, first_name="Sari", username="sari_it")
    reply = await bot.say("/id", user=stranger)
    assert "ID pengguna Telegram Anda: 4242" in reply
    assert "TELEGRAM_ADMIN_IDS" in reply  # what to do with it
    assert "grup" not in reply  # no group id in a private chat


async def test_id_in_a_group_gives_the_user_id_and_the_group_chat_id(bot: BotUnderTest):
    group = bot.api.group_chat(id=-1009876543210, title="Admin BKPSDM")
    user = bot.api.user(id=4243, first_name="Andi", language_code="en")
    reply = await bot.say("/id", user=user, chat=group)
    assert "Your Telegram user id: 4243" in reply
    assert "This group chat's id: -1009876543210" in reply
    assert "TELEGRAM_ADMIN_CHAT_ID" in reply


async def test_an_admin_is_told_they_are_already_an_admin(bot: BotUnderTest):
    reply = await bot.say("/id", user=admin_user(bot))
    assert f"ID pengguna Telegram Anda: {ADMIN_ID}" in reply
    assert "Anda terdaftar sebagai admin" in reply


async def test_admin_commands_are_in_the_admins_menu_only(bot: BotUnderTest):
    shown = menus(bot.api)
    # Everyone (both languages): the public commands, not one admin command.
    for code in (None, "en"):
        names = {c["command"] for c in shown[("default", None, code)]}
        assert names == PUBLIC_COMMANDS
    # The admin's private chat: public and admin commands, described in each language.
    for code, word in ((None, "Cari dan ubah"), ("en", "Find and edit")):
        commands = shown[("chat", ADMIN_ID, code)]
        assert {c["command"] for c in commands} == PUBLIC_COMMANDS | ADMIN_COMMANDS
        kb = next(c for c in commands if c["command"] == "kb")
        assert word.lower() in kb["description"].lower()
    # No other chat got a menu.
    assert {chat for scope, chat, _ in shown if scope == "chat"} == {ADMIN_ID}


async def test_bantuan_lists_admin_commands_to_an_admin_in_private_only(bot: BotUnderTest):
    admin_help = await bot.say("/bantuan", user=admin_user(bot))
    assert "Perintah admin" in admin_help
    for command in ("/laporan", "/kb_export", "/tinjau", "/statistik", "/umumkan", "/id"):
        assert command in admin_help
    stranger_help = await bot.say("/bantuan", user=bot.api.user(id=4244))
    assert "/topik" in stranger_help
    assert "Perintah admin" not in stranger_help and "/tinjau" not in stranger_help
    group_help = await bot.say("/bantuan", user=admin_user(bot), chat=bot.api.group_chat())
    assert "/tinjau" not in group_help  # an admin asking in a group: the group sees nothing


async def test_the_ask_button_of_start_shows_admin_commands_to_an_admin_only(bot: BotUnderTest):
    admin = admin_user(bot)
    await bot.say("/start", user=admin)
    assert "/tinjau" in await bot.press("Tanya", user=admin)
    stranger = bot.api.user(id=4245)
    await bot.say("/start", user=stranger)
    shown = await bot.press("Tanya", user=stranger)
    assert "Cara bertanya" in shown and "/tinjau" not in shown


async def test_a_removed_admin_loses_the_admin_menu_at_the_next_start(tmp_path):
    async with FakeBotApi() as api:
        settings = make_settings(api, tmp_path, telegram_admin_ids=frozenset({ADMIN_ID, 5555}))
        await stop_bot(await start_bot(api, settings))
        assert ("chat", 5555, None) in menus(api)
        api.clear()
        app = await start_bot(api, replace(settings, telegram_admin_ids=frozenset({ADMIN_ID})))
        await stop_bot(app)
    deleted = {
        (c.params["scope"]["chat_id"], c.params.get("language_code"))
        for c in api.calls("deleteMyCommands")
    }
    assert deleted == {(5555, None), (5555, "en")}
    assert {chat for scope, chat, _ in menus(api) if scope == "chat"} == {ADMIN_ID}


async def admin_chat_lines(tmp_path, caplog, prepare) -> list[str]:
    """Start the bot against a fake Telegram set up by `prepare`; the onboarding log lines."""
    caplog.set_level(logging.INFO, logger="handlers.onboarding")
    async with FakeBotApi() as api:
        prepare(api)
        app = await start_bot(api, make_settings(api, tmp_path))
        try:
            # The bot still answers: an unreachable admin chat is no reason to stop.
            api.inject_command("/start")
            await api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 1001)
        finally:
            await stop_bot(app)
    said = [r.getMessage() for r in caplog.records if r.name == "handlers.onboarding"]
    return [line for line in said if "ADMIN_CHAT_ID" in line or "admin chat" in line]


@pytest.mark.parametrize(
    ("prepare", "reason"),
    [
        (lambda api: api.lose_chat(ADMIN_CHAT_ID), "chat not found"),
        (
            lambda api: api.lose_chat(
                ADMIN_CHAT_ID, "Forbidden: bot was kicked from the supergroup chat", 403
            ),
            "kicked",
        ),
        (lambda api: api.set_bot_member(ADMIN_CHAT_ID, "left"), "not a member"),
        (
            lambda api: api.set_bot_member(ADMIN_CHAT_ID, "restricted", can_send_messages=False),
            "muted",
        ),
    ],
    ids=["unknown", "kicked", "left", "muted"],
)
async def test_an_unreachable_admin_chat_is_one_clear_line_at_start(
    tmp_path, caplog, prepare, reason
):
    lines = await admin_chat_lines(tmp_path, caplog, prepare)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"TELEGRAM_ADMIN_CHAT_ID={ADMIN_CHAT_ID} cannot be posted to")
    assert reason in lines[0].lower()
    assert "/id" in lines[0]  # and how to find the right id
    assert not [r for r in caplog.records if r.exc_info]  # no traceback


async def test_a_reachable_admin_chat_is_said_once_without_a_warning(tmp_path, caplog):
    lines = await admin_chat_lines(tmp_path, caplog, lambda api: None)
    assert lines == [f"admin chat {ADMIN_CHAT_ID} reachable: new tips are announced there"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
