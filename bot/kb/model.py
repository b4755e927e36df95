"""The knowledge base: its model, and reading and validating the reviewed files of `knowledge/`.

The files are the source of truth; `bot.kb.store` compiles them into SQLite, where the live
copy (which admins may edit) is kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGS = ("id", "en")
VERDICTS = ("boleh", "dilarang", "abu-abu", "wajib", "info")
MIN_QUESTIONS = {"id": 8, "en": 3}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


class KnowledgeError(ValueError):
    """The knowledge files are invalid; `problems` lists each one with its file and entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class SourceItem:
    """One article, item or paragraph of a source that answers may cite and quote."""

    key: str
    label: dict[str, str]
    quoted: bool
    text: str


@dataclass(frozen=True)
class Source:
    """A circular, decree, law, statement or reporting channel."""

    id: str
    kind: str
    short: str
    number: str
    title: str
    issuer: str
    date: str
    election: str
    origin: str
    items: dict[str, SourceItem]


@dataclass(frozen=True)
class Citation:
    """A reference from an entry to one item of one source."""

    source: str
    item: str


@dataclass(frozen=True)
class Topic:
    """One of the 24 topics users browse."""

    id: str
    title: dict[str, str]
    description: dict[str, str]


@dataclass
class Entry:
    """One answer with the ways users ask for it."""

    id: str
    topic: str
    verdict: str
    title: dict[str, str]
    questions: dict[str, list[str]]
    answer: dict[str, str]
    citations: list[Citation]
    sanction: dict[str, str] | None = None
    related: list[str] = field(default_factory=list)
    version: int = 1


@dataclass
class KnowledgeBase:
    """Everything the bot knows, in memory."""

    topics: dict[str, Topic]
    sources: dict[str, Source]
    entries: dict[str, Entry]
    lexicon: dict[str, Any]  # slang map, stopwords, language markers (knowledge/slang.yaml)
    content_hash: str = ""

    def entries_of(self, topic: str) -> list[Entry]:
        """Entries of one topic, in file order."""
        return [e for e in self.entries.values() if e.topic == topic]


# -- reading the files ---------------------------------------------------------------------------


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        # libyaml's parser when installed: the same data, ten times faster than pure Python.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        problems.append(f"{path.name}: malformed YAML: {exc}".replace("\n", " "))
    except OSError as exc:
        problems.append(f"{path.name}: cannot read: {exc}")
    return None


def _bilingual(value: Any, where: str, name: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(value.get(lang), str) and value.get(lang, "").strip() for lang in LANGS
    ):
        problems.append(f"{where}: field '{name}' needs non-empty 'id' and 'en' texts")
        return {lang: "" for lang in LANGS}
    return {lang: " ".join(value[lang].split()) for lang in LANGS}


def _read_lexicon(path: Path, problems: list[str]) -> dict[str, Any]:
    data = _read_yaml(path, problems) or {}
    if not isinstance(data, dict) or not isinstance(data.get("slang"), dict):
        problems.append(f"{path.name}: expected a 'slang' mapping")
        return {"slang": {}, "phrases": {}, "stopwords": [], "english": [], "indonesian": []}
    return {
        "slang": {str(k).lower(): str(v or "").lower() for k, v in data["slang"].items()},
        "phrases": {
            str(k).lower(): str(v or "").lower() for k, v in (data.get("phrases") or {}).items()
        },
        "stopwords": [str(w).lower() for w in data.get("stopwords") or []],
        "nostem": [str(w).lower() for w in data.get("nostem") or []],
        "domain": [str(w).lower() for w in data.get("domain") or []],
        "english": [str(w).lower() for w in data.get("english") or []],
        "indonesian": [str(w).lower() for w in data.get("indonesian") or []],
    }


def knowledge_files(directory: Path) -> list[Path]:
    """Every file that makes up the knowledge base, in a stable order."""
    files = [directory / "topics.yaml", directory / "slang.yaml"]
    files += sorted((directory / "sources").glob("*.yaml"))
    files += sorted((directory / "entries").glob("*.yaml"))
    return files


