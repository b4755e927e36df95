"""Settings, read once from the environment and `.env`, then passed down as a frozen value.

Where `.env` comes from, in order: the file named by `ENV_FILE`; `.env` in the current
directory; `.env` in the project folder (a source checkout, beside `bot.py`). The process
environment always wins over the file. Relative paths in the settings (`DATA_DIR`,
`DATABASE_PATH`, `KNOWLEDGE_DIR`) are taken from the folder of that `.env`; with no `.env`,
from the project folder of a checkout, or the current directory for an installed package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = PACKAGE_ROOT / "knowledge"
PUBLIC_BOT_API = "https://api.telegram.org"
DEFAULT_TIME_ZONE = "Asia/Jakarta"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Sentinel for Settings.load: look for `.env` in the documented places.
FIND = "find"


class ConfigError(ValueError):
    """A setting is present but unusable; the message names the variable."""


def _int_set(name: str, raw: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError as exc:
        raise ConfigError(f"{name} must be comma-separated Telegram user ids, got {raw!r}") from exc


def _int(name: str, raw: str, default: int) -> int:
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _is_checkout(folder: Path) -> bool:
    """True for a source checkout (bot.py beside pyproject.toml), not an installed package."""
    return (folder / "bot.py").is_file() and (folder / "pyproject.toml").is_file()


def find_env_file(environ: Mapping[str, str]) -> Path | None:
    """The `.env` to read: ENV_FILE, else ./.env, else the checkout's .env; None if none."""
    explicit = environ.get("ENV_FILE", "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"ENV_FILE is {explicit!r}, but there is no such file")
        return path.resolve()
    folders = [Path.cwd()] + ([PACKAGE_ROOT] if _is_checkout(PACKAGE_ROOT) else [])
    for folder in folders:
        if (folder / ".env").is_file():
            return (folder / ".env").resolve()
    return None


def _time_zone(raw: str) -> str:
    # A POSIX-style ":Area/City" is accepted too; anything unknown is a clear error.
    name = raw.removeprefix(":") or DEFAULT_TIME_ZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"TZ must be a time zone name such as Asia/Jakarta (WIB), Asia/Makassar (WITA) "
            f"or Asia/Jayapura (WIT), got {raw!r}"
        ) from exc
    return name


def _log_level(raw: str) -> str:
    level = raw.upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level


