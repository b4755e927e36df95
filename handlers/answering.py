"""Answering in Telegram: /start (with deep links), /bantuan, /privasi, /bahasa, /topik,
free-text questions, non-text messages and inline mode. (The buttons on answers and menus go
through `handlers.buttons`, like every button.)

Every callback reads the update, calls one use case of `bot.answering` and sends its view.
"""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Message, Update
from telegram.constants import MessageEntityType, ParseMode
from telegram.ext import ContextTypes

from bot.answering.answers import REPORT_OFFER
from bot.privacy import privacy_view
from bot.ui.views import View
from handlers.albums import albums_of, in_album
from handlers.common import (
    TELEGRAM_LIMIT,
    chosen_lang,
    core_of,
    is_private,
    message_of,
    send_view,
    session_of,
    split_html,
    ui_lang,
)

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


def _help_view(update: Update, context: ContextTypes.DEFAULT_TYPE) -> View:
    """/bantuan's view; the admin commands only for an admin, only in a private chat."""
    core = core_of(context)
    user = update.effective_user
    admin = is_private(update) and core.settings.is_admin(user.id if user else None)
    return core.answers.help_view(ui_lang(update, context), context.bot.username, admin=admin)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to ask, and the commands."""
    await send_view(update, context, _help_view(update, context))


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Exactly what the bot stores and never stores."""
    core = core_of(context)
    lang = ui_lang(update, context)
    await send_view(update, context, privacy_view(core.answers.renderer, core.settings, lang))


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the two languages (`/bahasa en` switches directly)."""
    answers = core_of(context).answers
    if context.args and context.args[0].lower() in ("id", "en"):
        session_of(context)["lang"] = lang = context.args[0].lower()
        await send_view(update, context, answers.language_view(lang, True))
        return
    await send_view(update, context, answers.language_view(ui_lang(update, context), False))


# -- topics --------------------------------------------------------------------


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/topik: every topic as a button."""
    await send_view(update, context, core_of(context).answers.topics_view(ui_lang(update, context)))


# -- free text ----------------------------------------------------------------------------------


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
    message = message_of(update)
    text = message.text or ""
    if not is_private(update):
        addressed = _addressed_text(message, context.bot.username, context.bot.id)
        if addressed is None:
            return  # an office group's own conversation: stay silent
        text = addressed
    # A bare number picks from the choices this chat was last offered (numbered in the text of
    # "did you mean" and clarifying questions), so remember their actions, and only theirs:
    # chat data is written to the database whenever it changes.
    chat = context.chat_data
    answers = core_of(context).answers
    view = answers.ask(
        text, chosen_lang(context), channel="telegram", menu=(chat or {}).get("menu")
    )
    if chat is not None:
        if view.band == "suggest":
            chat["menu"] = [b.action for b in view.choices if b.action]
        elif "menu" in chat:
            del chat["menu"]
    # The offer to report keeps a reply link to the message: "It is a question" reads it there
    # (handlers/buttons.py), so the bot never has to keep the text.
    quote = message.message_id if view.band == REPORT_OFFER else None
    await send_view(update, context, view, reply_to=quote)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, files, voice outside a report: ask politely for text (private only)."""
    if not is_private(update):
        return
    view = core_of(context).answers.page("not_text", ui_lang(update, context))
    if in_album(update):  # one reply for the whole album
        albums_of(context).hold(update, context, lambda: send_view(update, context, view))
        return
    await send_view(update, context, view)


# -- inline mode --------------------------------------------------------------------------------

INLINE_RESULTS = 5


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the best entries for what is typed so far."""
    query = update.inline_query
    if query is None:
        return
    answers = core_of(context).answers
    text = (query.query or "").strip()
    lang = answers.matcher.normalizer.language(text) if text else "id"
    results = []
    for entry_id in answers.search(text, INLINE_RESULTS) if text else []:
        view = answers.entry_view(entry_id, lang)
        entry = answers.kb.entries[entry_id]
        results.append(
            InlineQueryResultArticle(
                id=entry_id[:64],
                title=entry.title[lang],
                description=entry.answer[lang][:120],
                input_message_content=InputTextMessageContent(
                    split_html(view.text, TELEGRAM_LIMIT)[0], parse_mode=ParseMode.HTML
                ),
            )
        )
    await query.answer(results, cache_time=60, is_personal=False)
