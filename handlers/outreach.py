"""Socialisation in Telegram: /kuis, /langganan, /berhenti_langganan, /umumkan, reminders.

Every step calls one use case of `bot.outreach` and sends what it returns. Quiz polls go out with
`sendPoll` (type quiz); answers to counted polls arrive as `poll_answer` updates. Reminders are
JobQueue jobs planned from the election calendar when the bot starts.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Bot, Message, Poll, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bot.core import Core
from bot.outreach.broadcast import BLOCKED, FAILED, SENT, Send
from bot.outreach.service import Outcome, Outreach, QuizPlan
from bot.ui import actions
from bot.ui.views import View
from handlers.common import (
    chat_id_of,
    core_of,
    edit_view,
    is_private,
    keyboard,
    message_of,
    query_of,
    send_view,
    ui_lang,
)
from handlers.curation import admin_only

log = logging.getLogger(__name__)
GROUP_ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def outreach_of(context: ContextTypes.DEFAULT_TYPE) -> Outreach:
    """The outreach use cases the application was built with."""
    return context.application.bot_data["outreach"]


def sender(bot: Bot) -> Send:
    """Delivery to one chat, as the broadcasts want it: sent, blocked (unsubscribe) or failed."""

    async def send(chat_id: int, view: View) -> str:
        try:
            await bot.send_message(
                chat_id,
                view.text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(view),
                disable_web_page_preview=True,
            )
        except Forbidden:
            return BLOCKED  # blocked by the user, kicked from the group, user deactivated
        except BadRequest as exc:
            # The chat is gone for good; anything else may be worth another try next time.
            return BLOCKED if "chat not found" in str(exc).lower() else FAILED
        except TelegramError as exc:
            log.warning("delivery to a subscriber failed: %r", exc)
            return FAILED
        return SENT

    return send


async def may_manage_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """May the sender subscribe or unsubscribe this chat, or close its quizzes?

    Anyone in a private chat; in a group the group's administrators (asked of Telegram) and the
    bot's admins. When Telegram cannot tell, the answer is no: a group's subscription is the
    group's admins' choice.
    """
    if is_private(update):
        return True
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return False
    if core_of(context).settings.is_admin(user.id):
        return True
    message = update.message
    if message is not None and message.sender_chat is not None:
        # An anonymous administrator writes as the group itself.
        return message.sender_chat.id == chat.id
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not look up a group member's role: %s", type(exc).__name__)
        return False
    return member.status in GROUP_ADMINS


# -- quizzes -------------------------------------------------------------------------------------


async def quiz_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kuis [N] [hasil]: quiz polls from the knowledge base, in the chat's language."""
    chat_id = chat_id_of(update)
    plan = outreach_of(context).quiz(
        chat_id, ui_lang(update, context), context.args or [], is_private(update)
    )
    if isinstance(plan, View):
        await send_view(update, context, plan)
        return
    await _send_polls(context, plan)
    if plan.after:
        await send_view(update, context, plan.after)


async def _send_polls(context: ContextTypes.DEFAULT_TYPE, plan: QuizPlan) -> None:
    outreach = outreach_of(context)
    for position, poll in enumerate(plan.polls):
        message = await context.bot.send_poll(
            plan.chat_id,
            poll.question,
            list(poll.options),
            type=Poll.QUIZ,
            correct_option_ids=[poll.correct],  # type: ignore[list-item]
            is_anonymous=plan.anonymous,
            explanation=poll.explanation,
            explanation_parse_mode=ParseMode.HTML,
            question_parse_mode=None,  # plain text: the HTML default must not apply here
        )
        if message.poll is not None:
            outreach.poll_sent(plan, position, poll, message.poll.id, message.message_id)


async def on_poll_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An answer to a counted poll; a private series gets its score after the last one."""
    answer = update.poll_answer
    if answer is None:
        return
    outcome = outreach_of(context).answered(answer.poll_id, list(answer.option_ids))
    if outcome is not None:
        await _show(context, outcome)


def _decoded(data: str | None) -> actions.Action | None:
    """The outreach action behind button data; None for data of an older layout."""
    try:
        return actions.decode(data or "")
    except actions.ActionError:
        return None


async def on_quiz_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`kuis:tutup:<series>`: close a counted group quiz, stop its polls, show the results."""
    query = query_of(update)
    if not await may_manage_chat(update, context):
        refusal = outreach_of(context).group_admins_only("close", ui_lang(update, context))
        await query.answer(text=refusal.text, show_alert=True)
        return
    await query.answer()
    action = _decoded(query.data)
    series_id = action.number("series", -1) if action else -1
    if series_id < 0:
        return
    outcome = outreach_of(context).close(series_id)
    if outcome is None:
        return  # already closed by someone else's press
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:
        pass  # the message is gone; the results still go out
    await _show(context, outcome)


async def _show(context: ContextTypes.DEFAULT_TYPE, outcome: Outcome) -> None:
    for chat_id, message_id in outcome.stop:
        try:
            await context.bot.stop_poll(chat_id, message_id)
        except BadRequest:
            pass  # already closed or deleted: its counts are kept all the same
    view = outcome.view
    await context.bot.send_message(
        outcome.chat_id, view.text, parse_mode=ParseMode.HTML, reply_markup=keyboard(view)
    )


