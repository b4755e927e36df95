"""Report categories: what a reporter chooses from in /lapor, and which answer leads to which.

Data, not code: `knowledge/report_categories.yaml` lists the categories, each with the topics
(and single entries) whose prohibitions it covers. Every "dilarang" entry must land in one
category other than "lainnya", so the report button under a forbidden act always preselects
the category it belongs to. A deployment's local directory may add categories of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from bot.kb.ids import MAX_TOPIC_ID, id_problem

FILE = "report_categories.yaml"
OTHER = "lainnya"  # the category of last resort, always offered last
_LANGS = ("id", "en")


@dataclass(frozen=True)
class ReportCategory:
    """One category of violation a reporter can choose."""

    id: str
    title: dict[str, str]
    topics: tuple[str, ...] = ()
    entries: tuple[str, ...] = ()  # single entries whose topic belongs elsewhere


class _Entry(Protocol):
    id: str
    topic: str
    verdict: str


def read_categories(path: Path, label: str, problems: list[str]) -> dict[str, ReportCategory]:
    """The categories of one file, appending what is wrong with them to `problems`."""
    name = f"{label}{FILE}"
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{name}: cannot read: {exc}".replace("\n", " "))
        return {}
    if not isinstance(data, list):
        problems.append(f"{name}: expected a list of categories with id, title, topics")
        return {}
    found: dict[str, ReportCategory] = {}
    for raw in data:
        raw = raw if isinstance(raw, dict) else {}
        cid = str(raw.get("id") or "")
        where = f"{name} category '{cid}'"
        if problem := id_problem(cid, MAX_TOPIC_ID):
            problems.append(f"{where}: {problem}")
        title = raw.get("title")
        if not isinstance(title, dict) or not all(str(title.get(x) or "").strip() for x in _LANGS):
            problems.append(f"{where}: field 'title' needs non-empty 'id' and 'en' texts")
            title = {x: cid for x in _LANGS}
        if cid in found:
            problems.append(f"{where}: duplicate category id")
        found[cid] = ReportCategory(
            cid,
            {x: " ".join(str(title[x]).split()) for x in _LANGS},
            tuple(str(t) for t in raw.get("topics") or []),
            tuple(str(e) for e in raw.get("entries") or []),
        )
    return found


def category_of(categories: Mapping[str, ReportCategory], entry: _Entry) -> str:
    """The category a report about `entry` belongs to: by its id, else its topic, else other."""
    for category in categories.values():
        if entry.id in category.entries:
            return category.id
    for category in categories.values():
        if entry.topic in category.topics:
            return category.id
    return OTHER


@dataclass
class _Seen:
    topics: dict[str, str] = field(default_factory=dict)
    entries: dict[str, str] = field(default_factory=dict)


def check_categories(
    categories: Mapping[str, ReportCategory],
    topics: Iterable[str],
    entries: Mapping[str, _Entry],
    problems: list[str],
) -> None:
    """Every topic and entry named exists and is named once; "lainnya" is there; every
    "dilarang" entry lands in a category of its own kind."""
    if not categories:
        return  # a knowledge base without the file (an old database): nothing to preselect
    known = set(topics)
    if OTHER not in categories:
        problems.append(f"{FILE}: the category '{OTHER}' (anything else) is missing")
    seen = _Seen()
    for category in categories.values():
        where = f"{FILE} category '{category.id}'"
        for topic in category.topics:
            if topic not in known:
                problems.append(f"{where}: unknown topic '{topic}'")
            elif topic in seen.topics:
                problems.append(f"{where}: topic '{topic}' is also in '{seen.topics[topic]}'")
            seen.topics[topic] = category.id
        for entry_id in category.entries:
            if entry_id not in entries:
                problems.append(f"{where}: unknown entry '{entry_id}'")
            elif entry_id in seen.entries:
                problems.append(
                    f"{where}: entry '{entry_id}' is also in '{seen.entries[entry_id]}'"
                )
            seen.entries[entry_id] = category.id
    for entry in entries.values():
        if entry.verdict == "dilarang" and category_of(categories, entry) == OTHER:
            problems.append(
                f"entry '{entry.id}' is dilarang but no report category covers it: add its "
                f"topic '{entry.topic}' or its id to a category in {FILE}"
            )
