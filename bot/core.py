"""Wiring of the core: settings, database, knowledge base, use cases. Built once per process."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlite_utils

from bot import knowledge, storage
from bot.answers import Answers
from bot.config import Settings

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything a front end (Telegram, console, CLI) needs."""

    settings: Settings
    db: sqlite_utils.Database
    answers: Answers

    @classmethod
    def open(cls, settings: Settings) -> Core:
        """Open the database, rebuild the knowledge base if its files changed, index it."""
        db = storage.open_database(settings.database_path)
        rebuilt, kb = knowledge.sync(db, settings.knowledge_dir)
        if rebuilt:
            log.info("knowledge base rebuilt from %s", settings.knowledge_dir)
        return cls(settings, db, Answers.build(kb, db))