# -- subscriptions -------------------------------------------------------------------------------


async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/langganan: announcements and reminders for this chat (its id is all that is kept);
    in a group, for its administrators only."""
    outreach, lang = outreach_of(context), ui_lang(update, context)
    if not await may_manage_chat(update, context):
        await send_view(update, context, outreach.group_admins_only("subscribe", lang))
        return
    await send_view(update, context, outreach.subscribe(chat_id_of(update), lang))


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/berhenti_langganan: forget this chat; in a group, for its administrators only."""
    outreach, lang = outreach_of(context), ui_lang(update, context)
    if not await may_manage_chat(update, context):
        await send_view(update, context, outreach.group_admins_only("unsubscribe", lang))
        return
    await send_view(update, context, outreach.unsubscribe(chat_id_of(update), lang))


# -- announcements (admins) ----------------------------------------------------------------------


@admin_only
async def announce_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/umumkan TEXT: a preview with Send and Cancel (line breaks in TEXT are kept)."""
    parts = (message_of(update).text or "").split(maxsplit=1)
    text = parts[1] if len(parts) > 1 else ""
    view = outreach_of(context).broadcasts.preview(text, ui_lang(update, context))
    await send_view(update, context, view)


@admin_only
async def on_announce_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`umum:kirim:<id>` delivers to every subscriber and reports; `umum:batal:<id>` cancels."""
    query = query_of(update)
    await query.answer()
    action = _decoded(query.data)
    announcement_id = action.number("announcement", -1) if action else -1
    if action is None or announcement_id < 0:
        return
    broadcasts = outreach_of(context).broadcasts
    lang = ui_lang(update, context)
    if action.spec is actions.ANNOUNCE_CANCEL:
        await edit_view(update, context, broadcasts.cancel(announcement_id, lang))
        return
    # The preview loses its buttons first, so nobody presses Send twice while it goes out.
    await query.edit_message_reply_markup(None)
    report = await broadcasts.deliver(announcement_id, lang, sender(context.bot))
    await send_view(update, context, report)


class _CalendarFile(filters.MessageFilter):
    """A document named calendar.yaml (or .yml): the calendar, not a knowledge-base import."""

    def filter(self, message: Message) -> bool:
        name = (message.document.file_name or "").lower() if message.document else ""
        return name in ("calendar.yaml", "calendar.yml")


CALENDAR_FILE = _CalendarFile(name="calendar file")


@admin_only
async def on_calendar_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin sends calendar.yaml: validated, live at once, its reminders planned."""
    document = message_of(update).document
    if document is None:
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    now = datetime.now(UTC)
    view = outreach_of(context).broadcasts.upload_calendar(data, ui_lang(update, context), now)
    await schedule_reminders(context.application, now)
    await send_view(update, context, view)


# -- reminders -----------------------------------------------------------------------------------


async def _fire_reminder(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A calendar reminder's time has come: send it to every subscriber (once)."""
    if context.job is not None:
        key = str(context.job.data)
        await outreach_of(context).broadcasts.send_reminder(key, sender(context.bot))


async def schedule_reminders(application: Application, now: datetime | None = None) -> int:
    """Plan the calendar's reminders from `now` (default: the clock); returns how many.

    Run at start: reminders already sent are skipped (the database remembers them), missed ones
    whose period still runs go out at once. `now` is a parameter so tests can set the date.
    """
    if application.job_queue is None:
        log.warning("no job queue (install python-telegram-bot[job-queue]): no reminders")
        return 0
    planned = application.bot_data["outreach"].broadcasts.plan(now or datetime.now(UTC))
    for reminder, delay in planned:
        name = f"reminder:{reminder.key}"
        for job in application.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
        application.job_queue.run_once(
            _fire_reminder,
            when=delay,
            data=reminder.key,
            name=name,
            # Planned before the scheduler starts: run even if it starts a little late.
            job_kwargs={"misfire_grace_time": None},
        )
    if planned:
        log.info("%s calendar reminders scheduled", len(planned))
    return len(planned)


# -- registration --------------------------------------------------------------------------------


def register(application: Application, core: Core) -> None:
    """Build the outreach use cases and add their handlers (group 0).

    Register before the knowledge-base admin: its upload handler takes every .yaml document,
    and calendar.yaml must reach this one.
    """
    application.bot_data["outreach"] = Outreach.open(
        core.db, core.answers, core.settings.knowledge_dir
    )
    handlers: list[BaseHandler] = [
        CommandHandler(["kuis", "quiz"], quiz_command),
        CommandHandler(["langganan", "subscribe"], subscribe_command),
        CommandHandler(["berhenti_langganan", "unsubscribe"], unsubscribe_command),
        CommandHandler(["umumkan", "announce"], announce_command),
        CallbackQueryHandler(on_quiz_button, pattern=actions.pattern(actions.QUIZ_CLOSE)),
        CallbackQueryHandler(
            on_announce_button,
            pattern=actions.pattern(actions.ANNOUNCE_SEND, actions.ANNOUNCE_CANCEL),
        ),
        PollAnswerHandler(on_poll_answer),
        MessageHandler(filters.ChatType.PRIVATE & CALENDAR_FILE, on_calendar_upload),
    ]
    application.add_handlers(handlers, group=0)
