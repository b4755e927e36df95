"""/lapor (the confidential tip conversation), /status, and the admins' /laporan.

Every callback reads the update, calls one use case of `bot.tips` (the flow, or its `desk`) and
sends the view back. The use case has already written the draft when it returns, so a step is only
confirmed once it is saved. The conversation follows the step the draft is in (the draft is the
truth after a crash), and it is keyed by the reporter's keyed hash, never the Telegram id.
"""

from __future__ import annotations

import logging
import warnings
from enum import StrEnum

from telegram import Message, Update
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
from bot.tips.records import END, Evidence, Incoming, Reply
from bot.ui.views import Button, View
from handlers.albums import albums_of, in_album
from handlers.common import core_of, edit_view, is_private, send_view, ui_lang

log = logging.getLogger(__name__)


class State(StrEnum):
    """Steps of the tip conversation; the values are the draft steps of `bot.tips.flow`."""

    NOTICE = "notice"
    CATEGORY = "category"
    WHAT = "what"
    WHO = "who"
    WHERE = "where"
    WHEN = "when"
    EVIDENCE = "evidence"
    CONTACT = "contact"
    SUMMARY = "summary"


class AdminState(StrEnum):
    """The admin's status change: waiting for the note to the reporter."""

    NOTE = "note"


PRIVATE = filters.ChatType.PRIVATE
MEDIA = filters.PHOTO | filters.VIDEO | filters.Document.ALL
START_LINK = filters.Regex(r"^/start(@\w+)?\s+lapor")


class ReportConversation(ConversationHandler):
    """A ConversationHandler keyed by the reporter's keyed hash, in private chats only, so the
    persisted conversation state never holds a Telegram id."""

    def __init__(self, core: Core, **kwargs) -> None:
        with warnings.catch_warnings():  # buttons of several messages, on purpose
            warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
            super().__init__(**kwargs)
        self._core = core

    def check_update(self, update: object):  # noqa: ANN201 - same type as the base class
        """Only private chats: a reporter's group messages never reach the tip flow."""
        if not isinstance(update, Update) or not is_private(update):
            return None
        return super().check_update(update)

    def _get_key(self, update: Update) -> tuple[str]:
        return (self._core.reports.user_ref(update.effective_user.id),)


def _next(reply: Reply) -> State | int:
    return ConversationHandler.END if reply.step == END else State(reply.step)


def _incoming(message: Message) -> Incoming:
    """Reduce a message to what the flow uses; captions and forward origins are dropped."""
    evidence = None
    if message.photo:
        p = message.photo[-1]
        evidence = Evidence("photo", p.file_id, p.file_size or 0, mime="image/jpeg")
    elif message.video or message.document:
        f = message.video or message.document
        kind = "video" if message.video else "document"
        evidence = Evidence(kind, f.file_id, f.file_size or 0, f.file_name or "", f.mime_type or "")
    return Incoming(
        text=message.text,
        evidence=evidence,
        caption=bool(message.caption),
        forwarded=message.forward_origin is not None,
    )


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> State | int:
    """Send the reporter's view (in place of a pressed button's message) and any admin notice."""
    if update.callback_query:
        await update.callback_query.answer()
        await edit_view(update, context, reply.view)
    else:
        await send_view(update, context, reply.view)
    admin_chat = core_of(context).settings.telegram_admin_chat_id
    if reply.admin_view and admin_chat:
        try:
            await context.bot.send_message(admin_chat, reply.admin_view.text)
        except Exception:  # noqa: BLE001 - the tip is filed; the notice is best effort
            log.warning("could not notify the admin chat of a new tip")
    return _next(reply)


# -- the reporter ---------------------------------------------------------------------------------


