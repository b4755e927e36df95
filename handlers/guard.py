"""The first handler of group 0: what no feature should ever see is taken here, so no other
handler of the group sees it (later groups, the persistence flush and the test harness's
report, still run; nothing is stopped by force).

- Edited messages: an edit is never applied to a tip draft nor logged as a question (the
  original was already handled); in a private chat the user is told to send the corrected text.
- Channel posts, updates without a sender (polls, reactions, boosts, unknown kinds), and inline
  results chosen: nothing to answer.
- Button presses that cannot be ours: no data (game buttons), data longer than Telegram allows,
  or a press on an inline message (the bot's inline results carry no buttons). The press is
  answered, so the user's client stops spinning, and dropped.

Every feature can then rely on an update having a sender and, for messages, a chat. Poll
answers pass (outreach counts quiz answers), like inline queries and ordinary buttons.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ContextTypes

from bot import logsafe
from handlers.common import core_of, is_private, send_view, ui_lang

log = logging.getLogger(__name__)
MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback data


def _personal(update: Update) -> list[object]:
    """The update's strings that tell who the sender is or what they wrote."""
    found: list[object] = []
    for user in (update.effective_user, getattr(update.poll_answer, "user", None)):
        if user is not None:
            found += [user.id, user.username, user.first_name, user.last_name, user.full_name]
    chat = update.effective_chat
    if chat is not None and chat.type == "private":
        found += [chat.id]
    for message in (
        update.effective_message,
        getattr(update.effective_message, "reply_to_message", None),
    ):
        if message is not None:
            found += [message.text, message.caption]
            found += [getattr(message.forward_origin, "sender_user_name", None)]
            if message.contact is not None:
                contact = message.contact
                found += [contact.phone_number, contact.first_name, contact.last_name]
    if update.inline_query is not None:
        found.append(update.inline_query.query)
    return found


def _unservable(update: Update) -> str:
    """Why the update is taken here ('' when a feature may handle it)."""
    if update.edited_message is not None:
        return "edited"
    if update.poll_answer is not None or update.inline_query is not None:
        return ""
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
    if update.effective_message is None or update.effective_chat is None:
        return "no message"
    return ""


class Guard(BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]):
    """Takes the updates `_unservable` names, before any feature's handler of its group."""

    def __init__(self) -> None:
        super().__init__(guard)

    def check_update(self, update: object) -> bool:
        """True for an update no feature should see (not an Update at all, an edit, ...).

        Every update passes here first, so this is also where the log learns what its sender
        wrote and who they are, to redact them wherever they would turn up (`bot.logsafe`).
        """
        if not isinstance(update, Update):
            return True
        logsafe.remember(_personal(update))
        return bool(_unservable(update))


async def guard(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer what deserves an answer (an edit, a pressed foreign button); drop the rest."""
    if not isinstance(update, Update):
        return
    reason = _unservable(update)
    log.debug("update %s taken by the guard: %s", update.update_id, reason)
    if reason == "edited":
        await _on_edit(update, context)
    elif update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError:  # an old or forged query id: nothing to answer
            pass


async def _on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: say it was not read (private chats only; groups edit all day)."""
    edited = update.edited_message
    if not is_private(update) or update.effective_user is None or edited is None:
        return
    view = core_of(context).answers.page("edited", ui_lang(update, context))
    await send_view(update, context, view, reply_to=edited.message_id)


def handler() -> Guard:
    """The guard, for `handlers.app` to register first in group 0."""
    return Guard()
