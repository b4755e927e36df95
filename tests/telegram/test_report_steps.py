"""Stories of a reporter's steps: failed replies, questions asked mid-report, idle drafts, jobs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.telegram.conftest import BotUnderTest
from tests.telegram.fake_bot_api import ApiError
from tests.telegram.test_report_flow import WHAT


async def to_step_who(bot: BotUnderTest, user: dict | None = None) -> None:
    await bot.say("/lapor", user=user)
    await bot.press("rp:go", user=user)
    await bot.press("rp:cat:lainnya", user=user)
    assert "Siapa" in await bot.say(WHAT, user=user)


async def settled(bot: BotUnderTest, user: dict) -> None:
    """Until the bot has recorded that its last reply reached the reporter."""
    for _ in range(500):
        draft = bot.core.reports.draft_of(user["id"])
        if draft is None or draft.confirmed:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the last reply was never confirmed")


def idle_for(bot: BotUnderTest, minutes: int) -> None:
    """The reporter's draft was last touched `minutes` ago."""
    then = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")
    bot.core.db.execute("UPDATE report_drafts SET updated_at = ?", [then])


async def run_job(bot: BotUnderTest, name: str) -> None:
    (job,) = bot.app.job_queue.get_jobs_by_name(name)
    await job.run(bot.app)


async def test_a_reply_that_fails_to_arrive_leaves_the_step_unapplied(bot: BotUnderTest):
    await to_step_who(bot)
    user = bot.api.user()
    real = bot.api._m_sendMessage
    failed = []

    def once(params):  # noqa: ANN001, ANN202 - Telegram fails to deliver the next reply
        if not failed and params.get("chat_id") == user["id"]:
            failed.append(params)
            raise ApiError("Bad Request: chat temporarily unavailable")
        return real(params)

    bot.api._m_sendMessage = once
    update = bot.api.inject_message("Drs. X, Kepala Dinas", user=user)
    with pytest.raises(AssertionError, match="BadRequest"):  # the crash this story causes
        await bot.api.wait_handled(update["update_id"])
    delivered = [c for c in bot.api.calls("sendMessage", chat_id=user["id"]) if not c.error]
    assert failed and "gangguan" in delivered[-1].text  # the error handler: try again
    assert bot.core.reports.draft_of(user["id"]).step == "who"  # nothing was applied
    assert "Di mana" in await bot.say("Drs. X, Kepala Dinas")  # the retry is applied once
    draft = bot.core.reports.draft_of(user["id"])
    assert (draft.who, draft.where, draft.step) == ("Drs. X, Kepala Dinas", "", "where")


async def test_a_question_asked_mid_report_is_answered_or_kept_as_the_reporter_says(
    bot: BotUnderTest,
):
    await bot.say("/lapor")
    await bot.press("rp:go")
    await bot.press("rp:cat:lainnya")
    question = "boleh kepala dinas mengajak semua staf ikut kampanye?"
    which = await bot.say(question)
    assert "bagian dari laporan" in which and "belum disimpan" in which
    answered = await bot.press("Pertanyaan untuk bot")
    assert "masih menunggu" in answered and "Kejadian" in answered
    assert "Apa yang terjadi" in await bot.press("Lanjutkan laporan")
    assert bot.core.reports.draft_of(bot.api.user()["id"]).what == ""
    await bot.say(question)
    assert "Siapa" in await bot.press("Bagian laporan saya")
    assert bot.core.reports.draft_of(bot.api.user()["id"]).what == question


async def test_an_idle_draft_is_reminded_once_then_expires_with_a_message(bot: BotUnderTest):
    await to_step_who(bot)
    user = bot.api.user()
    await settled(bot, user)
    idle_for(bot, 31)
    since = bot.api.mark()
    await run_job(bot, "drafts-idle")
    reminder = await bot.api.wait_for("sendMessage", since=since)
    assert "belum selesai" in reminder[-1].text and "Terlapor" in reminder[-1].text
    assert "29 menit" in reminder[-1].text or "30 menit" in reminder[-1].text
    await run_job(bot, "drafts-idle")  # one reminder, not one per check
    assert len(bot.api.calls("sendMessage", chat_id=user["id"])[since:]) <= 1
    idle_for(bot, 61)
    since = bot.api.mark()
    await run_job(bot, "drafts-idle")
    expired = await bot.api.wait_for("sendMessage", since=since)
    assert "kedaluwarsa" in expired[-1].text
    assert bot.core.db["report_drafts"].count == 0
    # After expiry, text is a question again.
    assert "Laporan" not in await bot.say("boleh foto bareng caleg?")


async def test_retention_and_expiry_run_as_scheduled_jobs(bot: BotUnderTest):
    names = {job.name for job in bot.app.job_queue.jobs()}
    assert {"tips-retention", "questions-retention", "quizzes-retention", "drafts-idle"} <= names
    await bot.say("boleh foto bareng caleg?")
    old = (datetime.now(UTC) - timedelta(days=91)).isoformat(timespec="seconds")
    bot.core.db.execute("UPDATE question_log SET asked_at = ?", [old])
    await run_job(bot, "questions-retention")
    assert bot.core.db["question_log"].count == 0
    await bot.say("/kuis 2")  # a private series, never finished
    bot.core.db.execute("UPDATE outreach_series SET started_at = ?", [old])
    await run_job(bot, "quizzes-retention")
    assert bot.core.db["outreach_series"].count == 0
