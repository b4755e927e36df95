"""Wiring of the core: settings, database, knowledge base, use cases. Built once per process.

Building it opens the database (and compiles the knowledge files when they changed) and
nothing more: periodic work such as the tips' retention runs as a scheduled job of the bot
(`handlers/app.py`) and from the command line (`bot.py reports purge`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlite_utils

from bot import schema
from bot.answering.answers import Answers
from bot.config import Settings
from bot.curation.screens import CurationDesk
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
    reports: Reports = field(init=False)
    admin: CurationDesk = field(init=False)

    def __post_init__(self) -> None:
        # Plain objects over the same database: no query runs here.
        self.admin = CurationDesk(self.db, self.answers)
        self.reports = Reports(self.db, self.settings, self.answers)
        if self.reports.vault is None and self.settings.report_encryption_key:
            # A key was meant to be there: tips being off is a fault, not a choice.
            log.warning(
                "tips are OFF: %s (if tips were stored before, put back the key they were "
                "sealed with instead: a new key cannot read them)",
                self.reports.key_problem,
            )
        elif self.reports.vault is None:
            log.info("tips are disabled: %s", self.reports.key_problem)

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
        renderer = Renderer(tz=settings.tz, org=settings.org)
        return cls(settings, db, Answers.build(kb, db, renderer))
