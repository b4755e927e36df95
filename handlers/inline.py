"""Inline mode: `@bot boleh like postingan caleg` lists up to five answers to share."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers.common import TELEGRAM_LIMIT, core_of, split_html

INLINE_RESULTS = 5


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the best entries for what is typed so far."""
    query = update.inline_query
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