async def on_lapor(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State | int:
    """/lapor: the notice, with a fresh draft."""
    reports = core_of(context).reports
    return await _show(
        update, context, reports.start(update.effective_user.id, _lang(update, context))
    )


def _lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    return ui_lang(update, context)


async def on_start_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State | int:
    """/start lapor or /start lapor-<topic> (deep link from a group): the notice."""
    payload = context.args[0] if context.args else ""
    topic = payload.partition("-")[2]
    reports = core_of(context).reports
    reply = reports.start(update.effective_user.id, _lang(update, context), topic)
    return await _show(update, context, reply)


async def on_lapor_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State | int:
    """The `lapor:` / `lapor:<topic>` button under an answer: the notice, category preselected."""
    topic = update.callback_query.data.partition(":")[2]
    reports = core_of(context).reports
    await update.callback_query.answer()
    reply = reports.start(update.effective_user.id, _lang(update, context), topic)
    await send_view(update, context, reply.view)
    return _next(reply)


async def on_resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State | int:
    """/lapor (or a Lapor button) while a draft is open: ask the current step again."""
    if update.callback_query:
        await update.callback_query.answer()
    reply = core_of(context).reports.resume(update.effective_user.id, _lang(update, context))
    await send_view(update, context, reply.view)
    return _next(reply)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State | int:
    """A `rp:` button: continue, category, skip, edit, send, cancel."""
    action = update.callback_query.data.partition(":")[2]
    reports = core_of(context).reports
    reply = reports.press(update.effective_user.id, action, _lang(update, context))
    return await _show(update, context, reply)


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State | int:
    """Any message during the flow (text, file, sticker ...): the draft's step decides."""
    incoming = _incoming(update.effective_message)
    reports = core_of(context).reports
    reply = reports.receive(update.effective_user.id, incoming, _lang(update, context))
    if in_album(update):  # each file is saved now; the album gets one reply, its last
        albums_of(context).hold(update, context, lambda: _show(update, context, reply))
        return _next(reply)
    return await _show(update, context, reply)


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/batal: delete the draft, end the conversation."""
    reply = core_of(context).reports.cancel(update.effective_user.id, _lang(update, context))
    await send_view(update, context, reply.view)
    return ConversationHandler.END


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


async def on_admin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`adm:rp:home`, `adm:rp:l:<status>`, `adm:rp:o:<ticket>`, `adm:rp:e:<ticket>`."""
    refusal = _admin_gate(update, context)
    if refusal is not None:
        await _admin_reply(update, context, refusal)
        return
    desk = core_of(context).reports.desk
    lang = _lang(update, context)
    _, _, verb, arg = (update.callback_query.data.split(":", 3) + ["", ""])[:4]
    if verb == "l":
        await _admin_reply(update, context, desk.list_view(arg, lang))
    elif verb == "o":
        await _admin_reply(update, context, desk.show_view(arg, lang))
    elif verb == "e":
        await update.callback_query.answer()
        await _send_evidence(update, context, desk.evidence(arg))
    else:
        await _admin_reply(update, context, desk.overview_view(lang))


async def _send_evidence(
    update: Update, context: ContextTypes.DEFAULT_TYPE, files: list[dict]
) -> None:
    """Send each stored file id back to the admin (the files stay on Telegram's servers)."""
    chat_id = update.effective_chat.id
    send = {"photo": context.bot.send_photo, "video": context.bot.send_video}
    for f in files:
        await send.get(f["kind"], context.bot.send_document)(chat_id, f["file_id"])


async def on_status_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """`adm:rp:s:<ticket>:<status>`: ask the admin for the note to the reporter."""
    refusal = _admin_gate(update, context)
    if refusal is not None:
        await _admin_reply(update, context, refusal)
        return ConversationHandler.END
    _, _, _, ticket, status = (update.callback_query.data.split(":") + ["", ""])[:5]
    context.user_data["report_pending"] = [ticket, status]
    view = core_of(context).reports.desk.note_view("ask", _lang(update, context), ticket, status)
    await _admin_reply(update, context, view)
    return AdminState.NOTE


async def on_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The admin's note (text) or `adm:rp:n:...` (no note): save the status change."""
    note = "" if update.callback_query else (update.effective_message.text or "")
    ticket, status = context.user_data.pop("report_pending", ["", ""])
    desk = core_of(context).reports.desk
    lang = _lang(update, context)
    saved = desk.set_status(ticket, status, note) if _admin_gate(update, context) is None else None
    kind = "saved" if saved else "unknown"
    await _admin_reply(update, context, desk.note_view(kind, lang, ticket, status))
    return ConversationHandler.END


async def on_note_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/batal while a note is awaited: nothing changes."""
    context.user_data.pop("report_pending", None)
    view = core_of(context).reports.desk.note_view("cancelled", _lang(update, context))
    await send_view(update, context, view)
    return ConversationHandler.END


# -- registration ---------------------------------------------------------------------------------


def handlers(core: Core) -> list[BaseHandler]:
    """Every report handler, in the order `handlers.app` registers them (before free text)."""
    button = CallbackQueryHandler(on_button, pattern=r"^rp:")
    text = MessageHandler(filters.TEXT & ~filters.COMMAND, on_message)
    media = MessageHandler(MEDIA, on_message)
    stray = MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, on_message)
    text_step = [button, text, stray]
    states = {
        State.NOTICE: [button, stray],
        State.CATEGORY: [button, stray],
        State.WHAT: text_step,
        State.WHO: text_step,
        State.WHERE: text_step,
        State.WHEN: text_step,
        State.EVIDENCE: [button, media, stray],
        State.CONTACT: text_step,
        State.SUMMARY: [button, stray],
    }
    conversation = ReportConversation(
        core,
        entry_points=[
            CommandHandler("lapor", on_lapor),
            CommandHandler("start", on_start_link, filters=START_LINK),
            CallbackQueryHandler(on_lapor_button, pattern=r"^lapor:"),
            # A step's button after the conversation state was lost: the draft decides.
            button,
        ],
        states=states,
        fallbacks=[
            CommandHandler(["batal", "cancel"], on_cancel),
            CommandHandler("lapor", on_resume),
            CommandHandler("start", on_resume, filters=START_LINK),
            CallbackQueryHandler(on_resume, pattern=r"^lapor:"),
        ],
        name="report",
        persistent=True,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        admin_note = _admin_note_conversation()
    return [
        conversation,
        admin_note,
        CommandHandler("lapor", on_lapor_in_group, filters=~PRIVATE),
        CommandHandler("status", on_status),
        CommandHandler("laporan", on_laporan),
        CallbackQueryHandler(on_admin_button, pattern=r"^adm:rp:"),
    ]


def _admin_note_conversation() -> ConversationHandler:
    """The admin's status change: the status button, then the note (or none)."""
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(on_status_choice, pattern=r"^adm:rp:s:")],
        states={
            AdminState.NOTE: [
                MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_note),
                CallbackQueryHandler(on_note, pattern=r"^adm:rp:n:"),
            ]
        },
        fallbacks=[CommandHandler(["batal", "cancel"], on_note_cancel)],
        name="report_admin",
        persistent=True,
    )
