"""Stories of admins keeping the knowledge base alive in Telegram (and of everyone else not)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import DEFAULT_TIME_ZONE
from bot.curation.stats import DAYS
from bot.kb.formats import export_tsv
from tests.telegram.conftest import ADMIN_ID, BotUnderTest

REFUSAL = "tidak tersedia"
ENTRY = "medsos-bagikan"


def admin_user(bot: BotUnderTest) -> dict:
    return bot.api.user(id=ADMIN_ID, first_name="Admin", username="admin_bkpsdm")


async def upload(bot: BotUnderTest, user: dict, name: str, content: bytes) -> str:
    """The user sends a document; returns the bot's reply text."""
    file_id = f"upload-{name}-{bot.api.mark()}"
    bot.api.add_file(file_id, content, f"documents/{file_id}/{name}")
    since = bot.api.mark()
    bot.api.inject_document(file_id, file_name=name, mime_type="text/plain", user=user)
    calls = await bot.api.wait_for(
        "sendMessage", lambda c: c.params.get("chat_id") == user["id"], since=since
    )
    return calls[-1].text


def tsv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter="\t"))


def to_tsv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


async def test_a_non_admin_is_refused_on_every_admin_command_button_and_upload(
    bot: BotUnderTest,
):
    user = bot.api.user(id=4242, first_name="Bukan", username="bukan_admin")
    before = export_tsv(bot.core.answers.kb)
    for command in ("/kb", "/kb medsos", "/kb_export", "/tinjau", "/statistik"):
        assert REFUSAL in await bot.say(command, user=user), command
    await bot.say("boleh ikut kampanye?", user=user)  # a bot message to press buttons on
    for data in (
        f"kb:v:{ENTRY}",
        f"kb:vs:{ENTRY}:boleh:1",
        f"kb:ry:{ENTRY}:1",
        f"kb:ph:{ENTRY}:id:1",
        "kb:un:1",
        "rv:nx:0",
        f"rv:add:0123456789:{ENTRY}",
        "na:start",
        "imp:ok:abc",
    ):
        since = bot.api.mark()
        bot.api.inject_callback(data, user=user)
        answered = await bot.api.wait_for("answerCallbackQuery", since=since)
        assert REFUSAL in answered[-1].params.get("text", ""), data
    tsv = export_tsv(bot.core.answers.kb).replace("dilarang", "boleh").encode()
    assert REFUSAL in await upload(bot, user, "kb.tsv", tsv)
    # An admin outside a private chat is refused too.
    group = bot.api.group_chat()
    assert REFUSAL in await bot.say("/kb medsos", user=admin_user(bot), chat=group)
    await bot.api.wait_idle()
    assert not bot.api.calls("sendDocument") and not bot.api.calls("sendPhoto")
    assert not bot.api.calls("editMessageText")
    assert export_tsv(bot.core.answers.kb) == before
    assert bot.core.admin.editor.history() == []


async def test_admin_adds_a_review_question_as_phrasing_and_the_user_is_then_answered(
    bot: BotUnderTest,
):
    question = "aturan baru"
    first = bot.core.answers.ask(question, record=False)
    assert first.band in ("suggest", "decline") and first.candidates, first.band
    await bot.say(question)  # a user asks; the bot is unsure
    await bot.say("aturan barunya")  # a similar question joins the same group
    admin = admin_user(bot)
    card = await bot.say("/tinjau", user=admin)
    assert question in card and "2×" in card
    buttons = bot.api.buttons(bot.api.last_reply(admin["id"]))
    preview = next(data for _, data in buttons if data.startswith("rv:pv:"))
    entry_id = preview.rsplit(":", 1)[1]
    shown = await bot.press(preview, user=admin)  # the answer it would get, before adding
    assert bot.core.answers.kb.entries[entry_id].title["id"] in shown
    shown = await bot.press("Tambahkan sebagai frasa", user=admin)
    assert "Ditambahkan" in shown
    # The matcher retrains in the background; the old model answers until then.
    assert await asyncio.to_thread(bot.core.answers.wait_for_model, 300)
    view = bot.core.answers.ask(question, record=False)
    assert (view.band, view.entry_id) == ("answer", entry_id)
    reply = await bot.say(question)
    assert bot.core.answers.kb.entries[entry_id].title["id"] in reply
    queue = await bot.say("/tinjau", user=admin)
    assert question not in queue and "Antrean tinjauan kosong" in queue  # the group left it
    [change] = bot.core.admin.editor.history(entry_id)
    assert (change.admin_id, change.action) == (ADMIN_ID, "add_phrasing")


