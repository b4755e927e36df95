"""/lapor (the confidential tip flow), /status, and the admins' /laporan.

Every callback reads the update, calls one use case of `bot.tips` (the flow, or its `desk`) and
sends the view back. The use case has already written the draft when it returns, so a step is
only confirmed once it is saved. There is no conversation state besides the draft: while a
user's (encrypted) draft is open, their private messages go to the flow, and the draft's own
step decides what they mean, also after a crash or restart. Nothing here holds a Telegram id.
"""

from __future__ import annotations

import logging
import warnings

from telegram import Message, Update
from telegram.error import TelegramError
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
from bot.tips.records import Evidence, Incoming, Reply
from bot.ui import actions
from bot.ui.views import Button, View
from handlers import buttons
from handlers.albums import albums_of, in_album
from handlers.buttons import DeskStep
from handlers.common import (
    core_of,
    edit_view,
    is_private,
    message_of,
    send_to,
    send_view,
    session_of,
    ui_lang,
)

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
START_LINK = filters.Regex(r"^/start(@\w+)?\s+lapor")


class TipInProgress(filters.UpdateFilter):
    """Updates in a private chat from a user whose tip draft is open (not yet sent)."""

    def __init__(self, core: Core) -> None:
        super().__init__(name="TipInProgress")
        self._core = core

    def filter(self, update: Update) -> bool:
        """Ask the draft store, the one place that knows whether a tip is being written."""
        user = update.effective_user
        return bool(is_private(update) and user and self._core.reports.in_progress(user.id))


def _incoming(message: Message, update_id: int = 0) -> Incoming:
    """Reduce a message to what the flow uses; captions and forward origins are dropped."""
    evidence = None
    if message.photo:
        p = message.photo[-1]
        evidence = Evidence(
            "photo", p.file_id, p.file_size or 0, mime="image/jpeg", unique=p.file_unique_id
        )
    elif message.video or message.document:
        f = message.video or message.document
        kind = "video" if message.video else "document"
        if f is not None:
            name, mime = f.file_name or "", f.mime_type or ""
            evidence = Evidence(kind, f.file_id, f.file_size or 0, name, mime, f.file_unique_id)
    return Incoming(
        text=message.text,
        evidence=evidence,
        caption=bool(message.caption),
        forwarded=message.forward_origin is not None,
        update_id=update_id,
    )


def _lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    return ui_lang(update, context)


