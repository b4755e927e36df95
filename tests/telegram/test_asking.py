"""Stories of ASN asking the bot in Telegram, through the real Application and a fake Bot API."""

from __future__ import annotations

from tests.telegram.conftest import BotUnderTest


async def test_user_asks_about_liking_a_post_and_gets_the_social_media_rule(bot: BotUnderTest):
    reply = await bot.say("boleh ngelike postingan caleg di IG?")
    assert "Dilarang" in reply
    labels = [text for text, _ in bot.api.buttons(bot.api.last_reply(bot.api.user()["id"]))]
    assert any("Dasar hukum" in t for t in labels)
    assert any("Laporkan" in t for t in labels)
    assert not bot.api.errors  # every reply was valid Telegram HTML


async def test_start_greets_with_the_four_doors_and_set_commands(bot: BotUnderTest):
    reply = await bot.say("/start")
    assert "asisten Netralitas ASN" in reply
    labels = " ".join(t for t, _ in bot.api.buttons(bot.api.last_reply(bot.api.user()["id"])))
    for door in ("Tanya", "Topik", "Laporkan", "Privasi"):
        assert door in labels
    commands = bot.api.calls("setMyCommands")
    assert {c.params.get("language_code") for c in commands} == {None, "en"}


async def test_legal_basis_button_shows_the_exact_article_text(bot: BotUnderTest):
    await bot.say("pns boleh pakai mobil dinas untuk kampanye?")
    shown = await bot.press("Dasar hukum")
    assert "Dasar hukum" in shown
    assert "fasilitas negara" in shown


async def test_group_chatter_is_ignored_but_a_mention_is_answered(bot: BotUnderTest):
    group = bot.api.group_chat()
    user = bot.api.user(id=2002)
    bot.api.inject_message("besok rapat jam 9 ya bapak ibu", user=user, chat=group)
    bot.api.inject_message("boleh ikut kampanye?", user=user, chat=group)
    await bot.api.wait_idle()
    assert not bot.api.calls("sendMessage", chat_id=group["id"])  # the office chat is left alone
    text = f"@{bot.api.bot_user['username']} boleh ikut kampanye?"
    entity = {"type": "mention", "offset": 0, "length": len(bot.api.bot_user["username"]) + 1}
    bot.api.inject_message(text, user=user, chat=group, entities=[entity])
    calls = await bot.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == group["id"])
    assert "kampanye" in calls[-1].text.lower()


async def test_twenty_users_at_once_all_get_answers(bot: BotUnderTest):
    users = [bot.api.user(id=5000 + i, first_name=f"U{i}") for i in range(20)]
    for u in users:
        bot.api.inject_message("boleh foto bareng caleg?", user=u, chat=bot.api.private_chat(u))
    await bot.api.wait_for("sendMessage", count=20, timeout=15)
    answers = {c.params["chat_id"]: c.text for c in bot.api.calls("sendMessage")}
    assert set(answers) == {u["id"] for u in users}
    for text in answers.values():  # each got the rule itself, not an apology
        assert "Dilarang" in text and "foto bersama calon" in text


async def test_a_long_legal_basis_arrives_as_one_message_with_the_full_text_a_tap_away(
    bot: BotUnderTest,
):
    await bot.say("Bolehkah pejabat mengerahkan PNS lain untuk menghadiri kampanye?")
    since = bot.api.mark()
    shown = await bot.press("Dasar hukum")
    sent = [c for c in bot.api.calls()[since:] if c.method in ("sendMessage", "editMessageText")]
    assert len(sent) == 1 and len(shown) <= 4096
    assert "Juga dikutip" in shown
    full = await bot.press("Teks lengkap")
    assert "(teks lengkap, 1/" in full
    assert not bot.api.errors
