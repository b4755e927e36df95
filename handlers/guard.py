"""The first handler every update meets: what no feature should ever see stops here.

- Edited messages: an edit is never applied to a tip draft nor logged as a question (the
  original was already handled); in a private chat the user is told to send the corrected text.
- Channel posts, updates without a sender (polls, reactions, boosts, unknown kinds), and inline
  results chosen: nothing to answer.
- Button presses that cannot be ours: no data (game buttons), data longer than Telegram allows,
  or a press on an inline message (the bot's inline results carry no buttons). The press is
  answered, so the user's client stops spinning, and dropped.

Every feature can then rely on an update having a sender and, for messages, a chat.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, TypeHandler

from handlers.common import core_of, is_private, send_view, ui_lang

log = logging.getLogger(__name__)
MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback data


def _unservable(update: Update) -> str:
    """Why the update is dropped ('' when a feature may handle it)."""
    if update.channel_post or update.edited_channel_post:
        return "channel post"
    if update.chosen_inline_result:
        return "chosen inline result"
    if update.effective_user is None:
        return "no sender"
    query = update.callback_query
    if query is not None:
        data = query.data
        if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES or query.message is None:
            return "foreign button"
        return ""
    if update.inline_query is not None:
        return ""
    if update.effective_message is None or update.effective_chat is None:
        return "no message"
    return ""


async def guard(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop edits and updates no feature can serve before they reach one."""
    if not isinstance(update, Update):
        raise ApplicationHandlerStop
    if update.edited_message is not None:
        await _on_edit(update, context)
        raise ApplicationHandlerStop
    reason = _unservable(update)
    if not reason:
        return
    log.debug("update %s dropped: %s", update.update_id, reason)
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError:  # an old or forged query id: nothing to answer
            pass
    raise ApplicationHandlerStop


async def _on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: say it was not read (private chats only; groups edit all day)."""
    if not is_private(update) or update.effective_user is None:
        return
    view = core_of(context).answers.page("edited", ui_lang(update, context))
    await send_view(update, context, view, reply_to=update.edited_message.message_id)


def handler() -> TypeHandler:
    """The guard, for `handlers.app` to register in the group before every feature."""
    return TypeHandler(object, guard)
