"""Buttons on answers and menus: answer, legal basis, related, topics, feedback."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import core_of, edit_view, send_view, ui_lang


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/topik: every topic as a button."""
    await send_view(update, context, core_of(context).answers.topics_view(ui_lang(update, context)))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`ans:`, `basis:`, `rel:`, `topic:`, `topics` and `fb:` buttons."""
    query = update.callback_query
    answers = core_of(context).answers
    lang = ui_lang(update, context)
    kind, _, arg = (query.data or "").partition(":")
    if kind == "fb":
        view = answers.feedback(arg, lang)
        # A toast, so the answer stays on screen with its buttons.
        await query.answer(text=view.text)
        return
    await query.answer()
    if kind == "ans":
        view = answers.entry_view(arg, lang)
    elif kind == "basis":
        view = answers.basis_view(arg, lang)
    elif kind == "rel":
        view = answers.related_view(arg, lang)
    elif kind == "topic":
        view = answers.topic_view(arg, lang)
    else:
        view = answers.topics_view(lang)
    await edit_view(update, context, view)
