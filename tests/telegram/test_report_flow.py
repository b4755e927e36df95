"""Stories of reporters filing confidential tips through the real Application and a fake Bot API."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.telegram.conftest import ADMIN_CHAT_ID, BotUnderTest, start_bot, stop_bot

TICKET = re.compile(r"NTR-[2-9A-Z]{4}-[2-9A-Z]{4}")
WHAT = "Kepala dinas mengajak seluruh staf hadir di kampanye paslon nomor 2 hari Sabtu."


async def send(bot: BotUnderTest, inject: Callable[..., object], *args, **kwargs) -> str:
    """Inject a non-text message from the default user; returns the bot's next reply."""
    user = kwargs.pop("user", None) or bot.api.user()
    since = bot.api.mark()
    inject(*args, user=user, **kwargs)
    calls = await bot.api.wait_for(
        "sendMessage", lambda c: c.params.get("chat_id") == user["id"], since=since
    )
    return calls[-1].text


async def file_to_summary(bot: BotUnderTest, user: dict | None = None) -> str:
    """/lapor through every step to the summary, skipping the optional ones."""
    await bot.say("/lapor", user=user)
    await bot.press("rp:go", user=user)
    await bot.press("rp:cat:kampanye-mengerahkan", user=user)
    await bot.say(WHAT, user=user)
    await bot.press("rp:skip", user=user)  # who
    await bot.press("rp:skip", user=user)  # where
    await bot.press("rp:skip", user=user)  # when
    await bot.press("rp:skip", user=user)  # evidence
    return await bot.press("rp:skip", user=user)  # contact: stay anonymous


def tickets_of(bot: BotUnderTest) -> list[str]:
    return [r["ticket"] for r in bot.core.reports.desk.tickets()]


async def test_reporter_files_a_tip_step_by_step_and_gets_a_ticket(bot: BotUnderTest):
    notice = await bot.say("/lapor")
    assert "bukan laporan resmi" in notice
    for channel in ("SP4N-LAPOR!", "Bawaslu", "PPK", "Pelaporan Publik BKN"):
        assert channel in notice
    shown = await bot.press("Lanjut")
    assert "kategori" in shown.lower()
    labels = [t for t, _ in bot.api.buttons(bot.api.last_reply(bot.api.user()["id"]))]
    categories = bot.core.answers.kb.report_categories  # knowledge/report_categories.yaml
    assert "Mengerahkan ASN atau menekan rekan dan bawahan" in labels and labels[-2] == "Lainnya"
    assert len(labels) == len(categories) + 1  # and Cancel
    assert "Apa yang terjadi" in await bot.press("rp:cat:kampanye-mengerahkan")
    assert "Siapa" in await bot.say(WHAT)
    assert "Di mana" in await bot.say("Drs. X, Kepala Dinas Pendidikan Kabupaten Y")
    assert "Kapan" in await bot.press("Lewati")
    assert "Bukti" in await bot.say("Sabtu 10/02/2024 pagi")
    reply = await send(bot, bot.api.inject_photo, "photo-file-1", caption="ini fotonya")
    assert "Berkas ke-1" in reply and "caption" in reply
    reply = await send(bot, bot.api.inject_document, "doc-file-1", file_name="undangan.pdf")
    assert "Berkas ke-2" in reply
    assert "Kontak" in await bot.press("Selesai")
    summary = await bot.say("email: saksi@example.org")
    assert "Ringkasan" in summary and "2 berkas" in summary and "Sabtu 10/02/2024" in summary
    since = bot.api.mark()
    done = await bot.press("Kirim")
    ticket = TICKET.search(done).group(0)
    assert tickets_of(bot) == [ticket]
    notice = await bot.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == ADMIN_CHAT_ID)
    admin_text = notice[-1].text
    assert ticket in admin_text and "Mengerahkan ASN" in admin_text
    assert "Kepala dinas" not in admin_text and "saksi@" not in admin_text
    assert bot.api.calls("sendMessage", chat_id=ADMIN_CHAT_ID)[0] in bot.api.calls()[since:]
    report = bot.core.reports.get(ticket)
    assert report.what == WHAT and report.who.startswith("Drs. X") and report.where == ""
    assert [e["file_id"] for e in report.evidence] == ["photo-file-1", "doc-file-1"]
    assert report.contact == "email: saksi@example.org"
    assert not bot.api.errors


async def test_the_report_button_under_an_answer_preselects_the_category(bot: BotUnderTest):
    await bot.say("boleh ngelike postingan caleg di IG?")
    await bot.press("lapor:media-sosial")
    shown = await bot.press("rp:go")
    assert "Media sosial" in shown and "Apa yang terjadi" in shown


async def test_edit_changes_one_part_and_returns_to_the_summary(bot: BotUnderTest):
    await file_to_summary(bot)
    menu = await bot.press("Ubah")
    assert "diubah" in menu
    assert "Di mana" in await bot.press("rp:edit:where")
    summary = await bot.say("Aula kantor bupati")
    assert "Ringkasan" in summary and "Aula kantor bupati" in summary
    await bot.press("rp:edit")
    await bot.press("rp:edit:category")
    summary = await bot.press("rp:cat:media-sosial")
    assert "Media sosial" in summary
    done = await bot.press("Kirim")
    ticket = TICKET.search(done).group(0)
    assert bot.core.reports.get(ticket).category == "media-sosial"


