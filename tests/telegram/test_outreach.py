"""Stories of socialisation in Telegram: quizzes, subscriptions, announcements, reminders."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import yaml
from telegram.error import BadRequest

from bot.outreach import store
from bot.outreach.calendar import parse_calendar
from bot.outreach.quiz import OPTIONS
from handlers import outreach as outreach_handlers
from tests.telegram.conftest import ADMIN_ID, BotUnderTest, make_settings, start_bot, stop_bot
from tests.telegram.fake_bot_api import FakeBotApi


def verdict_options(bot: BotUnderTest, lang: str) -> list[str]:
    """The verdict labels a user sees on answers (labels.yaml), in the quiz's order."""
    return [bot.core.answers.renderer.label(f"verdict_{v}", lang) for v in OPTIONS]


def admin_user(bot: BotUnderTest) -> dict:
    return bot.api.user(id=ADMIN_ID, first_name="Admin", username="admin_bkpsdm")


async def command(bot: BotUnderTest, text: str, user: dict, chat: dict, polls: int = 0) -> list:
    """`user` sends a command in `chat`; waits for `polls` polls and a message; returns polls."""
    since = bot.api.mark()
    bot.api.inject_command(text, user=user, chat=chat)
    if polls:
        found = await bot.api.wait_for(
            "sendPoll", lambda c: c.params["chat_id"] == chat["id"], count=polls, since=since
        )
    await bot.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == chat["id"], since=since)
    return found if polls else []


def assert_quiz_as_telegram_checks_it(call, options: list[str]) -> None:
    """The fake Bot API accepted it (limits checked there); and it is a real quiz."""
    assert call.error is None, call.error
    poll = call.result["poll"]
    assert poll["type"] == "quiz"
    assert [o["text"] for o in poll["options"]] == options
    assert len(poll["correct_option_ids"]) == 1
    assert "📜" in poll["explanation"]  # the rule's source is cited


async def test_a_private_quiz_series_is_scored_after_the_last_answer(bot: BotUnderTest):
    user = bot.api.user()
    chat = bot.api.private_chat(user)
    polls = await command(bot, "/kuis 3", user, chat, polls=3)
    for call in polls:
        assert_quiz_as_telegram_checks_it(call, verdict_options(bot, "id"))
        assert call.params["question"].endswith("Bolehkah?")
    assert len({c.params["question"] for c in polls}) == 3
    intro = bot.api.last_reply(chat["id"]).text
    assert "3 soal" in intro and "skor" in intro
    since = bot.api.mark()
    for i, call in enumerate(polls):
        correct = call.result["poll"]["correct_option_ids"][0]
        bot.api.inject_poll_answer(call, correct if i < 2 else (correct + 1) % 3, user=user)
    [result] = await bot.api.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == chat["id"], since=since
    )
    assert "Anda menjawab benar 2 dari 3 soal." in result.text
    assert result.text.count("✅") == 2 and result.text.count("❌") == 1
    assert bot.api.errors == []


async def test_an_english_speaker_gets_the_quiz_in_english(bot: BotUnderTest):
    user = bot.api.user(id=2002, first_name="Jane", username="jane", language_code="en")
    since = bot.api.mark()
    bot.api.inject_command("/kuis", user=user)
    [call] = await bot.api.wait_for("sendPoll", since=since)
    assert_quiz_as_telegram_checks_it(call, verdict_options(bot, "en"))
    assert call.params["question"].endswith("Is that allowed?")
    # A single question in a private chat: Telegram shows right or wrong, no extra message.
    await bot.api.wait_idle()
    assert bot.api.calls("sendMessage", chat_id=user["id"]) == []


