"""Admin onboarding: /id, the command menus (everyone's and the admins' own), and the start-up
check that the bot can post to TELEGRAM_ADMIN_CHAT_ID.

The menus come from `bot.ui.commands.COMMANDS`: the default scope gets the public commands; each
admin's private chat (BotCommandScopeChat) gets those plus the admin commands. Nothing here may
stop the bot: a menu or a check that fails is one log line, and the bot serves on.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.db import kv_get, kv_set
from bot.ui import commands
from bot.ui.render import Renderer
from handlers.common import core_of, is_private, send_view, ui_lang

log = logging.getLogger(__name__)

# Where the admin ids that were given a menu are remembered, to take it back from ex-admins.
MENU_NAMESPACE = "command_menus"
MENU_KEY = "admin_ids"
# The menus' languages: Indonesian for everyone (no language code), English for English clients.
MENU_LANGUAGES = (("id", None), ("en", "en"))


async def id_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/id: the sender's user id and, in a group, the group's chat id. Open to anyone."""
    core = core_of(context)
    user = update.effective_user
    chat = update.effective_chat
    user_id = user.id if user else None
    view = core.answers.id_view(
        ui_lang(update, context),
        user_id=user_id,
        chat_id=None if is_private(update) or chat is None else chat.id,
        admin=core.settings.is_admin(user_id),
    )
    await send_view(update, context, view)


def menu_commands(renderer: Renderer, lang: str, admin: bool) -> list[BotCommand]:
    """One menu as Telegram BotCommands, described in `lang`."""
    return [BotCommand(c.name, renderer.label(c.label, lang)) for c in commands.menu(admin)]


async def set_command_menus(application: Application) -> None:
    """Everyone's menu (public commands) and each admin's (public + admin) in both languages.

    An admin who never opened the bot has no private chat yet (Telegram: "chat not found"):
    logged, and their menu appears at the next start after they press Start. Admins removed
    from TELEGRAM_ADMIN_IDS since the last start lose their menu.
    """
    core = application.bot_data["core"]
    bot: Bot = application.bot
    renderer = core.answers.renderer
    for lang, code in MENU_LANGUAGES:
        try:
            await bot.set_my_commands(
                menu_commands(renderer, lang, admin=False),
                scope=BotCommandScopeDefault(),
                language_code=code,
            )
        except TelegramError as exc:
            log.warning("could not set the command menu (%s): %s", lang, exc)
    admins = sorted(core.settings.telegram_admin_ids)
    for admin_id in admins:
        try:
            for lang, code in MENU_LANGUAGES:
                await bot.set_my_commands(
                    menu_commands(renderer, lang, admin=True),
                    scope=BotCommandScopeChat(admin_id),
                    language_code=code,
                )
        except TelegramError as exc:
            log.warning(
                "admin %s gets no admin command menu (%s): they must open the bot and press "
                "Start once; the menu comes at the next start",
                admin_id,
                exc,
            )
    previous = kv_get(core.db, MENU_NAMESPACE, MENU_KEY) or []
    for former in sorted(set(previous) - set(admins)):
        try:
            for _, code in MENU_LANGUAGES:
                await bot.delete_my_commands(scope=BotCommandScopeChat(former), language_code=code)
        except TelegramError as exc:
            log.warning("could not remove the admin menu of former admin %s: %s", former, exc)
    kv_set(core.db, MENU_NAMESPACE, MENU_KEY, admins)


async def admin_chat_problem(bot: Bot, chat_id: int) -> str | None:
    """Why the bot cannot post to `chat_id`, or None when it can (as far as Telegram says)."""
    try:
        chat = await bot.get_chat(chat_id)
    except (BadRequest, Forbidden) as exc:
        return exc.message
    if chat.type == ChatType.PRIVATE:
        return None  # the person started the bot, or Telegram would not know the chat
    member = await bot.get_chat_member(chat_id, bot.id)
    status = member.status
    if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return f"the bot is not a member of {chat.title or chat_id!r} ({status})"
    if chat.type == ChatType.CHANNEL and not getattr(member, "can_post_messages", False):
        return f"the bot may not post in the channel {chat.title!r}: make it an admin who posts"
    if status == ChatMemberStatus.RESTRICTED and not getattr(member, "can_send_messages", True):
        return f"the bot is muted in {chat.title or chat_id!r}"
    return None


async def check_admin_chat(application: Application) -> bool:
    """Log one clear line when TELEGRAM_ADMIN_CHAT_ID cannot be posted to; never raise.

    Returns True when the chat is usable (or not configured, nothing to check).
    """
    chat_id = application.bot_data["core"].settings.telegram_admin_chat_id
    if chat_id is None:
        return True
    try:
        problem = await admin_chat_problem(application.bot, chat_id)
    except Exception as exc:  # noqa: BLE001 - a check must never stop the bot from serving
        # Network trouble, or an answer this library version cannot parse (the Bot API adds
        # required fields to chats and members): say so and serve on.
        problem = f"could not check: {type(exc).__name__}: {exc}"
    if problem is None:
        log.info("admin chat %s reachable: new tips are announced there", chat_id)
        return True
    log.warning(
        "TELEGRAM_ADMIN_CHAT_ID=%s cannot be posted to (%s): new tips are not announced. Add the "
        "bot to that group and send /id there to see its id (a person must press Start in the "
        "bot first)",
        chat_id,
        problem,
    )
    return False
