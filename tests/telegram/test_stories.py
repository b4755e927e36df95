"""More user stories through Telegram: deep links, language, inline mode, bad input, bursts."""

from __future__ import annotations

from tests.telegram.conftest import BotUnderTest


async def test_deep_link_opens_a_topic(bot: BotUnderTest):
    reply = await bot.say("/start topik-media-sosial")
    assert "Media sosial" in reply
    labels = [t for t, _ in bot.api.buttons(bot.api.last_reply(bot.api.user()["id"]))]
    assert len(labels) >= 3 and any("Kembali" in t for t in labels)


async def test_topic_menu_leads_to_an_answer_and_back(bot: BotUnderTest):
    await bot.say("/topik")
    shown = await bot.press("topic:sanksi")
    assert "Sanksi" in shown
    entry_button = next(
        cb
        for _, cb in bot.api.buttons(bot.api.last_reply(bot.api.user()["id"]))
        if cb and cb.startswith("ans:")
    )
    answer = await bot.press(entry_button)
    assert "Dasar:" in answer
    back = await bot.press("topic:sanksi")
    assert "Sanksi" in back
    assert "Topik netralitas ASN" in await bot.press("topics")


async def test_user_switches_to_english_and_it_is_remembered(bot: BotUnderTest):
    await bot.say("/bahasa")
    shown = await bot.press("lang:en")
    assert "English" in shown
    reply = await bot.say("/topik")
    assert "ASN neutrality topics" in reply
    # An Indonesian question from a user who chose English is answered in English.
    reply = await bot.say("boleh pasang baliho caleg di rumah?")
    assert "Forbidden" in reply


async def test_english_telegram_user_is_greeted_in_english(bot: BotUnderTest):
    user = bot.api.user(id=3003, language_code="en")
    reply = await bot.say("/start", user=user)
    assert "ASN Neutrality assistant" in reply


async def test_inline_mode_lists_answers_to_share(bot: BotUnderTest):
    since = bot.api.mark()
    bot.api.inject_inline_query("boleh like postingan caleg")
    call = (await bot.api.wait_for("answerInlineQuery", since=since))[-1]
    results = call.params["results"]
    assert 1 <= len(results) <= 5
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"
    assert results[0]["id"].startswith("medsos-")  # the social-media entry comes first


async def test_a_5000_character_message_gets_a_polite_answer(bot: BotUnderTest):
    question = "boleh ikut kampanye caleg? " + "mohon penjelasannya ya " * 220
    assert len(question) > 5000
    reply = await bot.say(question)
    # The first 500 characters are read and answered, with a note saying so.
    assert "500 karakter pertamanya" in reply and "Ikut kampanye calon" in reply
    assert not bot.api.errors


async def test_empty_sticker_and_photo_get_a_request_for_text(bot: BotUnderTest):
    user = bot.api.user()
    reply = await bot.say("   ")
    assert "tulis pertanyaan" in reply.lower()
    since = bot.api.mark()
    bot.api.inject_sticker(user=user, chat=bot.api.private_chat(user))
    calls = await bot.api.wait_for("sendMessage", since=since)
    assert "teks" in calls[-1].text
    since = bot.api.mark()
    bot.api.inject_photo("photo-1", caption=None, user=user, chat=bot.api.private_chat(user))
    calls = await bot.api.wait_for("sendMessage", since=since)
    assert "teks" in calls[-1].text


async def test_html_in_the_question_is_shown_as_text(bot: BotUnderTest):
    reply = await bot.say("<b>resep</b> kue & teh <i>manis</i>")
    assert "<b>resep</b>" in reply  # the user's text, shown literally
    assert not bot.api.errors


async def test_a_burst_of_50_messages_from_one_user_is_answered_in_full(bot: BotUnderTest):
    user = bot.api.user(id=4004)
    chat = bot.api.private_chat(user)
    for i in range(50):
        bot.api.inject_message(f"boleh foto bareng caleg nomor {i}?", user=user, chat=chat)
    await bot.api.wait_for("sendMessage", count=50, timeout=20)
    assert len(bot.api.calls("sendMessage", chat_id=user["id"])) == 50
    assert not bot.api.errors


async def test_feedback_is_recorded_without_identity(bot: BotUnderTest):
    await bot.say("boleh pakai kaos partai pas kampanye?")
    await bot.press("👍")
    rows = list(bot.core.db["feedback"].rows)
    assert len(rows) == 1 and rows[0]["value"] == 1
    assert rows[0]["question_id"] is not None
    logged = list(bot.core.db["question_log"].rows)
    assert [row["question"] for row in logged] == ["boleh pakai kaos partai pas kampanye?"]
    assert str(bot.api.user()["id"]) not in repr(logged)


async def test_report_button_in_a_group_is_a_deep_link_to_the_private_chat(bot: BotUnderTest):
    group = bot.api.group_chat()
    user = bot.api.user(id=2020)
    text = f"@{bot.api.bot_user['username']} boleh like postingan caleg?"
    entity = {"type": "mention", "offset": 0, "length": len(bot.api.bot_user["username"]) + 1}
    bot.api.inject_message(text, user=user, chat=group, entities=[entity])
    call = (await bot.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == group["id"]))[-1]
    report = [target for label, target in bot.api.buttons(call) if "Laporkan" in label]
    assert report and report[0].startswith("https://t.me/netralitas_test_bot?start=lapor")