async def test_a_group_quiz_with_results_counts_answers_and_shows_them_when_closed(
    bot: BotUnderTest,
):
    head = bot.api.user(id=3001, first_name="Kepala", username="kepala_dinas")
    staff = [bot.api.user(id=3002 + i, first_name=f"Staf{i}", username=None) for i in range(3)]
    group = bot.api.group_chat()
    bot.api.set_member(group["id"], head["id"], "administrator")
    polls = await command(bot, "/kuis 2 hasil", head, group, polls=2)
    for call in polls:
        assert_quiz_as_telegram_checks_it(call, verdict_options(bot, "id"))
        assert call.result["poll"]["is_anonymous"] is False  # the group chose to see results
    after = bot.api.last_reply(group["id"])
    assert "tidak anonim" in after.text
    first, second = polls
    right = first.result["poll"]["correct_option_ids"][0]
    for person, option in zip(staff, (right, right, (right + 1) % 3), strict=True):
        bot.api.inject_poll_answer(first, option, user=person)
    bot.api.inject_poll_answer(second, second.result["poll"]["correct_option_ids"][0], user=head)
    await bot.api.wait_idle()
    [(label, data)] = bot.api.buttons(after)
    assert "Tutup kuis" in label
    # A member who is not an admin of the group cannot close it: a polite alert, nothing stops.
    since = bot.api.mark()
    bot.api.inject_callback(data, message=after, user=staff[0])
    [alert] = await bot.api.wait_for("answerCallbackQuery", since=since)
    assert alert.params["text"] == "Maaf, hanya admin grup yang dapat menutup kuis ini."
    assert alert.params["show_alert"] is True
    await bot.api.wait_idle()
    assert bot.api.calls("stopPoll") == [] and bot.api.calls("sendMessage")[since:] == []
    since = bot.api.mark()
    bot.api.inject_callback(data, message=after, user=head)
    [results] = await bot.api.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == group["id"], since=since
    )
    assert "2 benar dari 3 jawaban" in results.text
    assert "1 benar dari 1 jawaban" in results.text
    assert "Total: 3 jawaban benar dari 4 (75%)" in results.text
    stopped = bot.api.calls("stopPoll", chat_id=group["id"])
    assert {c.params["message_id"] for c in stopped} == {c.result["message_id"] for c in polls}
    assert all(c.result["is_closed"] for c in stopped)
    # Nothing about who answered is kept: only counts.
    assert "user" not in " ".join(bot.core.db["outreach_polls"].columns_dict)


async def test_a_group_quiz_without_results_is_anonymous(bot: BotUnderTest):
    group = bot.api.group_chat(id=-1009999)
    polls = await command(bot, "/kuis 2", bot.api.user(), group, polls=2)
    assert all(c.result["poll"]["is_anonymous"] for c in polls)
    assert "/kuis 2 hasil" in bot.api.last_reply(group["id"]).text
    with pytest.raises(ValueError, match="anonymous"):
        bot.api.inject_poll_answer(polls[0], 0)


async def test_telegram_refuses_a_quiz_whose_explanation_is_too_long(bot: BotUnderTest):
    """The fake Bot API checks polls as Telegram does, so a bad poll fails its test."""
    with pytest.raises(BadRequest, match="explanation"):
        await bot.app.bot.send_poll(
            1001,
            "Boleh?",
            ["Ya", "Tidak"],
            type="quiz",
            correct_option_ids=[0],
            explanation="x" * 201,
        )
    with pytest.raises(BadRequest, match="2-12 options"):
        await bot.app.bot.send_poll(1001, "Boleh?", ["Ya"], type="quiz", correct_option_ids=[0])


async def test_an_announcement_reaches_subscribers_only_until_they_unsubscribe(
    bot: BotUnderTest,
):
    admin = admin_user(bot)
    ani = bot.api.user(id=5001, first_name="Ani", username="ani")
    budi = bot.api.user(id=5002, first_name="Budi", username="budi2")
    group = bot.api.group_chat(id=-1005005)
    bot.api.set_member(group["id"], budi["id"], "creator")  # Budi owns the group
    assert "Berlangganan" in await bot.say("/langganan", user=ani)
    assert "hanya ID obrolan" in await bot.say("/langganan", user=budi, chat=group)
    await bot.say("halo", user=budi)  # Budi talks to the bot but never subscribes

    preview = await bot.say("/umumkan Sosialisasi netralitas\nSenin pukul 09.00", user=admin)
    assert "2 obrolan" in preview and "Sosialisasi netralitas\nSenin pukul 09.00" in preview
    report = await bot.press("Kirim", user=admin)
    assert "Terkirim: 2" in report and "Gagal: 0" in report
    got = {c.params["chat_id"] for c in bot.api.calls("sendMessage") if "Senin pukul" in c.text}
    assert got == {ani["id"], group["id"], admin["id"]}  # the admin only saw the preview

    assert "dihapus" in await bot.say("/berhenti_langganan", user=ani)
    await bot.say("/umumkan Rapat kedua", user=admin)
    assert "Terkirim: 1" in await bot.press("Kirim", user=admin)
    got = {c.params["chat_id"] for c in bot.api.calls("sendMessage") if "Rapat kedua" in c.text}
    assert got == {group["id"], admin["id"]}
    assert store.subscribers(bot.core.db) == [group["id"]]


