"""The knowledge base: reading and validating the reviewed files of `knowledge/` into its records.

The files are the source of truth; `bot.kb.store` compiles them into SQLite, where the live
copy (which admins may edit) is kept.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from bot.kb import categories as report
from bot.kb import citing
from bot.kb.ids import MAX_ENTRY_ID, MAX_TOPIC_ID, id_problem

# The records live in `bot.kb.records`; callers import them from here, with the reading.
from bot.kb.records import (
    LANGS,
    LOCAL_LABEL,
    MAX_ITEM_CHARS,
    MIN_QUESTIONS,
    VERDICTS,
    Citation,
    Entry,
    KnowledgeBase,
    KnowledgeError,
    Source,
    SourceItem,
    Topic,
)

__all__ = [
    "LANGS",
    "LOCAL_LABEL",
    "MAX_ENTRY_ID",
    "MAX_ITEM_CHARS",
    "MAX_TOPIC_ID",
    "MIN_QUESTIONS",
    "VERDICTS",
    "Citation",
    "Entry",
    "KnowledgeBase",
    "KnowledgeError",
    "Source",
    "SourceItem",
    "Topic",
    "check_references",
    "content_hash",
    "knowledge_files",
    "load_directory",
    "parse_entry",
]


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
    if extra := sorted(str(k) for k in value if k not in LANGS):
        # Typically a comma inside an unquoted flow mapping ({id: a, b}) cut the text.
        problems.append(f"{where}: field '{name}' has unexpected keys {extra}: quote the text")
    return {lang: " ".join(value[lang].split()) for lang in LANGS}


def _check_sentence(texts: dict[str, str], where: str, problems: list[str]) -> None:
    """A topic description is shown alone under its title: it must be a whole sentence."""
    for lang, text in texts.items():
        if text and (len(text.split()) < 3 or not text[0].isupper() or text[-1] not in ".!?"):
            problems.append(f"{where}: '{lang}' description {text!r} is not a full sentence")


_LEXICON_MAPPINGS = ("slang", "english_glosses", "phrases")
_LEXICON_LISTS = ("stopwords", "nostem", "domain", "english", "indonesian")


def _read_lexicon(path: Path, problems: list[str]) -> dict[str, Any]:
    data = _read_yaml(path, problems) or {}
    if not isinstance(data, dict) or not isinstance(data.get("slang"), dict):
        problems.append(f"{path.name}: expected a 'slang' mapping")
        return {"slang": {}, "phrases": {}, "stopwords": [], "english": [], "indonesian": []}

    def word(value: Any, section: str) -> str:
        # YAML reads a bare on, off, yes or no as a boolean: "on" would silently become the
        # word "true" (a number turns back into its digits, so it may stay bare).
        if isinstance(value, bool):
            problems.append(f"{path.name}: {section}: {value!r} is not a word: quote it")
        return str(value).lower()

    lexicon: dict[str, Any] = {
        section: {
            word(k, section): "" if v is None else word(v, section)
            for k, v in (data.get(section) or {}).items()
        }
        for section in _LEXICON_MAPPINGS
    }
    lexicon.update(
        {section: [word(w, section) for w in data.get(section) or []] for section in _LEXICON_LISTS}
    )
    for both in sorted(lexicon["english_glosses"].keys() & lexicon["slang"].keys()):
        problems.append(f"{path.name}: '{both}' is both slang and an English gloss: keep one")
    return lexicon


def knowledge_files(directory: Path) -> list[Path]:
    """Every file that makes up the knowledge base, in a stable order."""
    files = [directory / "topics.yaml", directory / "slang.yaml", directory / report.FILE]
    files += sorted((directory / "sources").glob("*.yaml"))
    files += sorted((directory / "entries").glob("*.yaml"))
    return files


def content_hash(directory: Path, local: Path | None = None) -> str:
    """SHA-256 over the names and bytes of every knowledge file (shipped, then local)."""
    digest = hashlib.sha256()
    for base, prefix in ((Path(directory), ""), (local, f"{LOCAL_LABEL}/")):
        if base is None:
            continue
        for path in knowledge_files(Path(base)):
            if path.is_file():
                digest.update((prefix + path.relative_to(base).as_posix()).encode())
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
    if sid and (problem := id_problem(sid)):
        problems.append(f"{where}: {problem}")
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
        elif len(text) > MAX_ITEM_CHARS:
            problems.append(
                f"{where} item '{key}': text of {len(text)} characters is longer than "
                f"{MAX_ITEM_CHARS}; split it into several items"
            )
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
        region=str(data.get("region") or ""),
        year=str(data.get("year") or ""),
        superseded_by=str(data.get("superseded_by") or ""),
    )


def parse_entry(raw: Any, topic: str, where: str, problems: list[str]) -> Entry | None:
    """Turn one entry mapping into an Entry, appending what is wrong with it to `problems`."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: an entry must be a mapping")
        return None
    eid = str(raw.get("id") or "")
    where = f"{where} entry '{eid}'"
    if problem := id_problem(eid, MAX_ENTRY_ID):
        problems.append(f"{where}: {problem}")
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
    for source in kb.sources.values():
        place = f"source '{source.id}'"
        if source.superseded_by and source.superseded_by not in kb.sources:
            problems.append(f"{place}: superseded_by '{source.superseded_by}' is not a source")
        if source.region and (not source.year or source.year not in source.short):
            problems.append(f"{place}: a regional source needs a 'year' shown in its 'short'")
    seen: dict[str, str] = {}
    for entry in kb.entries.values():
        place = f"{where.get(entry.id, 'entries')} entry '{entry.id}'"
        if entry.topic not in kb.topics:
            problems.append(f"{place}: unknown topic '{entry.topic}'")
        for cite in entry.citations:
            cited = kb.sources.get(cite.source)
            if cited is None:
                problems.append(f"{place}: citation to unknown source '{cite.source}'")
            elif cite.item not in cited.items:
                problems.append(
                    f"{place}: citation to unknown item '{cite.item}' of source '{cite.source}'"
                )
        regional = [bool(s.region) for c in entry.citations if (s := kb.sources.get(c.source))]
        if regional != sorted(regional):
            problems.append(f"{place}: cite national rules before regional circulars")
        if problem := citing.shown_reference_problem(entry.verdict, kb.sources_of(entry)):
            problems.append(f"{place}: {problem}")
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
    report.check_categories(kb.report_categories, kb.topics, kb.entries, problems)


