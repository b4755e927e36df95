"""Importing a knowledge-base file (the YAML or TSV of `kb export`): parse, preview, apply.

The file is the whole knowledge base: entries it lacks are removed (retired). Nothing is written
until the admin confirms the preview, and the confirmed plan is applied exactly as previewed,
refused if any entry changed in between (version check). A bad file changes nothing and its
problems name the row (TSV line, or YAML topic and entry number).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from bot import db
from bot.curation.editor import AdminError, Change, Edit, KbEditor, entry_state
from bot.kb import formats

PENDING = "admin_import"  # kv namespace: the plan awaiting each admin's confirmation


@dataclass
class ImportPlan:
    """What an import would do, and exactly the states it would write."""

    token: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)  # added + changed
    base: dict[str, int] = field(default_factory=dict)  # versions of changed + removed

    @property
    def empty(self) -> bool:
        """True when the file equals the live knowledge base."""
        return not (self.added or self.changed or self.removed)


def parse_file(name: str, data: bytes) -> list[dict[str, Any]]:
    """The entry states of an uploaded file (see `bot.kb.formats.parse_file`)."""
    try:
        return formats.parse_file(name, data)
    except formats.FormatError as exc:
        raise AdminError(exc.problems) from exc


def plan_import(editor: KbEditor, name: str, data: bytes) -> ImportPlan:
    """Validate a file as the whole knowledge base and work out what it would change."""
    states = parse_file(name, data)
    seen: dict[str, str] = {}
    problems = []
    for state in states:
        eid = str(state.get("id") or "")
        if eid in seen:
            problems.append(f"{state['where']}: duplicate id '{eid}' (also {seen[eid]})")
        seen[eid] = state["where"]
    if problems:
        raise AdminError(problems)
    live = editor.kb.entries
    plan = ImportPlan(token="")
    edits = []
    for state in states:
        eid = str(state.get("id") or "")
        current = live.get(eid)
        if current is None:
            plan.added.append(eid)
            edits.append(Edit(eid, "import_add", None, state))
        else:
            edits.append(Edit(eid, "import_change", current.version, state))
        plan.states[eid] = state
    edits += [
        Edit(eid, "import_remove", e.version, None) for eid, e in live.items() if eid not in seen
    ]
    kb = editor.validate(edits)  # names the row of every problem
    for eid, current in live.items():
        if eid not in seen:
            plan.removed.append(eid)
            plan.base[eid] = current.version
        elif entry_state(kb.entries[eid]) != entry_state(current):
            plan.changed.append(eid)
            plan.base[eid] = current.version
    plan.states = {
        eid: entry_state(kb.entries[eid]) for eid in plan.added + plan.changed
    }  # normalised, without `where`
    digest = hashlib.sha256(repr(sorted(asdict(plan).items())).encode()).hexdigest()
    plan.token = digest[:10]
    return plan


def save_pending(editor: KbEditor, admin_id: int, plan: ImportPlan) -> None:
    """Keep the plan until the admin confirms or cancels it."""
    db.kv_set(editor.db, PENDING, str(admin_id), asdict(plan))


def pending(editor: KbEditor, admin_id: int) -> ImportPlan | None:
    """The plan awaiting this admin's confirmation."""
    value = db.kv_get(editor.db, PENDING, str(admin_id))
    return None if value is None else ImportPlan(**value)


def cancel(editor: KbEditor, admin_id: int) -> None:
    """Forget the pending plan."""
    db.kv_set(editor.db, PENDING, str(admin_id), None)


def apply_import(editor: KbEditor, admin_id: int, token: str) -> tuple[ImportPlan, list[Change]]:
    """Apply the confirmed plan exactly as previewed (refused if anything changed since)."""
    plan = pending(editor, admin_id)
    if plan is None or plan.token != token:
        raise AdminError(["this preview is no longer pending; upload the file again"], "unknown")
    edits = [Edit(eid, "import_add", None, plan.states[eid]) for eid in plan.added]
    edits += [Edit(eid, "import_change", plan.base[eid], plan.states[eid]) for eid in plan.changed]
    edits += [Edit(eid, "import_remove", plan.base[eid], None) for eid in plan.removed]
    changes = editor.commit(admin_id, edits) if edits else []
    cancel(editor, admin_id)
    return plan, changes
