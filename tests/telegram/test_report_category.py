"""A civil servant reads that an act is forbidden and reports it: the category is already set."""

from __future__ import annotations

from tests.telegram.conftest import BotUnderTest


async def test_reporting_from_a_money_politics_answer_starts_in_money_politics(
    bot: BotUnderTest,
):
    answer = await bot.say("/start jawab-uang-terima")
    assert "Dilarang" in answer
    notice = await bot.press("Laporkan")
    assert "bukan laporan resmi" in notice
    shown = await bot.press("Lanjut")
    assert "Kategori: Politik uang" in shown and "Apa yang terjadi?" in shown
    assert not bot.api.errors
