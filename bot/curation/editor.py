"""Admin edits of the knowledge base: validated like the files, versioned, audited, revertible.

Every change goes through `KbEditor.commit`: the would-be knowledge base is checked with the
same rules as `knowledge/` (`parse_entry`, `check_references`, no empty topic), then written in
one transaction with one audit row per entry, refusing any edit based on an older version of an
entry (so two admins cannot lose each other's change). The live matcher is reloaded at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils

from bot.answering import store as usage
from bot.answering.answers import Answers
from bot.curation import sense
from bot.kb import audit
from bot.kb import formats as kbio
from bot.kb import model as knowledge
from bot.kb import store as kbstore
from bot.kb.model import LANGS, Entry, KnowledgeBase

CLI_ADMIN = 0  # the admin id recorded for changes made from the command line


class AdminError(ValueError):
    """A change was refused; `problems` says why. `kind`: invalid, conflict or unknown."""

    def __init__(self, problems: list[str], kind: str = "invalid"):
        self.problems = problems
        self.kind = kind
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Change:
    """One audited change of one entry."""

    id: int
    at: str
    admin_id: int
    entry_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reverted_by: int | None = None


@dataclass(frozen=True)
class Edit:
    """One intended change: the entry's new state (None: retire) and the version it is based on.

    `expect` is the stored version the admin saw; None means the id must be new.
    """

    entry_id: str
    action: str
    expect: int | None
    after: dict[str, Any] | None
    asked: tuple[str, ...] = ()  # phrasings users really asked (review queue): any length


@dataclass(frozen=True)
class EntryStats:
    """How an entry is used: times answered, 👍 and 👎."""

    answered: int
    up: int
    down: int


def entry_state(entry: Entry) -> dict[str, Any]:
    """An entry as the audit trail stores it: its topic plus the file shape."""
    return {"topic": entry.topic, **kbio.entry_to_dict(entry)}


def _change(row: dict[str, Any]) -> Change:
    return Change(
        id=row["id"],
        at=row["at"],
        admin_id=row["admin_id"],
        entry_id=row["entry_id"],
        action=row["action"],
        before=json.loads(row["before"]) if row["before"] else None,
        after=json.loads(row["after"]) if row["after"] else None,
        reverted_by=row["reverted_by"],
    )


class KbEditor:
    """The knowledge-base editing use cases over one database and the live answering core."""

    def __init__(self, db: sqlite_utils.Database, answers: Answers):
        self.db = db
        self.answers = answers

    @property
    def kb(self) -> KnowledgeBase:
        """The live knowledge base."""
        return self.answers.kb

    # -- reading ---------------------------------------------------------------------------------

    def find(self, query: str, limit: int = 8) -> list[Entry]:
        """Entries matching an id (exact or part) or words of a question, best first."""
        q = " ".join(query.split()).lower()
        if not q:
            return []
        if q in self.kb.entries:
            return [self.kb.entries[q]]
        found = [
            e
            for e in self.kb.entries.values()
            if q in e.id or q in e.title["id"].lower() or q in e.title["en"].lower()
        ]
        match = self.answers.matcher.match(q, top=limit)
        found += [self.kb.entries[c.entry_id] for c in match.candidates if c.score > 0]
        unique = {e.id: e for e in found}
        return list(unique.values())[:limit]

    def stats(self, entry_id: str) -> EntryStats:
        """Times answered and 👍/👎 of one entry."""
        return EntryStats(*usage.entry_usage(self.db, entry_id))

    def history(self, entry_id: str | None = None, limit: int = 50) -> list[Change]:
        """Audited changes, newest first."""
        return [_change(r) for r in audit.kb_changes(self.db, entry_id, limit)]

    def change(self, change_id: int) -> Change | None:
        """One audited change by id."""
        row = audit.kb_change(self.db, change_id) if change_id > 0 else None
        return None if row is None else _change(row)

    def live(self, entry_id: str) -> Entry:
        """The live entry with this id; AdminError (kind unknown) when there is none."""
        entry = self.kb.entries.get(entry_id)
        if entry is None:
            raise AdminError([f"entry '{entry_id}' does not exist"], kind="unknown")
        return entry

    # -- the editing use cases -------------------------------------------------------------------

    def add_phrasing(
        self, admin_id: int, entry_id: str, lang: str, text: str, version: int, asked: bool = False
    ) -> Change:
        """Add one way of asking (in `lang`) to an entry; `asked`: a question users asked."""
        state = entry_state(self.live(entry_id))
        text = " ".join(text.split())
        state["questions"][lang if lang in LANGS else "id"].append(text)
        edit = Edit(entry_id, "add_phrasing", version, state, asked=(text,) if asked else ())
        return self.commit(admin_id, [edit])[0]

    def set_answer(
        self, admin_id: int, entry_id: str, lang: str, text: str, version: int
    ) -> Change:
        """Replace an entry's answer in one language."""
        state = entry_state(self.live(entry_id))
        state["answer"][lang if lang in LANGS else "id"] = text.strip()
        return self.commit(admin_id, [Edit(entry_id, "edit_answer", version, state)])[0]

    def set_verdict(self, admin_id: int, entry_id: str, verdict: str, version: int) -> Change:
        """Change an entry's verdict."""
        state = entry_state(self.live(entry_id))
        state["verdict"] = verdict
        return self.commit(admin_id, [Edit(entry_id, "set_verdict", version, state)])[0]

    def retire(self, admin_id: int, entry_id: str, version: int) -> Change:
        """Take an entry out of the live knowledge base (kept in the database and the audit).

        Other entries listing it as related lose that link, each as its own audited change.
        """
        self.live(entry_id)
        edits = [Edit(entry_id, "retire", version, None)]
        for other in self.kb.entries.values():
            if entry_id in other.related and other.id != entry_id:
                state = entry_state(other)
                state["related"] = [r for r in other.related if r != entry_id]
                edits.append(Edit(other.id, "unlink", other.version, state))
        return self.commit(admin_id, edits)[0]

    def create(self, admin_id: int, state: dict[str, Any], asked: tuple[str, ...] = ()) -> Change:
        """Add a new entry (`state`: the file shape plus 'topic'); `asked`: phrasings users
        really asked (from the review queue)."""
        edit = Edit(str(state.get("id", "")), "create", None, state, asked=tuple(asked))
        return self.commit(admin_id, [edit])[0]

    def revert(self, admin_id: int, change_id: int) -> Change:
        """Undo one change: the entry goes back to its state before it. Audited itself."""
        old = self.change(change_id)
        if old is None:
            raise AdminError([f"change {change_id} does not exist"], kind="unknown")
        if old.reverted_by:
            raise AdminError([f"change {change_id} was already reverted (by {old.reverted_by})"])
        current = kbstore.load_from_db(self.db).entries.get(old.entry_id)
        if (entry_state(current) if current else None) != old.after:
            raise AdminError(
                [
                    f"entry '{old.entry_id}' changed after change {change_id}; "
                    "revert the later changes first"
                ],
                kind="conflict",
            )
        row = kbstore.entry_row(self.db, old.entry_id)
        edit = Edit(old.entry_id, "revert", row["version"] if row else None, old.before)
        change = self.commit(admin_id, [edit], reverting=change_id)[0]
        return change

    # -- the one write path ----------------------------------------------------------------------

    def validate(self, edits: list[Edit]) -> KnowledgeBase:
        """The knowledge base as it would be after `edits`; AdminError if it breaks a rule."""
        problems: list[str] = []
        entries = dict(kbstore.load_from_db(self.db).entries)
        current = dict(entries)
        where: dict[str, str] = {}
        for edit in edits:
            if edit.after is None:
                entries.pop(edit.entry_id, None)
                continue
            name = str(edit.after.get("where") or "")
            topic = str(edit.after.get("topic") or "")
            entry = knowledge.parse_entry(edit.after, topic, name or "change", problems)
            if entry is not None:
                if edit.action != "revert":  # restoring a past state writes nothing new
                    before = current.get(entry.id)
                    problems += sense.problems(entry, before, name or "change", edit.asked)
                entries[entry.id] = entry
                if name:
                    where[entry.id] = name
        kb = replace(self.kb, entries=entries)
        knowledge.check_references(kb, problems, where)
        for topic in kb.topics:
            if not kb.entries_of(topic):
                problems.append(f"topic '{topic}': would have no entries")
        if problems:
            raise AdminError(problems)
        return kb

    def commit(
        self, admin_id: int, edits: list[Edit], reverting: int | None = None
    ) -> list[Change]:
        """Validate, then write every edit with its audit row in one transaction, then reload."""
        kb = self.validate(edits)
        changes: list[Change] = []
        with self.db.atomic():
            stored = kbstore.load_from_db(self.db).entries
            for edit in edits:
                changes.append(self._write(admin_id, edit, kb, stored))
            if reverting is not None:
                audit.mark_reverted(self.db, reverting, by=changes[0].id)
        self.answers.reload(kbstore.load_from_db(self.db))
        return changes

    def _write(
        self, admin_id: int, edit: Edit, kb: KnowledgeBase, stored: dict[str, Entry]
    ) -> Change:
        row = kbstore.entry_row(self.db, edit.entry_id)
        if edit.expect is None and row is not None:
            raise AdminError([f"the id '{edit.entry_id}' is already used"], kind="conflict")
        if edit.expect is not None and (row is None or row["version"] != edit.expect):
            now = row["version"] if row else "none"
            raise AdminError(
                [
                    f"entry '{edit.entry_id}' was changed by someone else "
                    f"(version {edit.expect} → {now}); open it again"
                ],
                kind="conflict",
            )
        before = entry_state(stored[edit.entry_id]) if edit.entry_id in stored else None
        version = (row["version"] if row else 0) + 1
        if edit.after is None:
            kbstore.retire_entry(self.db, edit.entry_id, version)
            after = None
        else:
            entry = replace(kb.entries[edit.entry_id], version=version)
            kbstore.save_entry(self.db, entry, origin="admin")
            after = entry_state(entry)
        change_id = audit.record_kb_change(
            self.db,
            admin_id=admin_id,
            entry_id=edit.entry_id,
            action=edit.action,
            before=before,
            after=after,
        )
        return self.change(change_id)  # type: ignore[return-value]
