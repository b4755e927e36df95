"""`build_application(settings)`: the one factory of the Telegram bot. Tests call it too.

Every handler is registered here, in one visible order (first match wins within a group):
  group 0: the guard first (edits, channel posts, updates without a sender, foreign buttons),
           the tip flow (while a draft is open) and the admins' conversations, outreach
           (quizzes, subscriptions, announcements), commands, every other button
           (handlers/buttons.py: one grammar, one `press`), free text, non-text messages
  group 1: inline queries
  group 9: persistence flush after every update, so a SIGKILL loses nothing already handled
Jobs: the retention of tips, of the question log and of quiz series, daily at 03:00 in TZ; idle
tip drafts (a reminder, then the notice of their expiry), every 15 seconds.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import time
from urllib.parse import urlparse

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    PersistenceInput,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import logsafe, retention
from bot.config import ConfigError, Settings
from bot.core import Core
from bot.notices import NoticeThrottle, error_kind
from handlers import answering, buttons, curation, guard, onboarding, outreach, tips, tracing
from handlers.concurrency import PerChatUpdateProcessor
from handlers.persistence import SQLitePersistence

log = logging.getLogger(__name__)

# Start-up retries while the Bot API cannot be reached: 1 s, 2 s, 4 s ... at most a minute.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0
IDLE_CHECK_SECONDS = 15  # how late, at most, an idle draft's reminder or expiry notice comes
RETENTION_AT = time(3, 0)  # in TZ, a quiet hour: the daily purge of closed tips past retention


async def _post_init(application: Application) -> None:
    """Command menus (everyone's and the admins'), then whether the admin chat is reachable."""
    await onboarding.set_command_menus(application)
    await onboarding.check_admin_chat(application)
    # Election-date reminders, planned from the calendar (sent ones are remembered).
    await outreach.schedule_reminders(application)


async def _flush(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write conversation states and user data now, not at the next 60-second tick."""
    await context.application.update_persistence()


async def _purge_tips(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Retention: closed tips past REPORT_RETENTION_DAYS, old day counters, idle drafts."""
    core: Core = context.application.bot_data["core"]
    deleted = core.reports.desk.purge()
    log.info("retention: %d closed tips deleted", deleted)


async def _purge_questions(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Retention: questions, ratings and review records past QUESTION_LOG_RETENTION_DAYS."""
    core: Core = context.application.bot_data["core"]
    deleted = retention.purge_questions(core.db, core.settings)
    log.info("retention: %d questions deleted", deleted)


async def _purge_quizzes(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Retention: quiz series and their counts closed more than 30 days ago."""
    core: Core = context.application.bot_data["core"]
    deleted = retention.purge_quizzes(core.db)
    log.info("retention: %d quiz series deleted", deleted)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failing update by id (never its content), apologise, keep serving others.

    Fetching updates hiccups (network, a second instance polling, flood waits) are logged, not
    posted: the updater retries by itself. Other errors reach the admin chat at most once per
    kind per ten minutes, with how many there were (`bot.notices`).
    """
    error = context.error
    if update is None and context.job is None and isinstance(error, _POLLING_HICCUPS):
        log.warning("fetching updates failed (%s); retrying", type(error).__name__)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=error)
    core: Core = context.application.bot_data["core"]
    if isinstance(update, Update) and update.effective_chat:
        user = update.effective_user
        lang = "en" if user and (user.language_code or "").startswith("en") else "id"
        try:
            await context.bot.send_message(
                update.effective_chat.id, core.answers.renderer.render("error", lang)
            )
        except Exception:  # noqa: BLE001 - the apology is best effort
            log.warning("could not send the apology for update %s", update_id)
    admin_chat = core.settings.telegram_admin_chat_id
    if not admin_chat or error is None:
        return
    kind = error_kind(error)
    count = context.application.bot_data.setdefault("error_notices", NoticeThrottle()).admit(kind)
    if count is None:
        return
    # The kind and the update id only: an admin chat must not receive users' texts.
    renderer = core.answers.renderer
    text = renderer.render("admin_error", "id", kind=kind, count=count, update=update_id)
    try:
        await context.bot.send_message(admin_chat, text, parse_mode=ParseMode.HTML)
    except Exception:  # noqa: BLE001
        log.warning("could not tell the admin chat about update %s", update_id)


_POLLING_HICCUPS = (NetworkError, Conflict, RetryAfter)


def build_application(settings: Settings, core: Core | None = None) -> Application:
    """Build the bot: persistence, rate limiter, error handler and every handler."""
    # Redact every log record (token, texts, identities), whatever LOG_LEVEL says.
    logsafe.install(settings.secrets(), settings.public_numbers())
    core = core or Core.open(settings)
    persistence = SQLitePersistence(
        core.db,
        # bot_data holds the live core; chat data is unused; callback data is plain strings.
        store_data=PersistenceInput(bot_data=False, chat_data=False, callback_data=False),
    )
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .persistence(persistence)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .request(HTTPXRequest(connection_pool_size=16, connect_timeout=10, read_timeout=15))
        .get_updates_request(HTTPXRequest(connect_timeout=10, read_timeout=40))
        .post_init(_post_init)
        .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates))
    )
    if settings.rate_limit_per_second > 0:
        # Telegram's flood limits: the library's limiter, with bounded retries on RetryAfter.
        limiter = AIORateLimiter(overall_max_rate=settings.rate_limit_per_second, max_retries=3)
        # The builder's type assumes no per-call rate-limit arguments; this limiter takes none.
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    elif not settings.benchmark:
        log.warning(
            "TELEGRAM_RATE_LIMIT=0: the rate limiter is off; a burst of messages will lose "
            "replies to Telegram's flood limit (only benchmarks should run like this)"
        )
    application = builder.build()
    application.bot_data["core"] = core

    private = filters.ChatType.PRIVATE
    # Conversations first: while one is active it sees the user's messages before free text.
    # Socialisation: /kuis and poll answers, /langganan, /berhenti_langganan, admins' /umumkan
    # and calendar.yaml uploads (before the KB admin, whose upload handler takes any .yaml).
    # First of all: edits, channel posts, updates without a sender, foreign buttons.
    application.add_handler(guard.handler(), group=0)
    outreach.register(application, core)
    # Tips: /lapor and the messages of an open draft, /status, /batal, the admins' /laporan.
    application.add_handlers(tips.handlers(core), group=0)
    # Knowledge-base admin: /kb and its conversation, uploads, /kb_export, /tinjau, /statistik.
    application.add_handlers(curation.handlers(core), group=0)
    application.add_handlers(
        [
            CommandHandler("start", answering.start),
            CommandHandler(["bantuan", "help"], answering.help_command),
            CommandHandler(["privasi", "privacy"], answering.privacy),
            CommandHandler(["bahasa", "language"], answering.language),
            CommandHandler(["topik", "topics"], answering.topics_command),
            CommandHandler("id", onboarding.id_command),
            # Every other button (answers, menus, tips), decoded by bot/ui/actions.py.
            CallbackQueryHandler(buttons.on_button),
            MessageHandler(filters.TEXT & ~filters.COMMAND, answering.on_text),
            MessageHandler(
                private & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                answering.on_other,
            ),
        ],
        group=0,
    )
    application.add_handler(InlineQueryHandler(answering.on_inline_query), group=1)
    application.add_handler(TypeHandler(Update, _flush), group=9)
    application.add_error_handler(_on_error)
    retention_at = RETENTION_AT.replace(tzinfo=settings.tz)
    if application.job_queue is not None:
        application.job_queue.run_daily(
            _purge_questions, time=retention_at, name="questions-retention"
        )
        application.job_queue.run_daily(_purge_quizzes, time=retention_at, name="quizzes-retention")
    # Core said at start whether tips are off (and why); retention only runs when they are on.
    if core.reports.vault is not None and application.job_queue is not None:
        # A fixed hour, so restarts neither skip nor repeat it, and never while starting up
        # (a VACUUM then would hold up the first updates).
        application.job_queue.run_daily(_purge_tips, time=retention_at, name="tips-retention")
        # Idle drafts: one reminder, then the notice the moment one expires.
        application.job_queue.run_repeating(
            tips.remind_idle,
            interval=IDLE_CHECK_SECONDS,
            first=IDLE_CHECK_SECONDS,
            name="drafts-idle",
        )
    # DEBUG: which handler took each update, and how long (never what was in it).
    tracing.trace(application)
    return application


