"""Stories of tips and edits that arrive outside the report flow, and of albums.

A reporter who cancels by mistake and types the tip as a message, or edits a message, must not
see it land in the question log that admins read; an album earns one reply, not one per photo.
"""

from __future__ import annotations

from tests.telegram.conftest import BotUnderTest
from tests.telegram.test_report_flow import WHAT

TIP = (
    "Kemarin sore Pak Suparjo, Sekretaris Desa Sukamaju, membagikan kupon berlogo partai "
    "kepada guru honorer saat apel di balai desa."
)


def questions_logged(bot: BotUnderTest) -> list[str]:
    return [row["question"] for row in bot.core.db["question_log"].rows]


async def test_a_tip_typed_outside_a_report_gets_an_offer_and_is_not_stored(bot: BotUnderTest):
    reply = await bot.say(TIP)
    assert "laporan kejadian" in reply and "tidak disimpan" in reply
    labels = [t for t, _ in bot.api.buttons(bot.api.last_reply(bot.api.user()["id"]))]
    assert any("Laporkan secara rahasia" in t for t in labels)
    assert questions_logged(bot) == []
    # The offer starts a confidential report.
    notice = await bot.press("Laporkan secara rahasia")
    assert "bukan laporan resmi" in notice
    assert "kategori" in (await bot.press("rp:go")).lower()


async def test_the_sender_can_say_it_was_a_question_and_then_it_is_answered(bot: BotUnderTest):
    await bot.say(TIP)
    answer = await bot.press("Ini pertanyaan")
    assert "tidak disimpan" not in answer and answer
    assert questions_logged(bot) == [TIP]  # asked as a question: logged like any question


async def test_a_question_about_a_case_is_answered_as_a_question(bot: BotUnderTest):
    question = TIP.rstrip(".") + ", apakah itu melanggar?"
    reply = await bot.say(question)
    assert "laporan kejadian" not in reply
    assert questions_logged(bot) == [question]


async def test_an_edited_question_is_not_read_again_and_not_logged(bot: BotUnderTest):
    await bot.say("boleh foto bareng caleg?")
    since = bot.api.mark()
    bot.api.inject_edit(1, "boleh kampanye untuk caleg X di desa Y?")
    calls = await bot.api.wait_for("sendMessage", since=since)
    assert "pesan baru" in calls[-1].text and "tidak saya baca" in calls[-1].text
    assert calls[-1].params["reply_parameters"]["message_id"] == 1
    assert questions_logged(bot) == ["boleh foto bareng caleg?"]


async def test_an_album_outside_a_report_gets_one_reply(bot: BotUnderTest):
    user = bot.api.user()
    since = bot.api.mark()
    for i in range(8):
        bot.api.inject_photo(f"album-{i}", user=user, media_group_id="g-1")
    await bot.api.wait_for("sendMessage", since=since)
    await bot.api.wait_idle()
    replies = bot.api.calls("sendMessage", chat_id=user["id"])
    assert len(replies) == 1 and "teks" in replies[0].text


async def test_help_tells_how_to_cancel_a_report(bot: BotUnderTest):
    assert "/batal" in await bot.say("/bantuan")
    english = bot.api.user(id=3003, language_code="en")
    assert "/batal" in await bot.say("/help", user=english)


async def test_an_album_of_evidence_is_saved_whole_and_answered_once(bot: BotUnderTest):
    await bot.say("/lapor")
    await bot.press("rp:go")
    await bot.press("rp:cat:lainnya")
    await bot.say(WHAT)
    for _ in range(3):
        await bot.press("rp:skip")
    user = bot.api.user()
    since = bot.api.mark()
    for i in range(8):
        bot.api.inject_photo(f"evidence-{i}", user=user, media_group_id="album-7")
    await bot.api.wait_for("sendMessage", since=since)
    await bot.api.wait_idle()
    after = [c for c in bot.api.calls()[since:] if c.method == "sendMessage"]
    assert len(after) == 1 and "Berkas ke-8" in after[0].text and "8 berkas" in after[0].text
    summary = await bot.press("Selesai")
    assert "Kontak" in summary
    draft = bot.core.reports._load(bot.core.reports.user_ref(user["id"]))
    assert [e["file_id"] for e in draft.evidence] == [f"evidence-{i}" for i in range(8)]


async def test_an_edit_during_a_report_never_changes_the_draft(bot: BotUnderTest):
    await bot.say("/lapor")
    await bot.press("rp:go")
    await bot.press("rp:cat:lainnya")
    await bot.say(WHAT)  # the "what" step; the bot now asks "who"
    user = bot.api.user()
    since = bot.api.mark()
    bot.api.inject_edit(5, "Teks yang diedit, yang tidak boleh masuk ke laporan mana pun.", user)
    calls = await bot.api.wait_for("sendMessage", since=since)
    assert "pesan baru" in calls[-1].text
    draft = bot.core.reports._load(bot.core.reports.user_ref(user["id"]))
    assert draft.what == WHAT and draft.who == "" and draft.step == "who"
    assert "Di mana" in await bot.say("Drs. X")  # the flow carries on at "who"


async def test_every_report_prompt_says_how_to_cancel(bot: BotUnderTest):
    shown = [await bot.say("/lapor"), await bot.press("rp:go")]
    shown.append(await bot.press("rp:cat:lainnya"))
    shown.append(await bot.say(WHAT))
    for _ in range(4):
        shown.append(await bot.press("rp:skip"))
    shown.append(await bot.press("rp:skip"))  # the summary
    shown.append(await bot.press("rp:edit"))  # the edit menu
    assert len(shown) == 10
    for text in shown:
        assert "/batal" in text, text
