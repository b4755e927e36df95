"""Importing a knowledge-base file (the YAML or TSV of `kb export`): parse, preview, apply.

The file is the whole knowledge base: entries it lacks are removed (retired). Nothing is written
until the admin confirms the preview, and the confirmed plan is applied exactly as previewed,
refused if any entry changed in between (version check). A bad file changes nothing and its
problems name the row (TSV line, or YAML topic and entry number).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

from bot import db
from bot.curation.editor import AdminError, Change, Edit, KbEditor, entry_state
from bot.kb.formats import LIST_SEP, TSV_COLUMNS

PENDING = "admin_import"  # kv namespace: the plan awaiting each admin's confirmation
MAX_BYTES = 2_000_000


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


def _split(cell: str, sep: str) -> list[str]:
    return [part.strip() for part in (cell or "").split(sep.strip()) if part.strip()]


def _bilingual(row: dict[str, str], name: str) -> dict[str, str]:
    return {"id": row.get(f"{name}_id", ""), "en": row.get(f"{name}_en", "")}


def parse_tsv(text: str) -> list[dict[str, Any]]:
    """Rows of an exported TSV as entry states, each with `where` naming its line."""
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    missing = [c for c in TSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise AdminError([f"line 1: missing columns {', '.join(missing)}"])
    states = []
    for row in reader:
        row = {k: (v or "").strip() for k, v in row.items() if k}
        citations = []
        for cite in _split(row["citations"], ";"):
            source, _, item = cite.partition("#")
            citations.append({"source": source.strip(), "item": item.strip()})
        state: dict[str, Any] = {
            "where": f"line {reader.line_num}",
            "topic": row["topic"],
            "id": row["id"],
            "verdict": row["verdict"],
            "title": _bilingual(row, "title"),
            "questions": {
                "id": _split(row["questions_id"], LIST_SEP),
                "en": _split(row["questions_en"], LIST_SEP),
            },
            "answer": _bilingual(row, "answer"),
            "citations": citations,
            "related": _split(row["related"], ","),
        }
        if row["sanction_id"] or row["sanction_en"]:
            state["sanction"] = _bilingual(row, "sanction")
        states.append(state)
    return states


def parse_yaml(text: str) -> list[dict[str, Any]]:
    """Entries of an exported YAML (a list of topic documents), each with `where`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AdminError([f"malformed YAML: {exc}".replace("\n", " ")]) from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise AdminError(["expected a list of topics, each with 'topic' and 'entries'"])
    states = []
    for i, doc in enumerate(data, 1):
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            raise AdminError([f"topic #{i}: expected 'topic' and a list of 'entries'"])
        topic = str(doc.get("topic", ""))
        for j, raw in enumerate(doc["entries"], 1):
            where = f"topic '{topic}' entry #{j}"
            if not isinstance(raw, dict):
                raise AdminError([f"{where}: an entry must be a mapping"])
            states.append({**raw, "topic": topic, "where": where})
    return states


def parse_file(name: str, data: bytes) -> list[dict[str, Any]]:
    """The entry states of an uploaded file, by its extension (.yaml/.yml or .tsv)."""
    if len(data) > MAX_BYTES:
        raise AdminError([f"the file is larger than {MAX_BYTES // 1_000_000} MB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AdminError(["the file is not UTF-8 text"]) from exc
    lower = name.lower()
    if lower.endswith(".tsv"):
        return parse_tsv(text)
    if lower.endswith((".yaml", ".yml")):
        return parse_yaml(text)
    raise AdminError(["only .yaml, .yml and .tsv files can be imported"])


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