def _directory(name: str, raw: str, base: Path) -> Path | None:
    if not raw:
        return None
    path = base / Path(raw).expanduser()  # relative: from the .env's folder, like the others
    if not path.is_dir():
        raise ConfigError(f"{name} must be an existing directory, got {raw!r}")
    return path


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Names mirror the environment variables in `.env.example`."""

    telegram_bot_token: str = ""
    telegram_api_base_url: str = PUBLIC_BOT_API
    telegram_admin_ids: frozenset[int] = field(default_factory=frozenset)
    telegram_admin_chat_id: int | None = None
    data_dir: Path = Path("data")
    database_path: Path = Path("data/bot.db")
    report_encryption_key: str = ""
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    # Where the matcher model (a build artefact) is kept; default: `models/` beside the database.
    model_dir: Path | None = None
    # A deployment's own knowledge (its circulars, entries), added to the shipped files.
    local_knowledge_dir: Path | None = None
    # Who runs this bot and how to reach them: named in the decline, help and report texts.
    org_name: str = ""
    org_contact: str = ""
    webhook_secret_token: str = ""
    report_retention_days: int = 365
    # Questions (and their 👍/👎) are deleted this many days after they were asked.
    question_log_retention_days: int = 90
    reports_per_day: int = 5
    conversation_timeout_minutes: int = 60
    # A draft idle this long gets one reminder; it expires at CONVERSATION_TIMEOUT_MINUTES.
    draft_reminder_minutes: int = 30
    log_level: str = "INFO"
    rate_limit_per_second: int = 30
    concurrent_updates: int = 4
    # Set by the benchmarks, which run with the rate limiter off on purpose.
    benchmark: bool = False
    time_zone: str = DEFAULT_TIME_ZONE
    env_file: Path | None = None  # the `.env` that was read, for messages

    @property
    def tz(self) -> ZoneInfo:
        """The time zone every time shown to a person is converted to."""
        return ZoneInfo(self.time_zone)

    @property
    def models_dir(self) -> Path:
        """The directory of the matcher model artefacts."""
        return self.model_dir or self.database_path.parent / "models"

    @property
    def api_url(self) -> str:
        """Base URL for Bot API methods, as python-telegram-bot wants it (`.../bot`)."""
        return self.telegram_api_base_url.rstrip("/") + "/bot"

    @property
    def file_url(self) -> str:
        """Base URL for file downloads (`.../file/bot`)."""
        return self.telegram_api_base_url.rstrip("/") + "/file/bot"

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line (see `bot.logsafe`)."""
        return (self.telegram_bot_token, self.report_encryption_key, self.webhook_secret_token)

    def public_numbers(self) -> tuple[int, ...]:
        """Ids from the configuration a log line may show: the admin chat's and the bot's own
        (the part of the token before the colon)."""
        bot_id = self.telegram_bot_token.partition(":")[0]
        found = [self.telegram_admin_chat_id, int(bot_id) if bot_id.isdigit() else None]
        return tuple(n for n in found if n is not None)

    @property
    def org(self) -> dict[str, str]:
        """The organisation's name and contact, as the templates use them ('' when unset)."""
        return {"name": self.org_name, "contact": self.org_contact}

    def is_admin(self, user_id: int | None) -> bool:
        """True when the Telegram user id is a configured admin."""
        return user_id is not None and user_id in self.telegram_admin_ids

    @classmethod
    def load(
        cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = FIND
    ) -> Settings:
        """Build settings from a `.env` (found as the module says, or `env_file`; None: no
        file) overlaid by the process environment (which wins)."""
        environ = os.environ if environ is None else environ
        found = find_env_file(environ) if env_file == FIND else env_file
        found = Path(found).resolve() if found is not None else None
        values: dict[str, str] = {}
        if found is not None and found.is_file():
            values.update({k: v or "" for k, v in dotenv_values(found).items()})
        values.update(environ)

        def get(name: str) -> str:
            return values.get(name, "").strip()

        if found is not None:
            base = found.parent
        else:
            base = PACKAGE_ROOT if _is_checkout(PACKAGE_ROOT) else Path.cwd()

        def path(name: str, default: Path) -> Path:
            # Relative paths are read from the .env's folder, whatever the current directory.
            raw = get(name)
            return base / Path(raw).expanduser() if raw else default

        data_dir = path("DATA_DIR", base / "data")
        admin_chat = get("TELEGRAM_ADMIN_CHAT_ID")
        return cls(
            telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_api_base_url=get("TELEGRAM_API_BASE_URL") or PUBLIC_BOT_API,
            telegram_admin_ids=_int_set("TELEGRAM_ADMIN_IDS", get("TELEGRAM_ADMIN_IDS")),
            telegram_admin_chat_id=(
                _int("TELEGRAM_ADMIN_CHAT_ID", admin_chat, 0) if admin_chat else None
            ),
            data_dir=data_dir,
            database_path=path("DATABASE_PATH", data_dir / "bot.db"),
            report_encryption_key=get("REPORT_ENCRYPTION_KEY"),
            knowledge_dir=path("KNOWLEDGE_DIR", DEFAULT_KNOWLEDGE_DIR),
            model_dir=path("MODEL_DIR", base) if get("MODEL_DIR") else None,
            local_knowledge_dir=_directory("LOCAL_KNOWLEDGE_DIR", get("LOCAL_KNOWLEDGE_DIR"), base),
            org_name=get("ORG_NAME"),
            org_contact=get("ORG_CONTACT"),
            webhook_secret_token=get("WEBHOOK_SECRET_TOKEN"),
            report_retention_days=_int("REPORT_RETENTION_DAYS", get("REPORT_RETENTION_DAYS"), 365),
            question_log_retention_days=_int(
                "QUESTION_LOG_RETENTION_DAYS", get("QUESTION_LOG_RETENTION_DAYS"), 90
            ),
            reports_per_day=_int("REPORTS_PER_DAY", get("REPORTS_PER_DAY"), 5),
            conversation_timeout_minutes=_int(
                "CONVERSATION_TIMEOUT_MINUTES", get("CONVERSATION_TIMEOUT_MINUTES"), 60
            ),
            draft_reminder_minutes=_int(
                "DRAFT_REMINDER_MINUTES", get("DRAFT_REMINDER_MINUTES"), 30
            ),
            log_level=_log_level(get("LOG_LEVEL")),
            concurrent_updates=max(1, _int("CONCURRENT_UPDATES", get("CONCURRENT_UPDATES"), 4)),
            rate_limit_per_second=_int("TELEGRAM_RATE_LIMIT", get("TELEGRAM_RATE_LIMIT"), 30),
            time_zone=_time_zone(get("TZ")),
            env_file=found,
            benchmark=get("BENCHMARK").lower() in ("1", "true", "yes"),
        )
