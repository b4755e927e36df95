"""Turning core views into Telegram messages: keyboards, the 4,096-character limit, language."""

from __future__ import annotations

import html
import re
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core import Core
from bot.ui.views import Button, View

TELEGRAM_LIMIT = 4096
_TAG = re.compile(r"<[^>]+>")


class NotForUs(RuntimeError):
    """An update lacks what its handler was registered for (a filter let the wrong one in)."""


def message_of(update: Update) -> Message:
    """The update's message (handlers for messages and commands only get updates with one)."""
    if update.effective_message is None:
        raise NotForUs(f"update {update.update_id} has no message")
    return update.effective_message


def query_of(update: Update) -> CallbackQuery:
    """The pressed button (button handlers only get updates with one)."""
    if update.callback_query is None:
        raise NotForUs(f"update {update.update_id} has no callback query")
    return update.callback_query


def chat_id_of(update: Update) -> int:
    """The id of the update's chat."""
    if update.effective_chat is None:
        raise NotForUs(f"update {update.update_id} has no chat")
    return update.effective_chat.id


def session_of(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    """The user's persisted data (every update handled here comes from a user)."""
    if context.user_data is None:
        raise NotForUs("an update without a user")
    return context.user_data


def core_of(context: ContextTypes.DEFAULT_TYPE) -> Core:
    """The core the application was built with (kept out of persisted bot_data)."""
    return context.application.bot_data["core"]


def chosen_lang(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The language the user chose with /bahasa, or None when they never chose."""
    return (context.user_data or {}).get("lang") if context.user_data is not None else None


def ui_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Language for menus: the user's choice, else Telegram's language setting."""
    chosen = chosen_lang(context)
    if chosen:
        return chosen
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "en" if code.startswith("en") else "id"


def is_private(update: Update) -> bool:
    """True in a one-to-one chat with the bot."""
    return bool(update.effective_chat and update.effective_chat.type == ChatType.PRIVATE)


def keyboard(view: View, private_link: str = "") -> InlineKeyboardMarkup | None:
    """The view's buttons as an inline keyboard.

    With `private_link` (in groups), report buttons become deep links into the private chat,
    so a report is never started in front of the group.
    """
    if not view.buttons:
        return None

    def button(b: Button) -> InlineKeyboardButton:
        if b.url:
            return InlineKeyboardButton(b.label, url=b.url)
        if private_link and b.action.startswith("lapor"):
            category = b.action.partition(":")[2]
            return InlineKeyboardButton(
                b.label, url=f"{private_link}lapor{'-' + category if category else ''}"
            )
        return InlineKeyboardButton(b.label, callback_data=b.action)

    return InlineKeyboardMarkup([[button(b) for b in row] for row in view.buttons])


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut a reply into messages under Telegram's limit, at paragraph then line boundaries.

    Templates keep every tag inside one line, so cutting between lines keeps the HTML valid.
    A single line longer than the limit is sent as escaped plain text in pieces.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if len(line) <= limit:
            current = line
        else:
            plain = html.escape(html.unescape(_TAG.sub("", line)))
            chunks = [plain[i : i + limit - 10] for i in range(0, len(plain), limit - 10)]
            # Never cut an entity like &amp; in half.
            chunks = [re.sub(r"&[a-z#0-9]*$", "", c) for c in chunks]
            parts.extend(chunks[:-1])
            current = chunks[-1]
    if current:
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()]


async def send_view(
    update: Update, context: ContextTypes.DEFAULT_TYPE, view: View, reply_to: int | None = None
) -> Message:
    """Send a view as new message(s) in the update's chat; buttons go on the last one.

    `reply_to` (a message id) makes the first message a reply to it.
    """
    chat_id = chat_id_of(update)
    parts = split_html(view.text)
    link = "" if is_private(update) else f"https://t.me/{context.bot.username}?start="
    for i, part in enumerate(parts):
        quoted = None
        if reply_to is not None and i == 0:
            quoted = ReplyParameters(reply_to, allow_sending_without_reply=True)
        message = await context.bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(view, link) if i == len(parts) - 1 else None,
            disable_web_page_preview=True,
            reply_parameters=quoted,
        )
    return message


async def send_to(bot: Bot, chat_id: int, view: View) -> Message:
    """Send a view to a chat outside any update (a job's reminder), in one message."""
    return await bot.send_message(
        chat_id,
        split_html(view.text)[0],
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(view),
        disable_web_page_preview=True,
    )


async def edit_view(update: Update, context: ContextTypes.DEFAULT_TYPE, view: View) -> None:
    """Show a view in place of the message whose button was pressed (new message if too long)."""
    query = query_of(update)
    parts = split_html(view.text)
    if len(parts) > 1 or query.message is None:
        await send_view(update, context, view)
        return
    try:
        link = "" if is_private(update) else f"https://t.me/{context.bot.username}?start="
        await query.edit_message_text(
            parts[0],
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(view, link),
            disable_web_page_preview=True,
        )
    except BadRequest as exc:
        # Pressing the same button twice edits to identical content: nothing to do.
        if "not modified" not in str(exc).lower():
            raise
