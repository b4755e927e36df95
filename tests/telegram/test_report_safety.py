"""Stories about what tips must never reveal, who may read them, and input that must be refused."""

from __future__ import annotations

import re

from tests.telegram.conftest import ADMIN_ID, BotUnderTest
from tests.telegram.test_report_flow import WHAT, file_to_summary, send

SECRET_WHAT = (
    "Sekdes Sukamaju membagikan kupon Zamrudkencana berlogo partai kepada guru honorer saat apel."
)
FORWARD = {"type": "hidden_user", "date": 1700000000, "sender_user_name": "Seseorang"}


async def file_ticket(bot: BotUnderTest, user: dict | None = None) -> str:
    await file_to_summary(bot, user=user)
    done = await bot.press("Kirim", user=user)
    return re.search(r"NTR-\w{4}-\w{4}", done).group(0)


async def test_the_database_file_holds_no_tip_text_and_no_reporter_identity(bot: BotUnderTest):
    reporter = bot.api.user(id=987654321, first_name="Wahyuningsih", username="saksi_rahasia")
    await bot.say("/lapor", user=reporter)
    await bot.press("rp:go", user=reporter)
    await bot.press("rp:cat:kampanye-ikut", user=reporter)
    await bot.say(SECRET_WHAT, user=reporter)
    await bot.say("Bapak Suparjo, Sekretaris Desa Sukamaju", user=reporter)
    await bot.say("Balai Desa Sukamaju", user=reporter)
    await bot.press("rp:skip", user=reporter)
    await send(bot, bot.api.inject_photo, "AgACAgIAAxkBAAIBsecretphoto", user=reporter)
    await bot.press("rp:skip", user=reporter)
    await bot.say("kontak: 0812-5555-0199", user=reporter)
    await bot.press("Kirim", user=reporter)
    await file_ticket(bot, user=reporter)  # a second tip the same day
    path = bot.settings.database_path
    raw = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    for secret in (
        "Sukamaju",
        "Zamrudkencana",
        "Suparjo",
        "0812-5555-0199",
        "secretphoto",
        "987654321",
        "saksi_rahasia",
        "Wahyuningsih",
    ):
        assert secret.encode() not in raw, secret
    # ... and yet the admins can read it.
    tickets = bot.core.reports.desk.tickets()
    assert {bot.core.reports.get(t["ticket"]).what for t in tickets} == {SECRET_WHAT, WHAT}


async def test_a_non_admin_is_refused_every_admin_command_and_button(bot: BotUnderTest):
    ticket = await file_ticket(bot)
    bot.core.reports.get(ticket)
    stranger = bot.api.user(id=3131, username="penasaran")
    refusal = await bot.say("/laporan", user=stranger)
    assert "tidak tersedia" in refusal
    message = bot.api.last_reply(stranger["id"])
    for data in (
        "adm:rp:home",
        "adm:rp:l:diterima",
        f"adm:rp:o:{ticket}",
        f"adm:rp:e:{ticket}",
        f"adm:rp:s:{ticket}:ditolak",
        f"adm:rp:n:{ticket}:ditolak",
    ):
        since = bot.api.mark()
        update = bot.api.inject_callback(data, message=message, user=stranger)
        await bot.api.wait_handled(update["update_id"])
        # The press is answered and the message shows the refusal again (already shown, so
        # Telegram says "not modified"); nothing else reaches the stranger.
        replies = [
            c
            for c in bot.api.calls()[since:]
            if c.method == "answerCallbackQuery" or c.params.get("chat_id") == stranger["id"]
        ]
        assert [c.method for c in replies] == ["answerCallbackQuery", "editMessageText"], data
        assert "tidak tersedia" in replies[1].text, data
    await bot.say("catatan palsu", user=stranger)
    shown = " ".join(bot.api.sent_texts(stranger["id"]))
    assert ticket not in shown and "Kepala dinas" not in shown and "Mengerahkan" not in shown
    assert not bot.api.calls("sendPhoto") and not bot.api.calls("sendDocument")
    assert bot.core.reports.get(ticket).status == "diterima"


