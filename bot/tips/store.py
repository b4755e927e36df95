"""The tips' tables: drafts, filed tips, their history, receipts, daily counts and bans.

Every SQL statement on the tip tables is here. Contents are sealed with the vault before they
are written and opened only on request; reporters appear only as keyed hashes (`ref`).

Nothing links a filed tip to its reporter, nor two tips to each other: the draft (the one row
keyed by the reporter) is deleted in the transaction that files the tip; tips carry dates to the
day only; tips, day counts and receipts are stored in the order of their random keys (WITHOUT
ROWID), so the file's layout does not tell which rows were written together; the database
overwrites deleted rows (`secure_delete`, `bot.db`) and its write-ahead log is emptied after a
tip is filed.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from bot.db import MIGRATION_SET, atomic, checkpoint, now_iso, vacuum
from bot.tips.records import Draft, Report
from bot.tips.vault import ReportKeyError, Vault

migrations = Migrations(MIGRATION_SET)


@migrations()
def m003_reports(db: sqlite_utils.Database) -> None:
    """Confidential tips: every content column is a Fernet token; reporters are keyed hashes."""
    # One draft per reporter in progress, keyed by the stable keyed hash of the user id.
    db.table("report_drafts").create({"ref": str, "data": str, "updated_at": str}, pk="ref")
    db.table("reports").create(
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
    db.table("reports").create_index(["status"])
    db.table("report_history").create(
        {"id": int, "ticket": str, "at": str, "status": str, "note": str},  # note sealed
        pk="id",
        foreign_keys=[("ticket", "reports", "ticket")],
    )
    db.table("report_history").create_index(["ticket"])
    # Tips per reporter per day, by a keyed hash of (user id, day): unlinkable across days.
    db.table("report_quota").create({"ref": str, "day": str, "count": int}, pk="ref")
    db.table("report_bans").create({"ref": str, "at": str}, pk="ref")


@migrations()
def m007_tips_unlinkable(db: sqlite_utils.Database) -> None:
    """Dates of tips to the day; tips, day counts and receipts kept in key order (no rowid)."""
    day = "substr({0}, 1, 10)"
    db.executescript(
        f"""
        CREATE TABLE reports_new (ticket TEXT PRIMARY KEY, category TEXT, status TEXT,
            created_at TEXT, updated_at TEXT, closed_at TEXT, payload TEXT) WITHOUT ROWID;
        INSERT INTO reports_new SELECT ticket, category, status, {day.format("created_at")},
            {day.format("updated_at")}, {day.format("closed_at")}, payload FROM reports;
        CREATE TABLE report_history_new (id INTEGER PRIMARY KEY, ticket TEXT
            REFERENCES reports_new(ticket), at TEXT, status TEXT, note TEXT);
        INSERT INTO report_history_new SELECT id, ticket, {day.format("at")}, status, note
            FROM report_history;
        DROP TABLE report_history;
        DROP TABLE reports;
        ALTER TABLE reports_new RENAME TO reports;
        ALTER TABLE report_history_new RENAME TO report_history;
        CREATE INDEX idx_reports_status ON reports (status);
        CREATE INDEX idx_report_history_ticket ON report_history (ticket);
        CREATE TABLE report_quota_new (ref TEXT PRIMARY KEY, day TEXT, count INTEGER)
            WITHOUT ROWID;
        INSERT INTO report_quota_new SELECT ref, day, count FROM report_quota;
        DROP TABLE report_quota;
        ALTER TABLE report_quota_new RENAME TO report_quota;
        CREATE TABLE report_receipts (ref TEXT PRIMARY KEY, ticket TEXT, day TEXT)
            WITHOUT ROWID;
        """
    )


def day_of(moment: datetime | date) -> str:
    """The day a tip's dates are stored with (ISO, UTC)."""
    return moment.isoformat()[:10]


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

    def save_draft(self, ref: str, draft: Draft, touch: bool = True) -> None:
        """Seal and write the draft (one row per reporter); `touch` marks it active now."""
        sealed = self.require_vault().seal(asdict(draft))
        with atomic(self.db):
            if not touch:
                self.db.execute("UPDATE report_drafts SET data = ? WHERE ref = ?", [sealed, ref])
                return
            self.db.execute(
                "INSERT INTO report_drafts (ref, data, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(ref) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                [ref, sealed, now_iso()],
            )

    def drafts(self) -> list[tuple[str, Draft, datetime]]:
        """Every draft with its reference and when it was last active (for reminders)."""
        rows = self.db.execute("SELECT ref, data, updated_at FROM report_drafts").fetchall()
        vault = self.require_vault()
        return [(r, Draft(**vault.open(d)), datetime.fromisoformat(u)) for r, d, u in rows]

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
                "INSERT OR REPLACE INTO report_bans (ref, at) VALUES (?, ?)",
                [ref, day_of(datetime.now(UTC))],
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
        self,
        ticket: str,
        category: str,
        content: dict[str, Any],
        refs: tuple[str, str, str],
        today: date,
    ) -> None:
        """File a tip in one transaction: the tip and its first history line dated to the day,
        the day's count (older days' counts go), a receipt for a repeated Send, and the draft
        deleted. `refs` are the draft's, the day count's and the receipt's keyed hashes."""
        draft_ref, day_ref, receipt_ref = refs
        day = day_of(today)
        vault = self.require_vault()
        with atomic(self.db):
            self.db.execute(
                "INSERT INTO reports (ticket, category, status, created_at, updated_at, closed_at,"
                " payload) VALUES (?, ?, 'diterima', ?, ?, NULL, ?)",
                [ticket, category, day, day, vault.seal(content)],
            )
            self.add_history(ticket, "diterima", "", day)
            self.db.execute("DELETE FROM report_quota WHERE day < ?", [day])
            self.db.execute(
                "INSERT INTO report_quota (ref, day, count) VALUES (?, ?, 1) "
                "ON CONFLICT(ref) DO UPDATE SET count = count + 1",
                [day_ref, day],
            )
            self.db.execute(
                "INSERT OR REPLACE INTO report_receipts (ref, ticket, day) VALUES (?, ?, ?)",
                [receipt_ref, vault.seal(ticket), day],
            )
            self.db.execute("DELETE FROM report_drafts WHERE ref = ?", [draft_ref])
        # The log still holds the pages as they were before (the draft among them).
        checkpoint(self.db)

    def receipt(self, receipt_ref: str) -> str:
        """The ticket a Send button's code filed, or '' (none, or past its day)."""
        row = self.db.execute(
            "SELECT ticket FROM report_receipts WHERE ref = ?", [receipt_ref]
        ).fetchone()
        return self.require_vault().open(row[0]) if row else ""

    def add_history(self, ticket: str, status: str, note: str, at: str) -> None:
        """Append one status line (the note sealed) to a tip's history."""
        sealed = self.require_vault().seal(note) if note else ""
        self.db.execute(
            "INSERT INTO report_history (ticket, at, status, note) VALUES (?, ?, ?, ?)",
            [ticket, at, status, sealed],
        )

    def set_status(self, ticket: str, status: str, closed: bool, note: str) -> None:
        """Change a tip's status and append it, with the note, to the history (dated to the
        day, like every date of a tip)."""
        now = day_of(datetime.now(UTC))
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

    def purge(self, closed_before: str, today: str, drafts_before: datetime) -> int:
        """Delete tips closed before the day `closed_before` (with their history), day counts
        and receipts of days before `today`, and drafts idle since `drafts_before`; then vacuum
        so their bytes leave the file. Returns the number of tips deleted."""
        with atomic(self.db):
            old = "SELECT ticket FROM reports WHERE closed_at IS NOT NULL AND closed_at < ?"
            self.db.execute(f"DELETE FROM report_history WHERE ticket IN ({old})", [closed_before])
            tips = self.db.execute(
                "DELETE FROM reports WHERE closed_at IS NOT NULL AND closed_at < ?", [closed_before]
            ).rowcount
            quota = self.db.execute("DELETE FROM report_quota WHERE day < ?", [today]).rowcount
            receipts = self.db.execute(
                "DELETE FROM report_receipts WHERE day < ?", [today]
            ).rowcount
        drafts = self.expire_drafts(drafts_before)
        if tips or quota or receipts or drafts:
            vacuum(self.db)  # so the deleted rows' bytes leave the file
        return int(tips)


def count_by_status(db: sqlite_utils.Database) -> dict[str, int]:
    """Tips per status (for the statistics; no key needed)."""
    return TipStore(db, None).counts()