async def test_cancel_deletes_the_draft_at_any_step(bot: BotUnderTest):
    await bot.say("/lapor")
    await bot.press("rp:go")
    await bot.press("rp:cat:lainnya")
    assert "dibatalkan" in await bot.say("/batal")
    assert bot.core.db["report_drafts"].count == 0
    # After the cancel, text is a question again.
    answer = await bot.say("boleh foto bareng caleg?")
    assert "foto bersama calon" in answer and "Laporan" not in answer
    await file_to_summary(bot)
    assert "dibatalkan" in await bot.press("rp:cancel")
    assert bot.core.db["report_drafts"].count == 0 and tickets_of(bot) == []


async def test_status_shows_the_ticket_and_a_wrong_code_looks_like_an_unknown_one(
    bot: BotUnderTest,
):
    await file_to_summary(bot)
    ticket = TICKET.search(await bot.press("Kirim")).group(0)
    bot.core.reports.desk.set_status(ticket, "diteruskan-bkn", "Sudah diteruskan ke BKN.")
    status = await bot.say(f"/status {ticket.lower()}")
    assert "Diteruskan ke BKN" in status and "Sudah diteruskan ke BKN." in status
    unknown = await bot.say("/status NTR-AAAA-BBBB")
    wrong = await bot.say("/status halo123")
    assert unknown == wrong and "Tidak ada laporan" in unknown


async def test_pressing_send_twice_files_one_ticket(bot: BotUnderTest):
    await file_to_summary(bot)
    summary_message = bot.api.last_reply(bot.api.user()["id"])
    first = TICKET.search(await bot.press("Kirim")).group(0)
    again = await bot.press("rp:send", message=summary_message)
    assert first in again
    assert tickets_of(bot) == [first]


async def test_a_restart_mid_flow_continues_where_the_reporter_was(bot: BotUnderTest):
    await bot.say("/lapor")
    await bot.press("rp:go")
    await bot.press("rp:cat:kampanye-fasilitas")
    await bot.say(WHAT)
    await stop_bot(bot.app)
    app = await start_bot(bot.api, bot.settings)
    try:
        bot.app, bot.core = app, app.bot_data["core"]
        assert "Di mana" in await bot.say("Sekda Kabupaten Z")  # the who-step answer
        await bot.press("rp:skip")
        await bot.press("rp:skip")
        await bot.press("rp:skip")
        summary = await bot.press("rp:skip")
        assert WHAT in summary and "Sekda Kabupaten Z" in summary
        await bot.press("Kirim")
        assert len(tickets_of(bot)) == 1
    finally:
        await stop_bot(app)  # the fixture's own stop of the first app is then a no-op


async def test_report_in_a_group_points_to_the_private_chat(bot: BotUnderTest):
    group = bot.api.group_chat()
    reply = await bot.say("/lapor", chat=group)
    assert "obrolan pribadi" in reply
    buttons = bot.api.buttons(bot.api.last_reply(group["id"]))
    assert buttons[0][1].endswith("?start=lapor")
    assert bot.core.db["report_drafts"].count == 0
    notice = await bot.say("/start lapor-media-sosial")
    assert "bukan laporan resmi" in notice
    assert "Media sosial" in await bot.press("rp:go")


async def test_daily_limit_counts_tips_without_storing_who(bot: BotUnderTest):
    limit = bot.settings.reports_per_day
    for _ in range(limit):
        await file_to_summary(bot)
        await bot.press("Kirim")
    assert len(tickets_of(bot)) == limit
    assert "batas harian" in await bot.say("/lapor")
    # Another reporter is not affected.
    other = bot.api.user(id=4242, username="lain")
    assert "bukan laporan resmi" in await bot.say("/lapor", user=other)


async def test_status_asked_in_a_group_reveals_nothing_and_points_to_the_private_chat(
    bot: BotUnderTest,
):
    await file_to_summary(bot)
    ticket = TICKET.search(await bot.press("Kirim")).group(0)
    group = bot.api.group_chat()
    reply = await bot.say(f"/status {ticket}", chat=group)
    assert "obrolan pribadi" in reply
    assert ticket not in reply and "Diterima" not in reply
    call = bot.api.last_reply(group["id"])
    assert any(url and url.startswith("https://t.me/") for _, url in bot.api.buttons(call))


async def test_an_english_speaking_reporter_is_guided_in_english(bot: BotUnderTest):
    user = bot.api.user(id=4242, language_code="en")
    notice = await bot.say("/lapor", user=user)
    assert "not a formal report" in notice and "SP4N-LAPOR!" in notice
    assert "category" in await bot.press("rp:go", user=user)
    await bot.press("rp:cat:media-sosial", user=user)
    assert "Who did it?" in await bot.say(WHAT, user=user)