def _user_id(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


# -- the reporter ---------------------------------------------------------------------------------


async def _start_or_resume(
    update: Update, context: ContextTypes.DEFAULT_TYPE, category: str
) -> None:
    """A fresh draft (the notice, `category` preselected), or, while one is open, its
    current step again. Always a new message, so the answer a button sat under stays."""
    reports, user_id, lang = core_of(context).reports, _user_id(update), _lang(update, context)
    if update.callback_query:
        await update.callback_query.answer()
    if reports.in_progress(user_id):
        reply = reports.resume(user_id, lang)
    else:
        reply = reports.start(user_id, lang, category)
    await send_view(update, context, reply.view)


async def on_lapor(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lapor: the notice with a fresh draft (or the current step of the open one)."""
    await _start_or_resume(update, context, "")


async def on_start_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start lapor or /start lapor-<category> (deep link from a group): the notice."""
    payload = context.args[0] if context.args else ""
    await _start_or_resume(update, context, payload.partition("-")[2])


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any message while a draft is open (text, file, sticker ...): the draft's step decides."""
    incoming = _incoming(message_of(update), update.update_id)
    reports, user_id = core_of(context).reports, _user_id(update)
    reply = reports.receive(user_id, incoming, _lang(update, context))
    if reply.duplicate:  # answered when it first came
        return
    if in_album(update):  # each file is saved now; the album gets one reply, its last
        albums_of(context).hold(update, context, lambda: _deliver(update, context, reply))
        return
    await _deliver(update, context, reply)


async def _deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    """Send the reply to a step. Delivered, the step is confirmed; not delivered, it is undone,
    so the reporter's next attempt is applied once (the error handler asks them to retry)."""
    reports, user_id = core_of(context).reports, _user_id(update)
    try:
        await send_view(update, context, reply.view)
    except Exception:
        reports.revert(user_id, reply)
        raise
    reports.confirm(user_id, reply.update_id)


async def remind_idle(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: one reminder to a draft idle DRAFT_REMINDER_MINUTES, and a notice the moment one
    expires (each draft holds its chat, sealed; nothing else knows who is writing)."""
    for chat_id, view in core_of(context).reports.idle_notices():
        try:
            await send_to(context.bot, chat_id, view)
        except TelegramError as exc:  # blocked the bot, or the chat is gone
            log.info("idle-draft notice not delivered (%s)", type(exc).__name__)


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/batal while a draft is open: delete it."""
    reply = core_of(context).reports.cancel(_user_id(update), _lang(update, context))
    await send_view(update, context, reply.view)


async def on_lapor_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lapor in a group: never start a tip in front of colleagues; link to the private chat."""
    await _to_private_chat(update, context, "?start=lapor")


async def _to_private_chat(
    update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str
) -> None:
    r = core_of(context).answers.renderer
    lang = _lang(update, context)
    link = f"https://t.me/{context.bot.username}{payload}"
    button = Button(r.label("report_open_private", lang), url=link)
    text = r.render("report_closed", lang, reason="private_only")
    await send_view(update, context, View(text, [[button]], lang=lang))


async def on_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status KODE: the ticket's status and notes (unknown and wrong codes look alike)."""
    if not is_private(update):
        # Even a status shown in a group tells colleagues who filed a tip.
        await _to_private_chat(update, context, "")
        return
    code = " ".join(context.args or [])
    view = core_of(context).reports.status_view(code, _lang(update, context))
    await send_view(update, context, view)


# -- the admins -----------------------------------------------------------------------------------


def _admin_gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> View | None:
    """A refusal (telling nothing) for non-admins, a pointer to the private chat in groups."""
    core = core_of(context)
    user = update.effective_user
    lang = _lang(update, context)
    if not core.settings.is_admin(user.id if user else None):
        return core.reports.desk.note_view("refused", lang)
    if not is_private(update):
        return core.reports.desk.note_view("private", lang)
    return None


async def _admin_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, view: View) -> None:
    if update.callback_query:
        await update.callback_query.answer()
        await edit_view(update, context, view)
    else:
        await send_view(update, context, view)


async def on_laporan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/laporan (admins, private chat): tips counted per status."""
    view = _admin_gate(update, context) or core_of(context).reports.desk.overview_view(
        _lang(update, context)
    )
    await _admin_reply(update, context, view)


async def on_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The admin's note to the reporter (the status button came first): save the change."""
    note = message_of(update).text or ""
    ticket, status = session_of(context).pop("report_pending", ["", ""])
    desk = core_of(context).reports.desk
    lang = _lang(update, context)
    saved = desk.set_status(ticket, status, note) if _admin_gate(update, context) is None else None
    kind = "saved" if saved else "unknown"
    await _admin_reply(update, context, desk.note_view(kind, lang, ticket, status))
    return ConversationHandler.END


async def on_note_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/batal while a note is awaited: nothing changes."""
    session_of(context).pop("report_pending", None)
    view = core_of(context).reports.desk.note_view("cancelled", _lang(update, context))
    await send_view(update, context, view)
    return ConversationHandler.END


# -- registration ---------------------------------------------------------------------------------


def handlers(core: Core) -> list[BaseHandler]:
    """Every tip handler, in the order `handlers.app` registers them (before free text)."""
    in_progress = TipInProgress(core)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        admin_note = _admin_note_conversation()
    return [
        CommandHandler("lapor", on_lapor, filters=PRIVATE),
        CommandHandler("start", on_start_link, filters=PRIVATE & START_LINK),
        # While a draft is open, the reporter's messages belong to it (commands aside).
        CommandHandler(["batal", "cancel"], on_cancel, filters=in_progress),
        MessageHandler(in_progress & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_message),
        admin_note,
        CommandHandler("lapor", on_lapor_in_group, filters=~PRIVATE),
        CommandHandler("status", on_status),
        CommandHandler("laporan", on_laporan),
    ]


def _admin_note_conversation() -> ConversationHandler:
    """The admin's status change: the status button, then the note (or the no-note button)."""
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(buttons.on_button, pattern=actions.pattern(actions.DESK_STATUS))
        ],
        states={
            DeskStep.NOTE: [
                MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_note),
                CallbackQueryHandler(
                    buttons.on_button, pattern=actions.pattern(actions.DESK_NO_NOTE)
                ),
            ]
        },
        fallbacks=[CommandHandler(["batal", "cancel"], on_note_cancel)],
        name="report_admin",
        persistent=True,
    )
