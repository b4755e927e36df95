"""The tips' tables: drafts, filed tips, their history, daily counts and bans.

Every SQL statement on the tip tables is here. Contents are sealed with the vault before they
are written and opened only on request; reporters appear only as keyed hashes (`ref`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from bot.db import MIGRATION_SET, atomic, now_iso, vacuum
from bot.tips.records import Draft, Report
from bot.tips.vault import ReportKeyError, Vault

migrations = Migrations(MIGRATION_SET)


@migrations()
def m003_reports(db: sqlite_utils.Database) -> None:
    """Confidential tips: every content column is a Fernet token; reporters are keyed hashes."""
    # One draft per reporter in progress, keyed by the stable keyed hash of the user id.
    db["report_drafts"].create({"ref": str, "data": str, "updated_at": str}, pk="ref")
    db["reports"].create(
        {
            "ticket": str,
            "category": str,
            "status": str,
            "created_at": str,
            "updated_at": str,
            "closed_at": str,
            "payload": str,  # sealed JSON: what, who, where, when, evidence, contact
        },
        pk="ticket",
    )
    db["reports"].create_index(["status"])
    db["report_history"].create(
        {"id": int, "ticket": str, "at": str, "status": str, "note": str},  # note sealed
        pk="id",
        foreign_keys=[("ticket", "reports", "ticket")],
    )
    db["report_history"].create_index(["ticket"])
    # Tips per reporter per day, by a keyed hash of (user id, day): unlinkable across days.
    db["report_quota"].create({"ref": str, "day": str, "count": int}, pk="ref")
    db["report_bans"].create({"ref": str, "at": str}, pk="ref")


class TipStore:
    """The tip tables of one database, sealing and opening contents with one vault."""

    def __init__(self, db: sqlite_utils.Database, vault: Vault | None, key_problem: str = ""):
        self.db, self.vault, self.key_problem = db, vault, key_problem

    def require_vault(self) -> Vault:
        """The vault, or ReportKeyError saying why there is none."""
        if self.vault is None:
            raise ReportKeyError(self.key_problem)
        return self.vault

    # -- drafts ----------------------------------------------------------------------------------

    def draft(self, ref: str) -> tuple[Draft, datetime] | None:
        """The reporter's draft and when it was last saved, or None."""
        row = self.db.execute(
            "SELECT data, updated_at FROM report_drafts WHERE ref = ?", [ref]
        ).fetchone()
        if row is None:
            return None
        return Draft(**self.require_vault().open(row[0])), datetime.fromisoformat(row[1])

    def save_draft(self, ref: str, draft: Draft) -> None:
        """Seal and write the draft (one row per reporter)."""
        sealed = self.require_vault().seal(asdict(draft))
        with atomic(self.db):
            self.db.execute(
                "INSERT INTO report_drafts (ref, data, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(ref) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                [ref, sealed, now_iso()],
            )

    def delete_draft(self, ref: str) -> None:
        """Forget the reporter's draft."""
        with atomic(self.db):
            self.db.execute("DELETE FROM report_drafts WHERE ref = ?", [ref])

    def expire_drafts(self, before: datetime) -> int:
        """Delete drafts last saved before `before`; returns how many."""
        with atomic(self.db):
            cur = self.db.execute(
                "DELETE FROM report_drafts WHERE updated_at < ?",
                [before.isoformat(timespec="seconds")],
            )
        return cur.rowcount

    # -- bans and daily counts -------------------------------------------------------------------

    def is_banned(self, ref: str) -> bool:
        """True when tips from this reporter are refused."""
        row = self.db.execute("SELECT 1 FROM report_bans WHERE ref = ?", [ref]).fetchone()
        return row is not None

    def ban(self, ref: str) -> None:
        """Refuse future tips from this reporter."""
        with atomic(self.db):
            self.db.execute(
                "INSERT OR REPLACE INTO report_bans (ref, at) VALUES (?, ?)", [ref, now_iso()]
            )

    def used(self, day_ref: str) -> int:
        """Tips filed under one reporter-and-day hash."""
        row = self.db.execute("SELECT count FROM report_quota WHERE ref = ?", [day_ref]).fetchone()
        return int(row[0]) if row else 0

    # -- filed tips ------------------------------------------------------------------------------

    def ticket_taken(self, ticket: str) -> bool:
        """True when a tip already has this ticket."""
        row = self.db.execute("SELECT 1 FROM reports WHERE ticket = ?", [ticket]).fetchone()
        return row is not None

    def file(
        self, ticket: str, category: str, content: dict[str, Any], day_ref: str, day: str
    ) -> str:
        """Insert a tip with its first history line and count it for the day; returns the time.

        Call inside `atomic(db)` together with the draft's update, so a tip is filed once.
        """
        now = now_iso()
        self.db.execute(
            "INSERT INTO reports (ticket, category, status, created_at, updated_at, closed_at,"
            " payload) VALUES (?, ?, 'diterima', ?, ?, NULL, ?)",
            [ticket, category, now, now, self.require_vault().seal(content)],
        )
        self.add_history(ticket, "diterima", "", now)
        self.db.execute(
            "INSERT INTO report_quota (ref, day, count) VALUES (?, ?, 1) "
            "ON CONFLICT(ref) DO UPDATE SET count = count + 1",
            [day_ref, day],
        )
        return now

    def add_history(self, ticket: str, status: str, note: str, at: str) -> None:
        """Append one status line (the note sealed) to a tip's history."""
        sealed = self.require_vault().seal(note) if note else ""
        self.db.execute(
            "INSERT INTO report_history (ticket, at, status, note) VALUES (?, ?, ?, ?)",
            [ticket, at, status, sealed],
        )

    def set_status(self, ticket: str, status: str, closed: bool, note: str) -> None:
        """Change a tip's status and append it, with the note, to the history."""
        now = now_iso()
        with atomic(self.db):
            self.db.execute(
                "UPDATE reports SET status = ?, updated_at = ?, closed_at = ? WHERE ticket = ?",
                [status, now, now if closed else None, ticket],
            )
            self.add_history(ticket, status, note, now)

    def get(self, ticket: str) -> Report | None:
        """One tip, decrypted, with its history (None when unknown)."""
        cursor = self.db.execute("SELECT * FROM reports WHERE ticket = ?", [ticket])
        cols = [d[0] for d in cursor.description]
        row = cursor.fetchone()
        if row is None:
            return None
        rec = dict(zip(cols, row, strict=True))
        vault = self.require_vault()
        content = vault.open(rec.pop("payload"))
        history = [
            {"at": at, "status": st, "note": vault.open(note) if note else ""}
            for at, st, note in self.db.execute(
                "SELECT at, status, note FROM report_history WHERE ticket = ? ORDER BY id",
                [ticket],
            ).fetchall()
        ]
        return Report(**rec, **content, history=history)

    def tickets(self, status: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Tickets (newest first) with category, status and dates only: no decryption."""
        where, args = ("WHERE status = ?", [status]) if status else ("", [])
        rows = self.db.execute(
            "SELECT ticket, category, status, created_at, updated_at FROM reports "
            f"{where} ORDER BY created_at DESC, ticket LIMIT ?",  # noqa: S608
            [*args, limit],
        ).fetchall()
        keys = ("ticket", "category", "status", "created_at", "updated_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def counts(self) -> dict[str, int]:
        """Tips per status."""
        rows = self.db.execute("SELECT status, count(*) FROM reports GROUP BY status").fetchall()
        return {str(status): int(n) for status, n in rows}

    def purge(self, closed_before: str, quota_before: str, drafts_before: datetime) -> int:
        """Delete tips closed before `closed_before`, day counts before `quota_before` and
        drafts idle since `drafts_before`; vacuum when anything went. Returns tips deleted."""
        with atomic(self.db):
            old = "SELECT ticket FROM reports WHERE closed_at IS NOT NULL AND closed_at < ?"
            self.db.execute(f"DELETE FROM report_history WHERE ticket IN ({old})", [closed_before])
            tips = self.db.execute(
                "DELETE FROM reports WHERE closed_at IS NOT NULL AND closed_at < ?", [closed_before]
            ).rowcount
            quota = self.db.execute(
                "DELETE FROM report_quota WHERE day < ?", [quota_before]
            ).rowcount
        drafts = self.expire_drafts(drafts_before)
        if tips or quota or drafts:
            vacuum(self.db)  # so the deleted rows' bytes leave the file
        return tips


def count_by_status(db: sqlite_utils.Database) -> dict[str, int]:
    """Tips per status (for the statistics; no key needed)."""
    return TipStore(db, None).counts()