def _read_topics(path: Path, label: str, problems: list[str]) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for raw in _read_yaml(path, problems) or []:
        raw = raw if isinstance(raw, dict) else {}
        tid = str(raw.get("id", ""))
        where = f"{label}topics.yaml topic '{tid}'"
        if problem := id_problem(tid, MAX_TOPIC_ID):
            problems.append(f"{where}: {problem}")
        description = _bilingual(raw.get("description"), where, "description", problems)
        _check_sentence(description, where, problems)
        topics[tid] = Topic(
            tid, _bilingual(raw.get("title"), where, "title", problems), description
        )
    return topics


def _read_parts(
    directory: Path, label: str, kb: KnowledgeBase, where: dict[str, str], problems: list[str]
) -> None:
    """Add the sources and entries of one directory to `kb`; a clash of ids is a problem."""
    for path in sorted((directory / "sources").glob("*.yaml")):
        source = _load_source(path, _read_yaml(path, problems), problems)
        if source is None:
            continue
        if source.id in kb.sources:
            problems.append(
                f"{label}sources/{path.name}: duplicate source id '{source.id}' (already used "
                f"in {where.get('source:' + source.id, 'another file')}); choose another id"
            )
            continue
        kb.sources[source.id] = source
        where["source:" + source.id] = f"{label}sources/{path.name}"
    for path in sorted((directory / "entries").glob("*.yaml")):
        data = _read_yaml(path, problems)
        if data is None:
            continue
        name = f"{label}entries/{path.name}"
        if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
            problems.append(f"{name}: expected 'topic' and a list of 'entries'")
            continue
        topic = str(data.get("topic", ""))
        for raw in data["entries"]:
            entry = parse_entry(raw, topic, name, problems)
            if entry is None:
                continue
            if entry.id in kb.entries:
                problems.append(
                    f"{name} entry '{entry.id}': duplicate id (already used in "
                    f"{where[entry.id]}); choose another id"
                )
                continue
            kb.entries[entry.id] = entry
            where[entry.id] = name


def load_directory(directory: Path, local: Path | None = None) -> KnowledgeBase:
    """Read and validate every knowledge file; raise KnowledgeError listing all problems.

    `local` is a deployment's own directory (a regency's circulars and entries), laid out like
    `knowledge/` (`topics.yaml` optional, `sources/`, `entries/`; no `slang.yaml`): its topics,
    sources and entries are added to the shipped ones under the same rules, and an id that is
    already shipped is refused rather than silently overriding reviewed content.
    """
    directory = Path(directory)
    problems: list[str] = []
    topics = _read_topics(directory / "topics.yaml", "", problems)
    lexicon = _read_lexicon(directory / "slang.yaml", problems)
    kb = KnowledgeBase(topics, {}, {}, lexicon, content_hash(directory, local))
    kb.report_categories = report.read_categories(directory / report.FILE, "", problems)
    where: dict[str, str] = {}
    _read_parts(directory, "", kb, where, problems)
    if local is not None:
        local = Path(local)
        label = f"{LOCAL_LABEL}/"
        if not local.is_dir():
            problems.append(f"{LOCAL_LABEL}: the knowledge directory {local} does not exist")
        elif (local / "topics.yaml").is_file():
            for tid, local_topic in _read_topics(local / "topics.yaml", label, problems).items():
                if tid in kb.topics:
                    problems.append(
                        f"{label}topics.yaml topic '{tid}': duplicate topic id (already used "
                        "in topics.yaml); choose another id"
                    )
                    continue
                kb.topics[tid] = local_topic
        if (local / report.FILE).is_file():
            for cid, category in report.read_categories(
                local / report.FILE, label, problems
            ).items():
                if cid in kb.report_categories:
                    problems.append(
                        f"{label}{report.FILE} category '{cid}': duplicate category id "
                        f"(already used in {report.FILE}); choose another id"
                    )
                    continue
                kb.report_categories[cid] = category
        if local.is_dir():
            shipped = set(kb.entries) | {f"source:{sid}" for sid in kb.sources}
            _read_parts(local, label, kb, where, problems)
            added = set(kb.entries) | {f"source:{sid}" for sid in kb.sources}
            kb.local = frozenset(added - shipped)
    check_references(kb, problems, {k: v for k, v in where.items() if ":" not in k})
    for topic in kb.topics:
        if not kb.entries_of(topic):
            problems.append(f"topics.yaml topic '{topic}': has no entries")
    if problems:
        raise KnowledgeError(problems)
    return kb