def content_hash(directory: Path) -> str:
    """SHA-256 over the names and bytes of every knowledge file."""
    digest = hashlib.sha256()
    for path in knowledge_files(directory):
        if path.is_file():
            digest.update(path.relative_to(directory).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _load_source(path: Path, data: Any, problems: list[str]) -> Source | None:
    if not isinstance(data, dict):
        problems.append(f"sources/{path.name}: expected a mapping with id, short, items")
        return None
    sid = str(data.get("id", ""))
    where = f"sources/{path.name} source '{sid}'"
    for name in ("id", "kind", "short", "title", "origin"):
        if not str(data.get(name) or "").strip():
            problems.append(f"{where}: missing field '{name}'")
    items: dict[str, SourceItem] = {}
    for raw in data.get("items") or []:
        key = str((raw or {}).get("key", ""))
        if not key:
            problems.append(f"{where}: an item has no 'key'")
            continue
        if key in items:
            problems.append(f"{where}: duplicate item '{key}'")
        text = str(raw.get("text") or "").strip()
        if not text:
            problems.append(f"{where} item '{key}': missing field 'text'")
        label = _bilingual(raw.get("label"), f"{where} item '{key}'", "label", problems)
        items[key] = SourceItem(key, label, bool(raw.get("quoted")), " ".join(text.split()))
    return Source(
        id=sid,
        kind=str(data.get("kind", "")),
        short=str(data.get("short", "")),
        number=str(data.get("number") or ""),
        title=str(data.get("title", "")),
        issuer=str(data.get("issuer") or ""),
        date=str(data.get("date") or ""),
        election=str(data.get("election") or ""),
        origin=str(data.get("origin", "")),
        items=items,
    )


def parse_entry(raw: Any, topic: str, where: str, problems: list[str]) -> Entry | None:
    """Turn one entry mapping into an Entry, appending what is wrong with it to `problems`."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: an entry must be a mapping")
        return None
    eid = str(raw.get("id") or "")
    where = f"{where} entry '{eid}'"
    if not ID_PATTERN.match(eid):
        problems.append(f"{where}: missing or malformed field 'id'")
    verdict = str(raw.get("verdict") or "")
    if verdict not in VERDICTS:
        problems.append(f"{where}: verdict '{verdict}' is not one of {', '.join(VERDICTS)}")
    questions: dict[str, list[str]] = {}
    raw_q: dict[str, Any] = raw["questions"] if isinstance(raw.get("questions"), dict) else {}
    for lang in LANGS:
        texts = [" ".join(str(q).split()) for q in (raw_q.get(lang) or []) if str(q).strip()]
        if len(texts) < MIN_QUESTIONS[lang]:
            problems.append(
                f"{where}: needs at least {MIN_QUESTIONS[lang]} '{lang}' questions, "
                f"has {len(texts)}"
            )
        questions[lang] = texts
    citations = []
    for cite in raw.get("citations") or []:
        if not isinstance(cite, dict) or not cite.get("source") or not cite.get("item"):
            problems.append(f"{where}: a citation needs 'source' and 'item'")
            continue
        citations.append(Citation(str(cite["source"]), str(cite["item"])))
    if not citations:
        problems.append(f"{where}: missing field 'citations'")
    sanction = raw.get("sanction")
    return Entry(
        id=eid,
        topic=topic,
        verdict=verdict,
        title=_bilingual(raw.get("title"), where, "title", problems),
        questions=questions,
        answer=_bilingual(raw.get("answer"), where, "answer", problems),
        citations=citations,
        sanction=_bilingual(sanction, where, "sanction", problems) if sanction else None,
        related=[str(r) for r in raw.get("related") or []],
    )


def check_references(kb: KnowledgeBase, problems: list[str], where: dict[str, str]) -> None:
    """Cross-entry checks: topics, citations, related ids and duplicate phrasings."""
    seen: dict[str, str] = {}
    for entry in kb.entries.values():
        place = f"{where.get(entry.id, 'entries')} entry '{entry.id}'"
        if entry.topic not in kb.topics:
            problems.append(f"{place}: unknown topic '{entry.topic}'")
        for cite in entry.citations:
            source = kb.sources.get(cite.source)
            if source is None:
                problems.append(f"{place}: citation to unknown source '{cite.source}'")
            elif cite.item not in source.items:
                problems.append(
                    f"{place}: citation to unknown item '{cite.item}' of source '{cite.source}'"
                )
        for rel in entry.related:
            if rel not in kb.entries or rel == entry.id:
                problems.append(f"{place}: related entry '{rel}' does not exist")
        for lang in LANGS:
            for q in entry.questions.get(lang, []):
                key = q.casefold()
                if key in seen:
                    problems.append(
                        f"{place}: duplicate phrasing {q!r} (also in entry '{seen[key]}')"
                    )
                seen[key] = entry.id


def load_directory(directory: Path) -> KnowledgeBase:
    """Read and validate every knowledge file; raise KnowledgeError listing all problems."""
    directory = Path(directory)
    problems: list[str] = []
    topics: dict[str, Topic] = {}
    for raw in _read_yaml(directory / "topics.yaml", problems) or []:
        tid = str(raw.get("id", ""))
        topics[tid] = Topic(
            tid,
            _bilingual(raw.get("title"), f"topics.yaml topic '{tid}'", "title", problems),
            _bilingual(
                raw.get("description"), f"topics.yaml topic '{tid}'", "description", problems
            ),
        )
    lexicon = _read_lexicon(directory / "slang.yaml", problems)

    sources: dict[str, Source] = {}
    for path in sorted((directory / "sources").glob("*.yaml")):
        source = _load_source(path, _read_yaml(path, problems), problems)
        if source is None:
            continue
        if source.id in sources:
            problems.append(f"sources/{path.name}: duplicate source id '{source.id}'")
        sources[source.id] = source

    entries: dict[str, Entry] = {}
    where: dict[str, str] = {}
    for path in sorted((directory / "entries").glob("*.yaml")):
        data = _read_yaml(path, problems)
        if data is None:
            continue
        name = f"entries/{path.name}"
        if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
            problems.append(f"{name}: expected 'topic' and a list of 'entries'")
            continue
        topic = str(data.get("topic", ""))
        for raw in data["entries"]:
            entry = parse_entry(raw, topic, name, problems)
            if entry is None:
                continue
            if entry.id in entries:
                problems.append(
                    f"{name} entry '{entry.id}': duplicate id (also in {where[entry.id]})"
                )
                continue
            entries[entry.id] = entry
            where[entry.id] = name

    kb = KnowledgeBase(topics, sources, entries, lexicon, content_hash(directory))
    check_references(kb, problems, where)
    for topic in topics:
        if not kb.entries_of(topic):
            problems.append(f"topics.yaml topic '{topic}': has no entries")
    if problems:
        raise KnowledgeError(problems)
    return kb
