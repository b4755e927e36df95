"""/start (with deep links), /bantuan, /privasi, /bahasa: the static doors into the bot."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import core_of, edit_view, send_view, ui_lang

TOPIC_LINK = "topik-"
ENTRY_LINK = "jawab-"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, or open what a deep link (`?start=topik-media-sosial`) points at."""
    answers = core_of(context).answers
    lang = ui_lang(update, context)
    payload = context.args[0] if context.args else ""
    if payload.startswith(TOPIC_LINK):
        await send_view(update, context, answers.topic_view(payload[len(TOPIC_LINK) :], lang))
        return
    if payload.startswith(ENTRY_LINK):
        await send_view(update, context, answers.entry_view(payload[len(ENTRY_LINK) :], lang))
        return
    name = update.effective_user.first_name if update.effective_user else ""
    await send_view(update, context, answers.welcome_view(lang, name=name or ""))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to ask, and the commands."""
    answers = core_of(context).answers
    await send_view(
        update,
        context,
        answers.page("help", ui_lang(update, context), bot_username=context.bot.username),
    )


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Exactly what the bot stores and never stores."""
    await send_view(
        update, context, core_of(context).answers.page("privacy", ui_lang(update, context))
    )


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the two languages (`/bahasa en` switches directly)."""
    answers = core_of(context).answers
    if context.args and context.args[0].lower() in ("id", "en"):
        context.user_data["lang"] = context.args[0].lower()
        await send_view(update, context, answers.language_view(context.user_data["lang"], True))
        return
    await send_view(update, context, answers.language_view(ui_lang(update, context), False))


async def on_page_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons `page:help`, `page:privacy` and `lang:<code>`."""
    query = update.callback_query
    await query.answer()
    answers = core_of(context).answers
    kind, _, arg = query.data.partition(":")
    if kind == "lang" and arg in ("id", "en"):
        context.user_data["lang"] = arg
        await edit_view(update, context, answers.language_view(arg, True))
        return
    page = arg if arg in ("help", "privacy") else "help"
    await edit_view(
        update,
        context,
        answers.page(page, ui_lang(update, context), bot_username=context.bot.username),
    )