async def test_only_a_groups_admins_subscribe_it_or_stop_its_subscription(bot: BotUnderTest):
    group = bot.api.group_chat(id=-1006006, title="Grup Dinas")
    admin = bot.api.user(id=6101, first_name="Sekretaris", username="sekdin")
    member = bot.api.user(id=6102, first_name="Staf", username="staf")
    guest = bot.api.user(id=6103, first_name="Tamu", username="tamu", language_code="en")
    bot.api.set_member(group["id"], admin["id"], "administrator")
    for user in (member, guest):
        bot.api.set_member(group["id"], user["id"], "member")

    refused = await bot.say("/langganan", user=member, chat=group)
    assert refused == (
        "Maaf, hanya admin grup yang dapat mendaftarkan grup ini untuk pengumuman dan pengingat."
    )
    assert store.subscribers(bot.core.db) == []
    assert "Berlangganan" in await bot.say("/langganan", user=admin, chat=group)
    assert await bot.say("/berhenti_langganan", user=guest, chat=group) == (
        "Sorry, only the group's admins can stop this group's subscription."
    )
    assert store.subscribers(bot.core.db) == [group["id"]]
    # In his own chat with the bot the member decides alone, as before.
    assert "Berlangganan" in await bot.say("/langganan", user=member)
    # The bot's own admins may, in any group; so may an admin writing anonymously, as the group.
    assert "dihapus" in await bot.say("/berhenti_langganan", user=admin_user(bot), chat=group)
    anonymous = bot.api.user(id=1087968824, first_name="Group", username="GroupAnonymousBot")
    anonymous["is_bot"] = True
    assert "Berlangganan" in await bot.say(
        "/langganan", user=anonymous, chat=group, sender_chat=group
    )
    assert store.subscribers(bot.core.db) == sorted([group["id"], member["id"]])


async def test_a_stranger_cannot_announce(bot: BotUnderTest):
    stranger = bot.api.user(id=6001, first_name="Orang", username="orang")
    await bot.say("/langganan", user=stranger)
    assert "tidak tersedia" in await bot.say("/umumkan Pilih nomor 2!", user=stranger)
    # Even with a forged button for a draft, nothing goes out.
    since = bot.api.mark()
    bot.api.inject_callback(
        "umum:kirim:1", message=bot.api.last_reply(stranger["id"]), user=stranger
    )
    [alert] = await bot.api.wait_for("answerCallbackQuery", since=since)
    assert "tidak tersedia" in alert.params["text"]
    await bot.api.wait_idle()
    assert not [c for c in bot.api.calls("sendMessage") if "Pilih nomor 2" in (c.text or "")]
    assert bot.core.db["outreach_announcements"].count == 0


async def test_a_chat_that_blocked_the_bot_is_removed_and_counted_as_failed(bot: BotUnderTest):
    admin = admin_user(bot)
    ani, citra = bot.api.user(id=7001, first_name="Ani"), bot.api.user(id=7002, first_name="Cit")
    for user in (ani, citra):
        await bot.say("/langganan", user=user)
    bot.api.block(citra["id"])
    await bot.say("/umumkan Jadwal apel netralitas", user=admin)
    report = await bot.press("Kirim", user=admin)
    assert "Terkirim: 1" in report and "Gagal: 1" in report and "dihapus" in report
    assert store.subscribers(bot.core.db) == [ani["id"]]


async def test_the_privacy_page_says_a_subscription_keeps_only_the_chat_id(bot: BotUnderTest):
    text = await bot.say("/privasi")
    assert "hanya ID obrolan" in text and "/berhenti_langganan" in text


def campaign_calendar(bot: BotUnderTest):
    """The shipped period rules with one Pemilu whose campaign starts on 1 March 2030."""
    data = yaml.safe_load((bot.settings.knowledge_dir / "calendar.yaml").read_text("utf-8"))
    data["elections"] = [
        {
            "id": "pemilu-uji",
            "kind": "pemilu",
            "name": {"id": "Pemilu Uji 2030", "en": "Test Election 2030"},
            "zone": "WITA",
            "campaign": {"start": "2030-03-01", "end": "2030-04-10", "source": "Keputusan KPU uji"},
            "voting": {"date": "2030-04-14", "source": "Keputusan KPU uji"},
        }
    ]
    return parse_calendar(data, bot.core.answers.kb)


