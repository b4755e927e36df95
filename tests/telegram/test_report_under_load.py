"""Twenty users send fifty messages each while two of them file tips: nothing lost or reordered."""

from __future__ import annotations

import asyncio
import re

from tests.telegram.conftest import BotUnderTest

USERS, MESSAGES = 20, 50
CODE = re.compile(r"kode (\d+)-(\d+) zorblax")


def message(user: int, n: int) -> str:
    """A message the bot declines, quoting it back: the reply tells which message it answers."""
    return f"kode {user}-{n} zorblax"


def tip_steps(bot: BotUnderTest, user: dict, what: str) -> list:
    """The steps of one tip, each a coroutine factory; the last returns the ticket."""

    async def send() -> str:
        return re.search(r"NTR-\w{4}-\w{4}", await bot.press("Kirim", user=user)).group(0)

    return [
        lambda: bot.say("/lapor", user=user),
        lambda: bot.press("rp:go", user=user),
        lambda: bot.press("rp:cat:kampanye-ikut", user=user),
        lambda: bot.say(what, user=user),
        lambda: bot.say(f"Kepala bidang {user['id']}", user=user),
        *[lambda: bot.press("rp:skip", user=user)] * 4,
        send,
    ]


async def test_twenty_users_fifty_messages_each_with_two_tips_filed(bot: BotUnderTest):
    users = [bot.api.user(id=70000 + i, first_name=f"U{i}") for i in range(USERS)]
    reporters, others = users[:2], users[2:]
    whats = [f"Pejabat dinas nomor {i} mengajak staf ikut kampanye calon bupati." for i in (0, 1)]
    steps = [tip_steps(bot, u, w) for u, w in zip(reporters, whats, strict=True)]
    tickets: list[str] = []
    for n in range(MESSAGES):  # the others' messages arrive in waves; the tips go on between
        for i, user in enumerate(others, start=2):
            bot.api.inject_message(message(i, n), user=user, chat=bot.api.private_chat(user))
        if n < len(steps[0]):
            done = await asyncio.gather(steps[0][n](), steps[1][n]())
            if n == len(steps[0]) - 1:
                tickets = list(done)
    for n in range(MESSAGES):  # the two reporters ask their fifty questions after their tip
        for i, user in enumerate(reporters):
            bot.api.inject_message(message(i, n), user=user, chat=bot.api.private_chat(user))
    await bot.api.wait_for(
        "sendMessage",
        lambda c: bool(CODE.search(c.text or "")),
        count=USERS * MESSAGES,
        timeout=240,
    )
    await bot.api.wait_idle(timeout=120)
    for i, user in enumerate(users):
        answered = [
            int(m.group(2))
            for c in bot.api.calls("sendMessage", chat_id=user["id"])
            if (m := CODE.search(c.text or "")) and int(m.group(1)) == i
        ]
        assert answered == list(range(MESSAGES)), (i, answered[:10])
    assert not bot.api.errors
    filed = {t: bot.core.reports.get(t) for t in tickets}
    assert [filed[t].what for t in tickets] == whats
    assert [filed[t].who for t in tickets] == [f"Kepala bidang {u['id']}" for u in reporters]
    assert len(bot.core.reports.desk.tickets()) == 2
