"""Settings, read once from the environment and `.env`, then passed down as a frozen value."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = PACKAGE_ROOT / "knowledge"
PUBLIC_BOT_API = "https://api.telegram.org"


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


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Names mirror the environment variables in `.env.example`."""

    telegram_bot_token: str = ""
    telegram_api_base_url: str = PUBLIC_BOT_API
    telegram_admin_ids: frozenset[int] = field(default_factory=frozenset)
    telegram_admin_chat_id: int | None = None
    database_path: Path = Path("data/bot.db")
    report_encryption_key: str = ""
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
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

    def is_admin(self, user_id: int | None) -> bool:
        """True when the Telegram user id is a configured admin."""
        return user_id is not None and user_id in self.telegram_admin_ids

    @classmethod
    def load(
        cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Settings:
        """Build settings from `env_file` overlaid by the process environment (which wins)."""
        values: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            values.update({k: v or "" for k, v in dotenv_values(env_file).items()})
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str:
            return values.get(name, "").strip()

        admin_chat = get("TELEGRAM_ADMIN_CHAT_ID")
        return cls(
            telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_api_base_url=get("TELEGRAM_API_BASE_URL") or PUBLIC_BOT_API,
            telegram_admin_ids=_int_set("TELEGRAM_ADMIN_IDS", get("TELEGRAM_ADMIN_IDS")),
            telegram_admin_chat_id=(
                _int("TELEGRAM_ADMIN_CHAT_ID", admin_chat, 0) if admin_chat else None
            ),
            database_path=Path(get("DATABASE_PATH") or "data/bot.db"),
            report_encryption_key=get("REPORT_ENCRYPTION_KEY"),
            knowledge_dir=Path(get("KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE_DIR),
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
            log_level=get("LOG_LEVEL").upper() or "INFO",
            concurrent_updates=max(1, _int("CONCURRENT_UPDATES", get("CONCURRENT_UPDATES"), 4)),
            rate_limit_per_second=_int("TELEGRAM_RATE_LIMIT", get("TELEGRAM_RATE_LIMIT"), 30),
            benchmark=get("BENCHMARK").lower() in ("1", "true", "yes"),
        )
