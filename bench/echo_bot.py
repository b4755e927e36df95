"""A bare python-telegram-bot echo bot: the baseline of bench/throughput.py.

Reads TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL like the real bot; replies with the text.
"""

from __future__ import annotations

import html
import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the message text."""
    await context.bot.send_message(
        update.effective_chat.id, html.escape(update.effective_message.text), parse_mode="HTML"
    )


def main() -> None:
    base = os.environ["TELEGRAM_API_BASE_URL"].rstrip("/")
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=30)


if __name__ == "__main__":
    main()
