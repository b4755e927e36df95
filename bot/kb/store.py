"""The compiled knowledge base in SQLite: compiling the files, loading the live copy, syncing.

The reviewed files (read by `bot.kb.model`) are the source of truth; the database holds the
live copy that admins may edit. `sync` rebuilds only when the files' content hash changed and
never silently drops admin edits.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from bot.db import MIGRATION_SET, now_iso
from bot.kb import audit
from bot.kb.categories import ReportCategory
from bot.kb.model import (
    LANGS,
    Citation,
    Entry,
    KnowledgeBase,
    Source,
    SourceItem,
    Topic,
    content_hash,
    load_directory,
)

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_knowledge(db: sqlite_utils.Database) -> None:
    """The compiled knowledge base and its content hash."""
    db.table("kb_state").create({"key": str, "value": str}, pk="key")
    db.table("topics").create(
        {
            "id": str,
            "position": int,
            "title_id": str,
            "title_en": str,
            "description_id": str,
            "description_en": str,
        },
        pk="id",
    )
    db.table("sources").create(
        {
            "id": str,
            "kind": str,
            "short": str,
            "number": str,
            "title": str,
            "issuer": str,
            "date": str,
            "election": str,
            "origin": str,
        },
        pk="id",
    )
    db.table("source_items").create(
        {
            "source_id": str,
            "key": str,
            "position": int,
            "label_id": str,
            "label_en": str,
            "quoted": int,
            "text": str,
        },
        pk=("source_id", "key"),
    )
    db.table("entries").create(
        {
            "id": str,
            "topic": str,
            "position": int,
            "verdict": str,
            "title_id": str,
            "title_en": str,
            "answer_id": str,
            "answer_en": str,
            "sanction_id": str,
            "sanction_en": str,
            "citations": str,  # JSON list of {source, item}
            "related": str,  # JSON list of entry ids
            "retired": int,
            "version": int,
        },
        pk="id",
    )
    db.table("phrasings").create(
        {"id": int, "entry_id": str, "lang": str, "text": str, "origin": str}, pk="id"
    )
    db.table("phrasings").create_index(["entry_id"])


@migrations()
def m005_kb_source_validity(db: sqlite_utils.Database) -> None:
    """Where a source applies (a region's circular) and which later rule replaced it."""
    for column in ("region", "year", "superseded_by"):
        if column not in db.table("sources").columns_dict:  # idempotent: pre-release name
            db.table("sources").add_column(column, str, not_null_default="")


class UnsavedEditsError(RuntimeError):
    """Rebuilding from the files would drop admin edits; `differences` names each entry."""

    def __init__(self, differences: list[str]):
        self.differences = differences
        super().__init__(
            "the database holds admin edits the files do not: " + "; ".join(differences)
        )


def compile_into(db: sqlite_utils.Database, kb: KnowledgeBase) -> None:
    """Replace the compiled knowledge base in the database with `kb`, in one transaction."""
    with db.atomic():
        for table in ("topics", "sources", "source_items", "entries", "phrasings"):
            db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        db.table("topics").insert_all(
            {
                "id": t.id,
                "position": i,
                "title_id": t.title["id"],
                "title_en": t.title["en"],
                "description_id": t.description["id"],
                "description_en": t.description["en"],
            }
            for i, t in enumerate(kb.topics.values())
        )
        for s in kb.sources.values():
            db.table("sources").insert(
                {k: getattr(s, k) for k in ("id", "kind", "short", "number", "title", "issuer")}
                | {"date": s.date, "election": s.election, "origin": s.origin}
                | {"region": s.region, "year": s.year, "superseded_by": s.superseded_by}
            )
            db.table("source_items").insert_all(
                {
                    "source_id": s.id,
                    "key": it.key,
                    "position": i,
                    "label_id": it.label["id"],
                    "label_en": it.label["en"],
                    "quoted": int(it.quoted),
                    "text": it.text,
                }
                for i, it in enumerate(s.items.values())
            )
        for i, e in enumerate(kb.entries.values()):
            save_entry(db, e, position=i)
        db.table("kb_state").upsert({"key": "lexicon", "value": json.dumps(kb.lexicon)}, pk="key")
        db.table("kb_state").upsert({"key": "content_hash", "value": kb.content_hash}, pk="key")
        local = json.dumps(sorted(kb.local))
        db.table("kb_state").upsert({"key": "local_ids", "value": local}, pk="key")
        categories = json.dumps([asdict(c) for c in kb.report_categories.values()])
        db.table("kb_state").upsert({"key": "report_categories", "value": categories}, pk="key")
        db.table("kb_state").upsert({"key": "built_at", "value": now_iso()}, pk="key")
        # Admin changes up to here are in (or were overridden by) the files just compiled.
        mark = str(audit.last_kb_change_id(db))
        db.table("kb_state").upsert({"key": "admin_mark", "value": mark}, pk="key")


def save_entry(
    db: sqlite_utils.Database, e: Entry, position: int | None = None, origin: str = "file"
) -> None:
    """Write one entry and its phrasings (replacing any previous version)."""
    if position is None:
        row = db.execute("SELECT position FROM entries WHERE id = ?", [e.id]).fetchone()
        position = row[0] if row else db.execute("SELECT count(*) FROM entries").fetchone()[0]
    db.table("entries").upsert(
        {
            "id": e.id,
            "topic": e.topic,
            "position": position,
            "verdict": e.verdict,
            "title_id": e.title["id"],
            "title_en": e.title["en"],
            "answer_id": e.answer["id"],
            "answer_en": e.answer["en"],
            "sanction_id": (e.sanction or {}).get("id", ""),
            "sanction_en": (e.sanction or {}).get("en", ""),
            "citations": json.dumps([[c.source, c.item] for c in e.citations]),
            "related": json.dumps(e.related),
            "retired": 0,
            "version": e.version,
        },
        pk="id",
    )
    db.execute("DELETE FROM phrasings WHERE entry_id = ?", [e.id])
    db.table("phrasings").insert_all(
        {"entry_id": e.id, "lang": lang, "text": q, "origin": origin}
        for lang in LANGS
        for q in e.questions[lang]
    )


def stored_hash(db: sqlite_utils.Database) -> str | None:
    """The content hash of the files the database was last built from."""
    row = db.execute("SELECT value FROM kb_state WHERE key = 'content_hash'").fetchone()
    return row[0] if row else None


def load_from_db(db: sqlite_utils.Database) -> KnowledgeBase:
    """Read the live knowledge base (retired entries left out) from the database."""
    topics = {
        r["id"]: Topic(
            r["id"],
            {"id": r["title_id"], "en": r["title_en"]},
            {"id": r["description_id"], "en": r["description_en"]},
        )
        for r in db.table("topics").rows_where(order_by="position")
    }
    items: dict[str, dict[str, SourceItem]] = {}
    for r in db.table("source_items").rows_where(order_by="source_id, position"):
        items.setdefault(r["source_id"], {})[r["key"]] = SourceItem(
            r["key"], {"id": r["label_id"], "en": r["label_en"]}, bool(r["quoted"]), r["text"]
        )
    sources = {
        r["id"]: Source(**{k: r[k] for k in r if k != "items"}, items=items.get(r["id"], {}))
        for r in db.table("sources").rows
    }
    questions: dict[str, dict[str, list[str]]] = {}
    for r in db.table("phrasings").rows_where(order_by="id"):
        questions.setdefault(r["entry_id"], {"id": [], "en": []})[r["lang"]].append(r["text"])
    entries = {}
    for r in db.table("entries").rows_where("retired = 0", order_by="position"):
        entries[r["id"]] = Entry(
            id=r["id"],
            topic=r["topic"],
            verdict=r["verdict"],
            title={"id": r["title_id"], "en": r["title_en"]},
            questions=questions.get(r["id"], {"id": [], "en": []}),
            answer={"id": r["answer_id"], "en": r["answer_en"]},
            citations=[Citation(s, i) for s, i in json.loads(r["citations"])],
            sanction=(
                {"id": r["sanction_id"], "en": r["sanction_en"]} if r["sanction_id"] else None
            ),
            related=json.loads(r["related"]),
            version=r["version"],
        )
    lex_row = db.execute("SELECT value FROM kb_state WHERE key = 'lexicon'").fetchone()
    lexicon = json.loads(lex_row[0]) if lex_row else {}
    local_row = db.execute("SELECT value FROM kb_state WHERE key = 'local_ids'").fetchone()
    local = frozenset(json.loads(local_row[0])) if local_row else frozenset()
    cat_row = db.execute("SELECT value FROM kb_state WHERE key = 'report_categories'").fetchone()
    categories = {
        c["id"]: ReportCategory(c["id"], c["title"], tuple(c["topics"]), tuple(c["entries"]))
        for c in (json.loads(cat_row[0]) if cat_row else [])
    }
    return KnowledgeBase(
        topics, sources, entries, lexicon, stored_hash(db) or "", local, categories
    )


def sync(
    db: sqlite_utils.Database, directory: Path, force: bool = False, local: Path | None = None
) -> tuple[bool, KnowledgeBase]:
    """Rebuild the database from the files if they changed; return (rebuilt, live knowledge).

    `local` is the deployment's own knowledge directory, added to the shipped one.
    """
    current = content_hash(Path(directory), local)
    if not force and stored_hash(db) == current:
        return False, load_from_db(db)
    kb = load_directory(Path(directory), local)
    if not force and (differences := unsaved_admin_edits(db, kb)):
        raise UnsavedEditsError(differences)
    compile_into(db, kb)
    return True, load_from_db(db)


def unsaved_admin_edits(db: sqlite_utils.Database, files: KnowledgeBase) -> list[str]:
    """Entries admins changed since the last build whose live state the files do not hold.

    Each is named with what differs ("medsos-bagikan: answer, questions"), so a rebuild never
    drops an admin's edit silently: export them (`kb export --to knowledge/`) or force.
    """
    row = db.execute("SELECT value FROM kb_state WHERE key = 'admin_mark'").fetchone()
    touched = audit.kb_entries_changed_since(db, int(row[0]) if row else 0)
    if not touched:
        return []
    live = load_from_db(db).entries
    out = []
    for eid in sorted(touched):
        mine, theirs = live.get(eid), files.entries.get(eid)
        if mine is None and theirs is None:
            continue
        if mine is None or theirs is None:
            where = "retired in the database" if mine is None else "only in the database"
            out.append(f"{eid}: {where}")
            continue
        a, b = asdict(mine), asdict(theirs)
        fields = [k for k in a if k != "version" and a[k] != b[k]]
        if fields:
            out.append(f"{eid}: {', '.join(fields)}")
    return out


# -- single entries, for the admins' editor --------------------------------------------------------


def entry_row(db: sqlite_utils.Database, entry_id: str) -> dict[str, Any] | None:
    """The stored row of an entry (retired ones included), or None when the id is unused."""
    if not entry_id:
        return None
    rows = db.execute("SELECT * FROM entries WHERE id = ?", [entry_id])
    names = [d[0] for d in rows.description]
    row = rows.fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def entry_id_taken(db: sqlite_utils.Database, entry_id: str) -> bool:
    """True when an entry (live or retired) already uses this id."""
    return db.execute("SELECT 1 FROM entries WHERE id = ?", [entry_id]).fetchone() is not None


def retire_entry(db: sqlite_utils.Database, entry_id: str, version: int) -> None:
    """Take an entry out of the live knowledge base (the row stays, for the audit and revert)."""
    db.execute("UPDATE entries SET retired = 1, version = ? WHERE id = ?", [version, entry_id])
