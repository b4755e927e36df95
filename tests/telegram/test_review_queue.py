"""An admin works the review queue in Telegram: sees the answer a question would get before
adding it, and finds another entry by words or id when the suggestions are wrong."""

from __future__ import annotations

from bot.answering import store as questions
from tests.telegram.conftest import ADMIN_ID, BotUnderTest

QUESTION = "saya pegang kas posko relawan paslon, aman?"
TARGET = "timses-anggota"


async def test_an_admin_finds_another_entry_by_id_previews_its_answer_and_adds_it(
    bot: BotUnderTest,
):
    admin = bot.api.user(id=ADMIN_ID, first_name="Admin")
    # A question the bot declined, waiting in the queue.
    questions.log_question(
        bot.core.db, question=QUESTION, lang="id", band="decline", entry_id=None, score=0.1,
        channel="telegram",
    )  # fmt: skip
    card = await bot.say("/tinjau", user=admin)
    assert QUESTION in card
    prompt = await bot.press("Pilih entri lain", user=admin)
    assert "Kirim kata kunci atau id entri" in prompt
    found = await bot.say(TARGET, user=admin)
    assert "pilih satu untuk melihat jawabannya" in found
    entry = bot.core.answers.kb.entries[TARGET]
    preview = await bot.press(f"{entry.title['id']} ({TARGET})", user=admin)
    assert "Pratinjau" in preview and entry.answer["id"][:60] in preview
    assert entry.version == 1 and QUESTION not in entry.questions["id"]  # nothing added yet
    added = await bot.press("Tambahkan sebagai frasa", user=admin)
    assert "Ditambahkan sebagai frasa" in added
    assert QUESTION in bot.core.answers.kb.entries[TARGET].questions["id"]
    assert bot.core.answers.ask(QUESTION, record=False).entry_id == TARGET
    assert not bot.api.errors
