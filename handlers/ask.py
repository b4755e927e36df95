"""Free-text questions (private chats; in groups only when addressed) and non-text messages."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import MessageEntityType
from telegram.ext import ContextTypes

from handlers.common import chosen_lang, core_of, is_private, send_view, ui_lang


def _addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question in a group message meant for the bot, or None when it is not for us."""
    text = message.text or ""
    mention = f"@{bot_username}".lower()
    replied_to_bot = bool(
        message.reply_to_message
        and message.reply_to_message.from_user
        and message.reply_to_message.from_user.id == bot_id
    )
    mentioned = any(
        e.type == MessageEntityType.MENTION
        and text[e.offset : e.offset + e.length].lower() == mention
        for e in message.entities or ()
    )
    if not (mentioned or replied_to_bot):
        return None
    return " ".join(w for w in text.split() if w.lower() != mention)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a question: the matching pipeline, one view back."""
    message = update.effective_message
    text = message.text or ""
    if not is_private(update):
        text = _addressed_text(message, context.bot.username, context.bot.id)
        if text is None:
            return  # an office group's own conversation: stay silent
    view = core_of(context).answers.ask(text, chosen_lang(context), channel="telegram")
    await send_view(update, context, view)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, files, voice outside a report: ask politely for text (private only)."""
    if not is_private(update):
        return
    answers = core_of(context).answers
    await send_view(update, context, answers.page("not_text", ui_lang(update, context)))