async def test_subscribers_get_the_campaign_reminder_from_the_job_queue_on_its_date(tmp_path):
    async with FakeBotApi() as api:
        settings = make_settings(api, tmp_path)
        app = await start_bot(api, settings)
        bot = BotUnderTest(api, app, app.bot_data["core"], settings)
        try:
            subscriber, other = api.user(id=8001), api.user(id=8002, first_name="Lain")
            await bot.say("/langganan", user=subscriber)
            await bot.say("halo", user=other)
            calendar = campaign_calendar(bot)
            app.bot_data["outreach"].broadcasts.calendar = calendar
            campaign = calendar.reminders()[0]
            # "Now" is a moment before 07:00 WITA on the first campaign day.
            now = campaign.starts - timedelta(seconds=0.3)
            since = api.mark()
            assert await outreach_handlers.schedule_reminders(app, now=now) == 3
            [reminder] = await api.wait_for(
                "sendMessage", lambda c: c.params["chat_id"] == subscriber["id"], since=since
            )
            assert "Masa kampanye: Pemilu Uji 2030" in reminder.text
            assert "1 Maret 2030 sampai 10 April 2030" in reminder.text
            assert "Campaign period: Test Election 2030" in reminder.text
            assert "Ikut kampanye calon" in reminder.text  # a rule of the period, from the KB
            await api.wait_idle()
            to_other = [c for c in api.calls("sendMessage", chat_id=other["id"])[1:]]
            assert to_other == []  # only the reply to "halo": no reminder without a subscription
            assert store.reminders_sent(bot.core.db) == {campaign.key}
        finally:
            await stop_bot(app)

        # After a restart over the same database the sent reminder is not planned again.
        app = await start_bot(api, settings)
        try:
            app.bot_data["outreach"].broadcasts.calendar = calendar
            assert await outreach_handlers.schedule_reminders(app, now=now) == 2
        finally:
            await stop_bot(app)
        await asyncio.sleep(0)


async def upload(bot: BotUnderTest, user: dict, name: str, content: bytes) -> str:
    """The user sends a document in private; returns the bot's reply text."""
    file_id = f"upload-{name}-{bot.api.mark()}"
    bot.api.add_file(file_id, content, f"documents/{file_id}/{name}")
    since = bot.api.mark()
    bot.api.inject_document(file_id, file_name=name, mime_type="application/yaml", user=user)
    calls = await bot.api.wait_for(
        "sendMessage", lambda c: c.params.get("chat_id") == user["id"], since=since
    )
    return calls[-1].text


async def test_an_admin_uploads_the_election_calendar_and_its_reminders_are_planned(
    bot: BotUnderTest,
):
    admin = admin_user(bot)
    data = yaml.safe_load((bot.settings.knowledge_dir / "calendar.yaml").read_text("utf-8"))
    data["elections"] = [
        {
            "id": "pilkada-contoh-2099",
            "kind": "pilkada",
            "name": {"id": "Pilkada Contoh 2099", "en": "Contoh election 2099"},
            "zone": "WIB",
            "campaign": {"start": "2099-09-25", "end": "2099-11-23", "source": "Keputusan KPU"},
            "voting": {"date": "2099-11-27", "source": "Keputusan KPU"},
        }
    ]
    good = yaml.safe_dump(data, allow_unicode=True).encode()
    broken = good.replace(b"2099-11-27", b"2099-11-31")

    assert "tidak tersedia" in await upload(bot, bot.api.user(id=9009), "calendar.yaml", good)
    refused = await upload(bot, admin, "calendar.yaml", broken)
    assert "Kalender ditolak" in refused and "'2099-11-31' is not a date" in refused
    assert bot.app.bot_data["outreach"].broadcasts.calendar.elections == []

    saved = await upload(bot, admin, "calendar.yaml", good)
    assert "Kalender disimpan" in saved
    assert "2099-09-25 07:00 WIB: Masa kampanye, Pilkada Contoh 2099" in saved
    assert "2099-11-27 07:00 WIB: Hari pemungutan suara" in saved
    assert "Masa tenang" not in saved  # a Pilkada's quiet period needs its own sourced dates
    jobs = {j.name for j in bot.app.job_queue.jobs()}
    assert jobs >= {
        "reminder:pilkada-contoh-2099:kampanye:2099-09-25",
        "reminder:pilkada-contoh-2099:pemungutan:2099-11-27",
    }
    # The upload is the live calendar from now on, also for the next start.
    assert store.live_calendar(bot.core.db)[0] == good.decode()