async def test_an_import_with_one_bad_row_changes_nothing_and_a_good_one_applies_the_preview(
    bot: BotUnderTest,
):
    admin = admin_user(bot)
    await bot.say("/kb_export", user=admin)
    documents = {c.params["document"].filename: c.params["document"].content
                 for c in bot.api.calls("sendDocument")}  # fmt: skip
    assert set(documents) == {"netralitas-kb.yaml", "netralitas-kb.tsv"}
    original = documents["netralitas-kb.tsv"].decode()
    rows = tsv_rows(original)
    col = {name: i for i, name in enumerate(rows[0])}

    bad = [list(r) for r in rows]
    bad[5][col["verdict"]] = "mungkin"
    reply = await upload(bot, admin, "kb.tsv", to_tsv(bad))
    assert "line 6" in reply and "mungkin" in reply
    assert export_tsv(bot.core.answers.kb) == original

    good = [list(r) for r in rows]
    changed_id = good[3][col["id"]]
    good[3][col["answer_en"]] = "A corrected answer. It now says something else."
    new = list(good[1])
    new[col["id"]] = "uji-impor-baru"
    new[col["questions_id"]] = " | ".join(f"pertanyaan impor zebra nomor {i}" for i in range(8))
    new[col["questions_en"]] = " | ".join(f"imported zebra question {i}" for i in range(3))
    new[col["related"]] = ""
    good.append(new)
    preview = await upload(bot, admin, "kb.tsv", to_tsv(good))
    assert "Ditambah (1): uji-impor-baru" in preview
    assert f"Diubah (1): {changed_id}" in preview and "Dihapus (0)" in preview
    assert export_tsv(bot.core.answers.kb) == original  # nothing before confirming
    done = await bot.press("Terapkan", user=admin)
    assert "Impor diterapkan" in done
    expected = [r for r in good]
    assert tsv_rows(export_tsv(bot.core.answers.kb)) == expected
    actions = sorted(c.action for c in bot.core.admin.editor.history())
    assert actions == ["import_add", "import_change"]
    assert await asyncio.to_thread(bot.core.answers.wait_for_model, 300)
    view = bot.core.answers.ask("pertanyaan impor zebra nomor 3", record=False)
    assert view.entry_id == "uji-impor-baru"


async def test_revert_restores_the_previous_answer_and_history_lists_both_changes(
    bot: BotUnderTest,
):
    admin = admin_user(bot)
    old = bot.core.answers.kb.entries[ENTRY].answer["id"]
    await bot.say(f"/kb {ENTRY}", user=admin)
    prompt = await bot.press("Jawaban ID", user=admin)
    assert "jawaban baru (ID)" in prompt
    saved = await bot.say("Jawaban uji yang baru. Hanya untuk tes.", user=admin)
    assert "Tersimpan" in saved and "Jawaban uji yang baru" in saved
    asked = await bot.say("boleh forward konten kampanye paslon ke grup WA?")
    assert "Jawaban uji yang baru" in asked
    await bot.press(f"kb:h:{ENTRY}", user=admin)
    [edit] = bot.core.admin.editor.history(ENTRY)
    restored = await bot.press(f"kb:un:{edit.id}", user=admin)
    assert "Tersimpan" in restored
    assert bot.core.answers.kb.entries[ENTRY].answer["id"] == old
    history = await bot.press(f"kb:h:{ENTRY}", user=admin)
    assert f"#{edit.id + 1}" in history and "revert" in history
    assert f"#{edit.id}" in history and "edit_answer" in history
    assert [c.action for c in bot.core.admin.editor.history(ENTRY)] == ["revert", "edit_answer"]


async def test_a_stale_screen_cannot_overwrite_another_admins_change(bot: BotUnderTest):
    admin = admin_user(bot)
    await bot.say(f"/kb {ENTRY}", user=admin)
    screen = bot.api.last_reply(admin["id"])
    version = bot.core.answers.kb.entries[ENTRY].version
    bot.core.admin.editor.set_verdict(ADMIN_ID + 1, ENTRY, "abu-abu", version)
    await bot.press("Putusan", user=admin, message=screen)
    shown = await bot.press(f"kb:vs:{ENTRY}:boleh:{version}", user=admin)
    assert "ada perubahan lain lebih dulu" in shown
    assert bot.core.answers.kb.entries[ENTRY].verdict == "abu-abu"


async def test_statistics_come_as_text_and_a_30_day_png_chart(bot: BotUnderTest):
    for q in ("boleh ikut kampanye?", "resep soto ayam", "boleh foto bareng caleg?"):
        await bot.say(q)
    admin = admin_user(bot)
    text = await bot.say("/statistik", user=admin)
    assert "Pertanyaan: 3" in text and "Topik teratas" in text
    [photo] = bot.api.calls("sendPhoto")
    png = photo.params["photo"].content
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    _, _, stats = bot.core.admin.statistics("id")
    assert len(stats.days) == DAYS == 30
    # Days are the deployment's local days (WIB by default): after 17:00 UTC it is already
    # tomorrow in Jakarta.
    local = bot.core.answers.renderer.tz or ZoneInfo(DEFAULT_TIME_ZONE)
    assert stats.days[-1].day == datetime.now(local).date()
    assert [d.total for d in stats.days[:-1]] == [0] * 29 and stats.days[-1].total == 3