def _redact(text: str, token: str) -> str:
    """The text with the token (and its secret half alone) replaced: logs must never hold it."""
    for secret in (token, token.partition(":")[2]):
        if secret:
            text = text.replace(secret, "<TELEGRAM_BOT_TOKEN>")
    return text


async def connect(application: Application, settings: Settings) -> None:
    """Ask Telegram who the bot is (getMe) until it answers.

    An unreachable Bot API is retried with exponential backoff, one warning line per attempt,
    forever: a service started before the network should come up on its own. A rejected token
    is a ConfigError naming TELEGRAM_BOT_TOKEN, never the token itself.
    """
    delay, attempt = FIRST_RETRY_SECONDS, 1
    while True:
        try:
            await application.bot.initialize()
            return
        except InvalidToken:
            raise ConfigError(
                f"Telegram ({settings.telegram_api_base_url}) rejected TELEGRAM_BOT_TOKEN: copy "
                "the token again from @BotFather (/mybots, API Token) into .env"
            ) from None
        except NetworkError as exc:  # TimedOut too; a RetryAfter is no NetworkError
            reason = _redact(str(exc), settings.telegram_bot_token)
            log.warning(
                "cannot reach the Bot API at %s (attempt %d: %s); retrying in %.0f s",
                settings.telegram_api_base_url,
                attempt,
                reason,
                delay,
            )
            await asyncio.sleep(delay)
            delay, attempt = min(delay * 2, MAX_RETRY_SECONDS), attempt + 1


def run_bot(
    settings: Settings, webhook_url: str | None = None, listen: str = "127.0.0.1", port: int = 8443
) -> int:
    """Run until stopped: long polling, or a webhook server when `webhook_url` is given."""
    application = build_application(settings)
    # PTB's run_* need a current event loop on the main thread (Python 3.12+ has none by default).
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(connect(application, settings))
    except BaseException:
        loop.run_until_complete(application.bot.shutdown())  # close the HTTP pools quietly
        raise
    log.info("connected to Telegram as @%s", application.bot.username)
    try:
        _serve(application, settings, webhook_url, listen, port)
    except NetworkError as exc:
        # Lost between getMe and the first poll: one line; the service manager restarts us.
        log.error(
            "lost the Bot API while starting: %s", _redact(str(exc), settings.telegram_bot_token)
        )
        return 1
    return 0


def _serve(
    application: Application, settings: Settings, webhook_url: str | None, listen: str, port: int
) -> None:
    if webhook_url:
        secret = settings.webhook_secret_token or secrets.token_urlsafe(32)
        # Telegram echoes the secret in a header; PTB refuses updates without it.
        application.run_webhook(
            listen=listen,
            port=port,
            # Serve on the path Telegram is told to post to (behind a reverse proxy, the same).
            url_path=urlparse(webhook_url).path.lstrip("/"),
            webhook_url=webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=30)
