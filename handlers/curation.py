"""Admin tools in Telegram: /kb, /kb_export, /tinjau, /statistik, imports by upload.

Admins are `TELEGRAM_ADMIN_IDS`, in a private chat. Everyone else gets the same short refusal to
every admin command, button and upload, and learns nothing. Every step calls one use case of
`core.admin` (bot/curation/screens.py) and sends its view; the text a step waits for is a state.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Awaitable, Callable
from enum import IntEnum

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
from bot.curation.screens import AdminDesk
from bot.curation.wizard import new_draft
from handlers.common import core_of, edit_view, is_private, send_view, ui_lang


class State(IntEnum):
    """What the admin's next message is (ints, so the persisted state survives a restart)."""

    FIND = 1  # words or an id to find an entry
    PHRASING = 2  # a new phrasing for the entry in user_data["admin_edit"]
    ANSWER = 3  # a new answer for the entry in user_data["admin_edit"]
    NEW_TEXT = 4  # the text step of the new-entry draft in user_data["admin_new"]


END = ConversationHandler.END
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[object]]
UPLOADS = (
    filters.Document.FileExtension("yaml")
    | filters.Document.FileExtension("yml")
    | filters.Document.FileExtension("tsv")
)


def _desk(context: ContextTypes.DEFAULT_TYPE) -> AdminDesk:
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
        await context.bot.send_document(update.effective_chat.id, data, filename=name)
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
    await context.bot.send_photo(update.effective_chat.id, png)
    await send_view(update, context, view)
    return END


@admin_only
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """/batal: drop the pending step."""
    context.user_data.pop("admin_edit", None)
    context.user_data.pop("admin_new", None)
    await send_view(update, context, _desk(context).cancelled(ui_lang(update, context)))
    return END


@admin_only
async def on_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """A .yaml/.yml/.tsv document: validate it and preview the import."""
    document = update.effective_message.document
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
    view = _desk(context).search(update.effective_message.text, ui_lang(update, context))
    await send_view(update, context, view)
    return END


@admin_only
async def on_edit_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """The new phrasing or answer for the entry chosen with a button."""
    pending = context.user_data.pop("admin_edit", None) or {}
    desk, lang, text = _desk(context), ui_lang(update, context), update.effective_message.text
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
async def on_new_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """A text step of the new-entry draft."""
    wizard, lang = _desk(context).wizard, ui_lang(update, context)
    draft = wizard.text(context.user_data.get("admin_new") or new_draft(), update.message.text)
    context.user_data["admin_new"] = draft
    await send_view(update, context, wizard.view(draft, lang))
    return State.NEW_TEXT if wizard.expects_text(draft) else END


# -- buttons -------------------------------------------------------------------------------------


@admin_only
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """Every admin button (kb:, rv:, na:, imp:); see bot/curation/screens.py for the data."""
    query = update.callback_query
    desk, lang, admin = _desk(context), ui_lang(update, context), _admin_id(update)
    kind, _, rest = (query.data or "").partition(":")
    op, _, arg = rest.partition(":")
    args = arg.split(":")
    state: object = END
    if kind == "kb" and op in ("ph", "an") and len(args) == 3:
        entry, field_lang, version = args
        edit = "answer" if op == "an" else "phrasing"
        context.user_data["admin_edit"] = {
            "kind": edit, "entry": entry, "lang": field_lang, "version": int(version)
        }  # fmt: skip
        view = desk.ask_text(edit, entry, field_lang, lang)
        state = State.ANSWER if op == "an" else State.PHRASING
    elif kind == "kb" and op == "vd" and len(args) == 2:
        view = desk.verdict_menu(args[0], int(args[1]), lang)
    elif kind == "kb" and op == "vs" and len(args) == 3:
        entry, verdict, version = args
        view = desk.change(
            entry, lang, lambda: desk.editor.set_verdict(admin, entry, verdict, int(version))
        )
    elif kind == "kb" and op == "rt" and len(args) == 2:
        view = desk.retire_confirm(args[0], int(args[1]), lang)
    elif kind == "kb" and op == "ry" and len(args) == 2:
        entry, version = args
        view = desk.change(entry, lang, lambda: desk.editor.retire(admin, entry, int(version)))
    elif kind == "kb" and op == "un" and arg.isdigit():
        view = desk.undo(admin, int(arg), lang)
    elif kind == "kb" and op == "h":
        view = desk.history(arg, lang)
    elif kind == "rv" and op == "add" and len(args) == 2:
        view = desk.review_add(admin, args[0], args[1], lang)
    elif kind == "rv" and op == "dis":
        view = desk.review_dismiss(admin, arg, lang)
    elif kind == "rv" and op == "new":
        group = desk.review.find(arg)
        draft = new_draft(group.question, group.lang) if group else new_draft()
        context.user_data["admin_new"] = draft
        view = desk.wizard.view(draft, lang)
    elif kind == "rv":
        view = desk.review.view(lang, index=int(arg) if arg.isdigit() else 0)
    elif kind == "na":
        view, state = _wizard_button(context, desk, admin, lang, rest)
    elif kind == "imp" and op == "ok":
        view = desk.import_confirm(admin, arg, lang)
    elif kind == "imp":
        view = desk.import_cancel(admin, lang)
    else:
        view = desk.entry(arg, lang)
    await query.answer()  # after the work, so the spinner lasts until the result shows
    await edit_view(update, context, view)
    return state


def _wizard_button(context, desk: AdminDesk, admin: int, lang: str, action: str):
    """A button of the new-entry conversation: (view, next state)."""
    wizard = desk.wizard
    draft = context.user_data.get("admin_new")
    if action == "start" or draft is None:
        draft = new_draft()
    elif action == "save":
        saved, view = wizard.save(admin, draft, lang)
        if saved:
            context.user_data.pop("admin_new", None)
        return view, END
    else:
        draft = wizard.press(draft, action)
    context.user_data["admin_new"] = draft
    return wizard.view(draft, lang), State.NEW_TEXT if wizard.expects_text(draft) else END


def handlers(core: Core) -> list[BaseHandler]:
    """The admin conversation, in one handler so every admin step can interrupt another."""
    text = filters.TEXT & ~filters.COMMAND
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
                CallbackQueryHandler(on_button, pattern=r"^(kb|rv|na|imp):"),
                MessageHandler(filters.ChatType.PRIVATE & UPLOADS, on_upload),
            ],
            states={
                State.FIND: [MessageHandler(text, on_find)],
                State.PHRASING: [MessageHandler(text, on_edit_text)],
                State.ANSWER: [MessageHandler(text, on_edit_text)],
                State.NEW_TEXT: [MessageHandler(text, on_new_text)],
            },
            fallbacks=[CommandHandler(["batal", "cancel"], cancel)],
            allow_reentry=True,
            name="admin",
            persistent=True,
        )
    return [conversation]
