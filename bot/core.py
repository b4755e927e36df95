"""Wiring of the core: settings, database, knowledge base, use cases. Built once per process."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlite_utils

from bot import schema
from bot.answering.answers import Answers
from bot.config import Settings
from bot.curation.screens import AdminDesk
from bot.kb import store as kbstore
from bot.tips.flow import Reports
from bot.ui.render import Renderer

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything a front end (Telegram, console, CLI) needs."""

    settings: Settings
    db: sqlite_utils.Database
    answers: Answers
    reports: Reports | None = None
    admin: AdminDesk | None = None

    def __post_init__(self) -> None:
        if self.admin is None:
            self.admin = AdminDesk(self.db, self.answers)
        if self.reports is None:
            self.reports = Reports(self.db, self.settings, self.answers)
            if self.reports.vault is None:
                log.info("tips are disabled: %s", self.reports.key_problem)
            else:
                self.reports.desk.purge()  # retention: closed tips past their time, stale drafts

    @classmethod
    def open(cls, settings: Settings) -> Core:
        """Open the database, rebuild the knowledge base if its files changed, index it."""
        db = schema.open_database(settings.database_path)
        try:
            rebuilt, kb = kbstore.sync(
                db, settings.knowledge_dir, local=settings.local_knowledge_dir
            )
        except kbstore.UnsavedEditsError as exc:
            # Keep serving the admins' live version; `bot.py kb build` says what differs.
            log.warning("knowledge files changed but not rebuilt: %s", exc)
            rebuilt, kb = False, kbstore.load_from_db(db)
        if rebuilt:
            log.info("knowledge base rebuilt from %s", settings.knowledge_dir)
        renderer = Renderer(org=settings.org)
        return cls(settings, db, Answers.build(kb, db, renderer))
