"""The knowledge base's records: topics, sources and their items, entries, the whole base.

`bot.kb.model` reads and validates the files into these (and is where callers import them
from); this module holds only the shapes, so it stays short and imports nothing of reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.kb import categories as report
from bot.kb.categories import ReportCategory

LANGS = ("id", "en")
# "abu-abu": sources disagree; "belum-diatur": no source addresses it (the user sees which).
VERDICTS = ("boleh", "dilarang", "abu-abu", "belum-diatur", "wajib", "info")
MIN_QUESTIONS = {"id": 8, "en": 3}
# A cited item longer than this could not be shown whole on one page of the legal basis.
MAX_ITEM_CHARS = 3000
LOCAL_LABEL = "local"  # how problems name the deployment's local knowledge directory


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
    region: str = ""  # set for a regional circular: it binds only there, an example elsewhere
    year: str = ""
    superseded_by: str = ""  # id of the source that replaced this one


@dataclass(frozen=True)
class Citation:
    """A reference from an entry to one item of one source."""

    source: str
    item: str


@dataclass(frozen=True)
class Topic:
    """One of the topics users browse."""

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
    # Ids from the deployment's local directory: entry ids, and sources as "source:<id>".
    local: frozenset[str] = frozenset()
    # What a reporter chooses from (knowledge/report_categories.yaml), in file order.
    report_categories: dict[str, ReportCategory] = field(default_factory=dict)

    def entries_of(self, topic: str) -> list[Entry]:
        """Entries of one topic, in file order."""
        return [e for e in self.entries.values() if e.topic == topic]

    def sources_of(self, entry: Entry) -> list[Source]:
        """The entry's sources, each once, in the order first cited (unknown ids skipped)."""
        ids = dict.fromkeys(c.source for c in entry.citations)
        return [self.sources[s] for s in ids if s in self.sources]

    def report_category(self, entry: Entry) -> str:
        """The report category an answer's report button preselects ("lainnya" when none)."""
        return report.category_of(self.report_categories, entry)
