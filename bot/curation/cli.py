"""`bot.py kb build | history | revert`: the admin side of the command line.

`kb build` never drops admin edits silently: when the files changed and the database holds admin
edits they lack, it names them and asks (or needs --force).
"""

from __future__ import annotations

import argparse
import sys

from bot.core import Core
from bot.curation.editor import CLI_ADMIN, AdminError
from bot.kb import store as kbstore
from bot.ui.times import local_time


def build(core: Core, args: argparse.Namespace) -> int:
    """Compile the files into the database, asking before dropping admin edits."""
    settings = core.settings
    try:
        rebuilt, kb = kbstore.sync(
            core.db, settings.knowledge_dir, force=args.force, local=settings.local_knowledge_dir
        )
    except kbstore.UnsavedEditsError as exc:
        print("The database holds admin edits the knowledge files do not:")
        for line in exc.differences:
            print(f"  - {line}")
        print("Keep them: python bot.py kb export --to knowledge/ (then review and commit).")
        if not sys.stdin.isatty():
            print("Drop them: python bot.py kb build --force", file=sys.stderr)
            return 1
        if input("Rebuild from the files and drop these edits? [y/N] ").strip().lower() != "y":
            print("nothing changed")
            return 1
        rebuilt, kb = kbstore.sync(
            core.db, settings.knowledge_dir, force=True, local=settings.local_knowledge_dir
        )
    state = "rebuilt" if rebuilt else "unchanged (content hash matches)"
    print(f"{state}: {len(kb.entries)} entries into {settings.database_path}")
    return 0


def history(core: Core, args: argparse.Namespace) -> int:
    """Print the audited changes, newest first."""
    changes = core.admin.editor.history(args.entry, limit=args.limit)
    for c in changes:
        undone = f"  (reverted by {c.reverted_by})" if c.reverted_by else ""
        who = "cli" if c.admin_id == CLI_ADMIN else c.admin_id
        at = local_time(c.at, core.settings.tz, "en")
        print(f"{c.id:5}  {at}  admin {who}  {c.action:14} {c.entry_id}{undone}")
    if not changes:
        print("no changes")
    return 0


def revert(core: Core, args: argparse.Namespace) -> int:
    """Undo one change (itself recorded as a change)."""
    try:
        change = core.admin.editor.revert(CLI_ADMIN, args.change)
    except AdminError as err:
        print(f"not reverted: {err}", file=sys.stderr)
        return 1
    print(f"change {args.change} reverted by change {change.id} ({change.entry_id})")
    print("A running bot picks this up on its next restart or admin edit.")
    return 0


def add_commands(kb_sub: argparse._SubParsersAction) -> None:
    """The `kb history` and `kb revert` subcommands."""
    hist = kb_sub.add_parser("history", help="audited admin changes, newest first")
    hist.add_argument("entry", nargs="?", help="only the changes of this entry id")
    hist.add_argument("--limit", type=int, default=50)
    rev = kb_sub.add_parser("revert", help="undo one admin change (itself audited)")
    rev.add_argument("change", type=int, help="the change number shown by kb history")


def run(core: Core, args: argparse.Namespace) -> int:
    """Dispatch `kb build`, `kb history`, `kb revert`."""
    return {"build": build, "history": history, "revert": revert}[args.kb_command](core, args)
