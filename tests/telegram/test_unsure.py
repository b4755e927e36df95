"""Stories of messages the bot should not answer with a verdict: vague, junk, a bare number,
small talk. Through the real Application and the fake Bot API."""

from __future__ import annotations

from tests.telegram.conftest import BotUnderTest

VERDICTS = ("Dilarang", "Boleh", "Area abu-abu", "Wajib")


async def test_a_vague_message_gets_choices_and_none_of_these_explains_what_next(
    bot: BotUnderTest,
):
    reply = await bot.say("calon")
    assert "1." in reply and not any(v in reply for v in VERDICTS)
    labels = [t for t, _ in bot.api.buttons(bot.api.last_reply(bot.api.user()["id"]))]
    assert "Bukan semuanya" in labels and 2 <= len(labels) <= 4
    shown = await bot.press("Bukan semuanya")
    assert "tulis satu pertanyaan lengkap" in shown and "BKPSDM" in shown
    assert not bot.api.errors


async def test_typing_a_number_after_choices_opens_that_choice(bot: BotUnderTest):
    await bot.say("kampanye")
    buttons = bot.api.buttons(bot.api.last_reply(bot.api.user()["id"]))
    second_title = buttons[1][0]
    reply = await bot.say("2")
    assert second_title in reply  # the entry's title heads its answer
    alone = await bot.say("2")  # no choices on screen any more
    assert "Angka saja" in alone


async def test_junk_and_small_talk_get_no_verdict(bot: BotUnderTest):
    junk = await bot.say("asdfghjkl")
    assert "tidak memahami" in junk and not any(v in junk for v in VERDICTS)
    hello = await bot.say("halo min")
    assert "Halo!" in hello and not any(v in hello for v in VERDICTS)
    thanks = await bot.say("makasih ya")
    assert "Sama-sama" in thanks
