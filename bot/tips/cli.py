"""`python bot.py reports keygen|list|show|export|purge`: each command calls one core function."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from bot.core import Core
from bot.tips.records import STATUSES, normalize_ticket
from bot.tips.vault import ReportKeyError, generate_key
from bot.ui.times import local_time


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run one `reports` subcommand; a missing or malformed key is a clear error (exit 2)."""
    if args.reports_command == "keygen":
        print("A fresh key for tips. Put it in .env as REPORT_ENCRYPTION_KEY=<key> and keep a")
        print("copy somewhere safe: without it the stored tips can never be read again.")
        print(generate_key())
        return 0
    core = Core.open(settings)
    reports = core.reports

    def when(value: str | None) -> str:
        return local_time(value, settings.tz, "en")

    try:
        if args.reports_command == "list":
            if args.status and args.status not in STATUSES:
                print(f"unknown status {args.status!r}; one of: {', '.join(STATUSES)}")
                return 2
            for t in reports.desk.tickets(args.status):
                print(f"{t['ticket']}  {t['status']:18} {t['category']:22} {when(t['created_at'])}")
            return 0
        if args.reports_command == "show":
            reports.require_vault()
            report = reports.get(normalize_ticket(args.ticket))
            if report is None:
                print(f"no tip {args.ticket}", file=sys.stderr)
                return 1
            for name in ("ticket", "category", "status"):
                print(f"{name}: {getattr(report, name) or '-'}")
            for name in ("created_at", "updated_at", "closed_at"):
                print(f"{name}: {when(getattr(report, name))}")
            for name in ("what", "who", "where", "when", "contact"):
                print(f"{name}: {getattr(report, name) or '-'}")
            for e in report.evidence:
                print(f"evidence: {e['kind']} {e['file_id']}")
            for h in report.history:
                note = f": {h['note']}" if h["note"] else ""
                print(f"history: {when(h['at'])} {h['status']}{note}")
            return 0
        if args.reports_command == "export":
            reports.require_vault()
            if args.out:
                with open(args.out, "w", newline="", encoding="utf-8") as out:
                    n = reports.desk.export_csv(out)
                print(f"{n} tips written to {args.out}", file=sys.stderr)
            else:
                reports.desk.export_csv(sys.stdout)
            return 0
        if args.reports_command == "purge":
            n = reports.desk.purge()
            print(f"{n} closed tips older than {settings.report_retention_days} days deleted")
            return 0
    except ReportKeyError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    return 2