async def test_an_admin_reviews_a_tip_sees_its_evidence_and_notes_the_reporter(bot: BotUnderTest):
    await bot.say("/lapor")
    await bot.press("rp:go")
    await bot.press("rp:cat:media-sosial")
    await bot.say(WHAT)
    for _ in range(3):
        await bot.press("rp:skip")
    await send(bot, bot.api.inject_photo, "photo-evidence-9")
    await bot.press("rp:skip")
    await bot.press("rp:skip")
    ticket = re.search(r"NTR-\w{4}-\w{4}", await bot.press("Kirim")).group(0)
    admin = bot.api.user(id=ADMIN_ID, username="admin")
    overview = await bot.say("/laporan", user=admin)
    assert "Diterima: 1" in overview
    listing = await bot.press("adm:rp:l:diterima", user=admin)
    assert ticket in listing
    opened = await bot.press(f"adm:rp:o:{ticket}", user=admin)
    assert WHAT in opened and "Media sosial" in opened
    opened_message = bot.api.last_reply(ADMIN_ID)
    await bot.press(f"adm:rp:e:{ticket}", user=admin)
    photos = bot.api.calls("sendPhoto", chat_id=ADMIN_ID)
    assert [c.params["photo"] for c in photos] == ["photo-evidence-9"]
    await bot.press(f"adm:rp:s:{ticket}:diteruskan-bawaslu", user=admin, message=opened_message)
    saved = await bot.say("Diteruskan ke Bawaslu kabupaten.", user=admin)
    assert "Diteruskan ke Bawaslu" in saved
    status = await bot.say(f"/status {ticket}")
    assert "Diteruskan ke Bawaslu kabupaten." in status
    history = bot.core.reports.get(ticket).history
    assert [h["status"] for h in history] == ["diterima", "diteruskan-bawaslu"]


async def test_bad_input_at_each_step_is_refused_politely_and_the_step_asked_again(
    bot: BotUnderTest,
):
    await bot.say("/lapor")
    assert "tombol" in await bot.say("halo")  # the notice wants a button
    await bot.press("rp:go")
    assert "tombol" in await bot.say("kampanye")  # so does the category
    await bot.press("rp:cat:lainnya")
    assert "kosong" in await bot.say("   ")
    too_long = await bot.say("x" * 10_000)
    assert "10000 karakter" in too_long and "Apa yang terjadi" in too_long
    assert "teks" in await send(bot, bot.api.inject_sticker)
    assert "teks" in await send(bot, bot.api.inject_photo, "p-1")
    reply = await bot.say(WHAT, forward_origin=FORWARD)
    assert "diteruskan dari" in reply and "Siapa" in reply
    assert "teks" in await send(bot, bot.api.inject_sticker)
    await bot.press("rp:skip")
    await bot.press("rp:skip")
    assert "tidak ada di kalender" in await bot.say("31/02/2024")
    assert "belum terjadi" in await bot.say("1/1/2099")
    assert "Bukti" in await bot.say("kemarin sore")
    big = await send(bot, bot.api.inject_document, "big-1", file_size=60 * 1024 * 1024)
    assert "20 MB" in big
    exe = await send(
        bot,
        bot.api.inject_document,
        "exe-1",
        file_name="a.exe",
        mime_type="application/x-msdownload",
    )
    assert "foto, video, atau dokumen" in exe
    assert "foto, video, atau dokumen" in await send(bot, bot.api.inject_sticker)
    assert "foto, video, atau dokumen" in await bot.say("ini buktinya")
    reply = await send(bot, bot.api.inject_photo, "p-2", forward_origin=FORWARD)
    assert "Berkas ke-1" in reply and "diteruskan dari" in reply
    await bot.press("rp:skip")
    summary = await bot.press("rp:skip")
    assert "1 berkas" in summary
    assert "tombol" in await bot.say("kirim")
    draft_files = bot.core.reports._load(bot.core.reports.user_ref(bot.api.user()["id"])).evidence
    assert [f["file_id"] for f in draft_files] == ["p-2"]
    assert not bot.api.errors
