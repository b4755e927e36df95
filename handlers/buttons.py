"""Every button press in Telegram: one callback that hands the data to `bot.press` and shows
the result (edited in place, as a new message, or as a notice).

The callback is registered as the catch-all button handler and also inside the admins'
conversations, where its result says which message comes next (the conversation state).
"""

from __future__ import annotations

import logging
from enum import IntEnum, StrEnum

from telegram import Update
from telegram.ext import ContextTypes, ConversationHandler

from bot.press import ALERT, SEND, TOAST, Pressed, Presser, press
from handlers.common import (
    chat_id_of,
    core_of,
    edit_view,
    is_private,
    query_of,
    send_view,
    ui_lang,
)

log = logging.getLogger(__name__)


class AdminStep(IntEnum):
    """What an admin's next message is in the knowledge-base conversation (persisted ints)."""

    FIND = 1  # words or an id to find an entry
    PHRASING = 2  # a new phrasing for the entry in user_data["admin_edit"]
    ANSWER = 3  # a new answer for the entry in user_data["admin_edit"]
    NEW_TEXT = 4  # the text step of the new-entry draft in user_data["admin_new"]
    REVIEW_FIND = 5  # words or an id: the entry for the review group in user_data["review_pick"]


class DeskStep(StrEnum):
    """The admin's status change of a tip: waiting for the note to the reporter."""

    NOTE = "note"


STATES: dict[str, object] = {
    "phrasing": AdminStep.PHRASING,
    "answer": AdminStep.ANSWER,
    "new_text": AdminStep.NEW_TEXT,
    "review_find": AdminStep.REVIEW_FIND,
    "note": DeskStep.NOTE,
}


def presser(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Presser:
    """Who pressed: user id, menu language, admin or not, private chat or not."""
    user = update.effective_user
    user_id = user.id if user else 0
    return Presser(
        user_id=user_id,
        lang=ui_lang(update, context),
        admin=core_of(context).settings.is_admin(user_id if user else None),
        private=is_private(update),
        bot_username=context.bot.username,
        update_id=update.update_id,
        quoted=_quoted(update, context.bot.username),
    )


def _quoted(update: Update, bot_username: str) -> str:
    """The presser's own message that the pressed message replies to ('' when there is none,
    or it is somebody else's), without the mention of the bot."""
    query = update.callback_query
    message = query.message if query else None
    original = getattr(message, "reply_to_message", None)
    sender = original.from_user if original else None
    if original is None or sender is None or query is None or sender.id != query.from_user.id:
        return ""
    mention = f"@{bot_username}".lower()
    return " ".join(w for w in (original.text or "").split() if w.lower() != mention)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """Any button: run it, show what it returns; the next conversation state, if any."""
    query = query_of(update)
    session = context.user_data if context.user_data is not None else {}
    pressed = press(core_of(context), presser(update, context), query.data or "", session)
    await show(update, context, pressed)
    return STATES.get(pressed.awaits, ConversationHandler.END)


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: Pressed) -> None:
    """Answer the button (after the work, so the spinner lasts until the result shows)."""
    query = query_of(update)
    view = pressed.view
    if view is None or pressed.show in (TOAST, ALERT):
        await query.answer(text=view.text if view else None, show_alert=pressed.show == ALERT)
    else:
        try:
            await query.answer()
            if pressed.show == SEND:
                await send_view(update, context, view)
            else:
                await edit_view(update, context, view)
        except Exception:
            if pressed.undelivered:
                pressed.undelivered()
            raise
        if pressed.delivered:
            pressed.delivered()
    if pressed.files:
        # Evidence goes back by file id: the files stay on Telegram's servers.
        bot, chat_id = context.bot, chat_id_of(update)
        for f in pressed.files:
            if f["kind"] == "photo":
                await bot.send_photo(chat_id, f["file_id"])
            elif f["kind"] == "video":
                await bot.send_video(chat_id, f["file_id"])
            else:
                await bot.send_document(chat_id, f["file_id"])
    admin_chat = core_of(context).settings.telegram_admin_chat_id
    if pressed.notice and admin_chat:
        try:
            await context.bot.send_message(admin_chat, pressed.notice.text)
        except Exception:  # noqa: BLE001 - the tip is filed; the notice is best effort
            log.warning("could not notify the admin chat of a new tip")
