"""Admin tools in Telegram: /kb, /kb_export, /tinjau, /statistik, imports by upload.

Admins are `TELEGRAM_ADMIN_IDS`, in a private chat. Everyone else gets the same short refusal to
every admin command, button and upload, and learns nothing. Every step calls one use case of
`core.admin` (bot/curation/screens.py) and sends its view; the text a step waits for is a state.
Buttons go through `handlers.buttons.on_button` (`bot.press`), like every other button.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.core import Core
from bot.curation.screens import CurationDesk
from bot.curation.wizard import new_draft
from bot.ui import actions
from handlers import buttons
from handlers.buttons import AdminStep
from handlers.common import (
    chat_id_of,
    core_of,
    is_private,
    message_of,
    send_view,
    session_of,
    ui_lang,
)

State = AdminStep  # what the admin's next message is (see handlers/buttons.py)
END = ConversationHandler.END
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, object]]
UPLOADS = (
    filters.Document.FileExtension("yaml")
    | filters.Document.FileExtension("yml")
    | filters.Document.FileExtension("tsv")
)


def _desk(context: ContextTypes.DEFAULT_TYPE) -> CurationDesk:
    return core_of(context).admin


def _admin_id(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


def admin_only(handler: Callback) -> Callback:
    """Run `handler` for an admin in a private chat; refuse anyone else and end."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        user = update.effective_user
        if is_private(update) and core_of(context).settings.is_admin(user.id if user else None):
            return await handler(update, context)
        view = _desk(context).refused(ui_lang(update, context))
        if update.callback_query:
            await update.callback_query.answer(text=view.text, show_alert=True)
        else:
            await send_view(update, context, view)
        return END

    return guarded


# -- commands ------------------------------------------------------------------------------------


@admin_only
async def kb_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """/kb [words or id]: find an entry; without words, ask for them."""
    lang = ui_lang(update, context)
    if context.args:
        await send_view(update, context, _desk(context).search(" ".join(context.args), lang))
        return END
    await send_view(update, context, _desk(context).home(lang))
    return State.FIND


@admin_only
async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """/kb_export: the live knowledge base as YAML and TSV documents."""
    desk = _desk(context)
    for name, data in desk.export_files():
        await context.bot.send_document(chat_id_of(update), data, filename=name)
    await send_view(update, context, desk.export_view(ui_lang(update, context)))
    return END


@admin_only
async def review_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """/tinjau: the review queue, most frequent group first."""
    await send_view(update, context, _desk(context).review.view(ui_lang(update, context)))
    return END


@admin_only
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """/statistik: the figures as text and the 30-day chart as a photo."""
    view, png, _ = _desk(context).statistics(ui_lang(update, context))
    await context.bot.send_photo(chat_id_of(update), png)
    await send_view(update, context, view)
    return END


@admin_only
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """/batal: drop the pending step."""
    session_of(context).pop("admin_edit", None)
    session_of(context).pop("admin_new", None)
    session_of(context).pop("review_pick", None)
    await send_view(update, context, _desk(context).cancelled(ui_lang(update, context)))
    return END


@admin_only
async def on_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """A .yaml/.yml/.tsv document: validate it and preview the import."""
    document = message_of(update).document
    if document is None:  # the upload filter only lets documents in
        return END
    data = bytes(await (await document.get_file()).download_as_bytearray())
    view = _desk(context).import_preview(
        _admin_id(update), document.file_name or "", data, ui_lang(update, context)
    )
    await send_view(update, context, view)
    return END


# -- the admin's messages in a state ---------------------------------------------------------------


@admin_only
async def on_find(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """Words or an id after /kb."""
    view = _desk(context).search(message_of(update).text or "", ui_lang(update, context))
    await send_view(update, context, view)
    return END


@admin_only
async def on_edit_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """The new phrasing or answer for the entry chosen with a button."""
    pending = session_of(context).pop("admin_edit", None) or {}
    desk, lang, text = _desk(context), ui_lang(update, context), message_of(update).text or ""
    entry, field_lang, version = pending.get("entry", ""), pending.get("lang", "id"), 0
    version = int(pending.get("version", 0))
    if pending.get("kind") == "answer":
        op = desk.editor.set_answer
    else:
        op = desk.editor.add_phrasing
    view = desk.change(entry, lang, lambda: op(_admin_id(update), entry, field_lang, text, version))
    await send_view(update, context, view)
    return END


@admin_only
async def on_review_find(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """Words or an id: the entries a review question could join, each with its preview."""
    key = session_of(context).pop("review_pick", "")
    view = _desk(context).review.search_view(
        key, message_of(update).text or "", ui_lang(update, context)
    )
    await send_view(update, context, view)
    return END


@admin_only
async def on_new_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """A text step of the new-entry draft."""
    wizard, lang = _desk(context).wizard, ui_lang(update, context)
    session = session_of(context)
    draft = wizard.text(session.get("admin_new") or new_draft(), message_of(update).text or "")
    session["admin_new"] = draft
    await send_view(update, context, wizard.view(draft, lang))
    return State.NEW_TEXT if wizard.expects_text(draft) else END


def handlers(core: Core) -> list[BaseHandler]:
    """The admin conversation, in one handler so every admin step can interrupt another."""
    text = filters.TEXT & ~filters.COMMAND
    curation_buttons = actions.pattern(*actions.of_feature(actions.CURATION))
    with warnings.catch_warnings():
        # Buttons of several admin messages belong to one conversation (per_message=False).
        warnings.filterwarnings(
            "ignore", message=r"If 'per_message=False'", category=PTBUserWarning
        )
        conversation = ConversationHandler(
            entry_points=[
                CommandHandler("kb", kb_command),
                CommandHandler("kb_export", export_command),
                CommandHandler("tinjau", review_command),
                CommandHandler("statistik", stats_command),
                CallbackQueryHandler(buttons.on_button, pattern=curation_buttons),
                MessageHandler(filters.ChatType.PRIVATE & UPLOADS, on_upload),
            ],
            states={
                State.FIND: [MessageHandler(text, on_find)],
                State.PHRASING: [MessageHandler(text, on_edit_text)],
                State.ANSWER: [MessageHandler(text, on_edit_text)],
                State.NEW_TEXT: [MessageHandler(text, on_new_text)],
                State.REVIEW_FIND: [MessageHandler(text, on_review_find)],
            },
            fallbacks=[CommandHandler(["batal", "cancel"], cancel)],
            allow_reentry=True,
            name="admin",
            persistent=True,
        )
    return [conversation]
