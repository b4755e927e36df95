"""The whole schema: every feature's migrations, applied in one order when the database opens.

Each feature declares its own tables in its store; this module only lists the stores.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from bot import db
from bot.answering import store as answering_store
from bot.curation import store as curation_store
from bot.kb import audit as kb_audit
from bot.kb import store as kb_store
from bot.outreach import store as outreach_store
from bot.tips import store as tips_store

# The order a fresh database is built in (the order the tables were first introduced).
MIGRATIONS = (
    kb_store.migrations,
    answering_store.migrations,
    tips_store.migrations,
    kb_audit.migrations,
    curation_store.migrations,
    outreach_store.migrations,
)


def open_database(path: str | Path | None) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path` (None: in memory) with every table."""
    return db.open_database(path, MIGRATIONS)
