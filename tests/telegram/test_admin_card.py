"""An admin opens an entry with many phrasings in Telegram: one message, buttons on it."""

from __future__ import annotations

from tests.telegram.conftest import ADMIN_ID, BotUnderTest


async def test_an_entry_card_arrives_as_one_message_and_lists_all_phrasings_on_request(
    bot: BotUnderTest,
):
    admin = bot.api.user(id=ADMIN_ID, first_name="Admin")
    entry = bot.core.answers.kb.entries["medsos-bagikan"]
    since = bot.api.mark()
    card = await bot.say("/kb medsos-bagikan", user=admin)
    sent = [c for c in bot.api.calls()[since:] if c.method == "sendMessage"]
    assert len(sent) == 1 and f"Frasa (ID): {len(entry.questions['id'])}, 3 terbaru" in card
    listed = await bot.press("Semua frasa", user=admin)
    assert f"1. {entry.questions['id'][0]}" in listed
    back = await bot.press("Kembali ke entri", user=admin)
    assert "3 terbaru" in back
    assert not bot.api.errors
