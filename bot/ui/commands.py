"""The bot's slash commands as data: one list for every place that names them.

Telegram's command menus (everyone's, and the admins' own, scoped to their private chats), the
admin part of /bantuan and the console's "this needs Telegram" answers are all built from
`COMMANDS`, so a command added here shows up in each of them. Descriptions are the labels
`cmd_<name>` in `templates/labels.yaml`, in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PUBLIC = "public"
ADMIN = "admin"


@dataclass(frozen=True)
class Command:
    """One slash command.

    `audience`: PUBLIC commands are in everyone's menu; ADMIN ones only in an admin's (and in
    /bantuan when an admin asks in a private chat). `telegram_only`: the console cannot do it
    (tips, the admin tools, Telegram ids) and says so. `aliases`: other names the bot accepts.
    """

    name: str
    audience: str = PUBLIC
    telegram_only: bool = False
    aliases: tuple[str, ...] = field(default=())
    open_to_all: bool = False  # in the admins' menu, yet anyone may use it (/id)
    in_menu: bool = True  # False: accepted, but not worth a line of the menu

    @property
    def admin_only(self) -> bool:
        """True when the bot refuses it to everyone but an admin."""
        return self.audience == ADMIN and not self.open_to_all

    @property
    def label(self) -> str:
        """The labels.yaml key of the menu description."""
        return f"cmd_{self.name}"


COMMANDS: tuple[Command, ...] = (
    Command("start"),
    Command("topik", aliases=("topics",)),
    # Quiz polls are Telegram polls; subscriptions are for Telegram chats.
    Command("kuis", telegram_only=True, aliases=("quiz",)),
    Command("lapor", telegram_only=True),
    Command("status", telegram_only=True),
    Command("langganan", telegram_only=True, aliases=("subscribe",)),
    Command("berhenti_langganan", telegram_only=True, aliases=("unsubscribe",), in_menu=False),
    Command("bahasa", aliases=("language",)),
    Command("bantuan", aliases=("help",)),
    Command("privasi", aliases=("privacy",)),
    # Admins: their tools, in a private chat with the bot.
    Command("laporan", ADMIN, telegram_only=True),
    Command("kb", ADMIN, telegram_only=True),
    Command("kb_export", ADMIN, telegram_only=True),
    Command("tinjau", ADMIN, telegram_only=True),
    Command("statistik", ADMIN, telegram_only=True),
    Command("umumkan", ADMIN, telegram_only=True, aliases=("announce",)),
    # Anyone may send /id (a would-be admin needs it before being configured); only admins see
    # it in a menu, since it means nothing to the civil servants asking questions.
    Command("id", ADMIN, telegram_only=True, open_to_all=True),
)


def menu(admin: bool) -> list[Command]:
    """The commands of one menu: the public ones, plus the admin ones for an admin."""
    return [c for c in COMMANDS if c.in_menu and (c.audience == PUBLIC or admin)]


def admin_commands() -> list[Command]:
    """The admin-only commands, in menu order."""
    return [c for c in COMMANDS if c.audience == ADMIN and c.in_menu]


def find(typed: str) -> Command | None:
    """The command a typed line starts with (`/KB@bot medsos` -> kb), or None."""
    if not typed.startswith("/"):
        return None
    word = typed[1:].split(maxsplit=1)[0].partition("@")[0].lower() if typed[1:].strip() else ""
    return next((c for c in COMMANDS if word == c.name or word in c.aliases), None)
