"""Quiz questions built from the knowledge base: reading `knowledge/quiz.yaml`, building polls.

A quiz item is one reviewed situation for one entry. The correct option is always the entry's
own verdict, read from the knowledge base at the time the poll is built, so a quiz can never
disagree with the answer the bot gives; the explanation is the item's one-sentence rule plus a
citation taken from the entry's own citations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.kb.model import LANGS, Entry, KnowledgeBase, KnowledgeError
from bot.ui.render import Renderer, html_to_text

# The options of every quiz, in this order. Grey is always offered and is correct only for
# grey-area entries: a grey entry is never turned into a trick question with a clear answer.
OPTIONS = ("boleh", "dilarang", "abu-abu")
QUIZ_VERDICTS = frozenset(OPTIONS)
# Telegram's limits on polls (Bot API sendPoll).
MAX_QUESTION = 300
MAX_OPTION = 100
MAX_EXPLANATION = 200
MAX_EXPLANATION_LINE_FEEDS = 2
MAX_SERIES = 10  # questions in one /kuis series


class QuizError(KnowledgeError):
    """The quiz file is invalid; `problems` lists each one with its entry.

    A knowledge file like the others, so its problems are listed the same way.
    """


@dataclass(frozen=True)
class QuizItem:
    """One situation for one entry, with the rule and the citation its explanation gives."""

    entry_id: str
    situation: dict[str, str]
    rule: dict[str, str]
    cite_source: str
    cite_item: str


@dataclass(frozen=True)
class QuizPoll:
    """A quiz poll ready to send: what `sendPoll` takes, in one language."""

    entry_id: str
    question: str
    options: tuple[str, ...]
    correct: int
    explanation: str  # Telegram HTML (sent with explanation_parse_mode=HTML)
    lang: str


@dataclass
class QuizBank:
    """Every quiz item, with the compact source names the explanations cite."""

    items: dict[str, QuizItem]
    names: dict[str, dict[str, str]]

    def ids(self) -> list[str]:
        """Entry ids that have a quiz, in file order."""
        return list(self.items)


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _bilingual(raw: Any, where: str, name: str, problems: list[str]) -> dict[str, str]:
    texts = {lang: _text((raw or {}).get(lang)) if isinstance(raw, dict) else "" for lang in LANGS}
    for lang, text in texts.items():
        if not text:
            problems.append(f"{where}: field '{name}' needs a non-empty '{lang}' text")
    return texts


def parse_bank(data: Any, problems: list[str]) -> QuizBank:
    """Turn the YAML of `quiz.yaml` into a QuizBank, appending what is wrong to `problems`."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        problems.append("quiz.yaml: expected 'names' and a list of 'items'")
        return QuizBank({}, {})
    names = {
        str(sid): _bilingual(raw, f"quiz.yaml names '{sid}'", "name", problems)
        for sid, raw in (data.get("names") or {}).items()
    }
    items: dict[str, QuizItem] = {}
    for raw in data["items"]:
        raw = raw if isinstance(raw, dict) else {}
        eid = str(raw.get("entry") or "")
        where = f"quiz.yaml item '{eid}'"
        if not eid:
            problems.append("quiz.yaml: an item has no 'entry'")
            continue
        if eid in items:
            problems.append(f"{where}: duplicate entry")
            continue
        raw_cite = raw.get("cite")
        cite: dict = raw_cite if isinstance(raw_cite, dict) else {}
        if not cite.get("source") or not cite.get("item"):
            problems.append(f"{where}: 'cite' needs 'source' and 'item'")
        items[eid] = QuizItem(
            entry_id=eid,
            situation=_bilingual(raw.get("situation"), where, "situation", problems),
            rule=_bilingual(raw.get("rule"), where, "rule", problems),
            cite_source=str(cite.get("source") or ""),
            cite_item=str(cite.get("item") or ""),
        )
    return QuizBank(items, names)


def read_bank(path: Path) -> QuizBank:
    """Read `quiz.yaml`; raise QuizError when the file itself is malformed."""
    problems: list[str] = []
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuizError([f"quiz.yaml: cannot read: {exc}".replace("\n", " ")]) from exc
    bank = parse_bank(data, problems)
    if problems:
        raise QuizError(problems)
    return bank


def check_bank(bank: QuizBank, kb: KnowledgeBase, renderer: Renderer) -> list[str]:
    """Every reason an item cannot become a poll against this knowledge base (empty: all fine).

    An item needs an existing entry with a quiz verdict, a citation the entry itself makes, a
    named source, and texts within Telegram's limits in both languages.
    """
    problems: list[str] = []
    for item in bank.items.values():
        where = f"quiz.yaml item '{item.entry_id}'"
        entry = kb.entries.get(item.entry_id)
        if entry is None:
            problems.append(f"{where}: no such entry in the knowledge base")
            continue
        if entry.verdict not in QUIZ_VERDICTS:
            problems.append(
                f"{where}: verdict '{entry.verdict}' is not one of {', '.join(OPTIONS)}"
            )
            continue
        if not any(
            c.source == item.cite_source and c.item == item.cite_item for c in entry.citations
        ):
            problems.append(
                f"{where}: cites {item.cite_source} {item.cite_item}, which the entry does not"
            )
            continue
        if item.cite_source not in bank.names:
            problems.append(f"{where}: source '{item.cite_source}' has no short name in 'names'")
            continue
        for lang in LANGS:
            poll = build_poll(item, entry, kb, bank, renderer, lang)
            problems += [f"{where} ({lang}): {p}" for p in poll_problems(poll)]
    return problems


def _length(text: str) -> int:
    """Length as Telegram may count it (UTF-16 units: an emoji counts 2), the stricter reading."""
    return len(text.encode("utf-16-le")) // 2


def poll_problems(poll: QuizPoll) -> list[str]:
    """What Telegram would refuse in this poll (empty: it is valid)."""
    problems = []
    if not 1 <= _length(poll.question) <= MAX_QUESTION:
        problems.append(f"question has {_length(poll.question)} characters (1-{MAX_QUESTION})")
    if not 2 <= len(poll.options) <= 12:
        problems.append(f"{len(poll.options)} options (2-12)")
    problems += [
        f"option {o!r} too long" for o in poll.options if not 1 <= _length(o) <= MAX_OPTION
    ]
    if not 0 <= poll.correct < len(poll.options):
        problems.append("no valid correct option")
    plain = html_to_text(poll.explanation)
    if _length(plain) > MAX_EXPLANATION:
        problems.append(f"explanation has {_length(plain)} characters (at most {MAX_EXPLANATION})")
    if plain.count("\n") > MAX_EXPLANATION_LINE_FEEDS:
        problems.append(f"explanation has more than {MAX_EXPLANATION_LINE_FEEDS} line feeds")
    return problems


def build_poll(
    item: QuizItem,
    entry: Entry,
    kb: KnowledgeBase,
    bank: QuizBank,
    renderer: Renderer,
    lang: str,
) -> QuizPoll:
    """The poll for one item in one language; the correct option is the entry's verdict."""
    source = kb.sources.get(item.cite_source)
    label = source.items[item.cite_item].label[lang] if source else item.cite_item
    name = bank.names.get(item.cite_source, {}).get(lang, item.cite_source)
    explanation = renderer.render(
        "outreach_quiz_explanation", lang, rule=item.rule[lang], source=name, item=label
    )
    return QuizPoll(
        entry_id=entry.id,
        question=item.situation[lang],
        options=tuple(renderer.label(f"verdict_{v}", lang) for v in OPTIONS),
        correct=OPTIONS.index(entry.verdict) if entry.verdict in OPTIONS else -1,
        explanation=explanation,
        lang=lang,
    )


def usable_ids(bank: QuizBank, kb: KnowledgeBase) -> list[str]:
    """Items that can be asked now (their entry exists, with a quiz verdict)."""
    return [
        eid for eid in bank.items if eid in kb.entries and kb.entries[eid].verdict in QUIZ_VERDICTS
    ]


def pick(candidates: list[str], seen: set[str], count: int, rng: random.Random) -> list[str]:
    """Choose `count` questions, unseen ones first, so a chat sees every question once per round.

    Returns the chosen ids; when the unseen ones run out, the round starts again (the caller
    forgets what was seen) and the rest are drawn from the others, never repeating within a
    series.
    """
    count = max(1, min(count, len(candidates)))
    unseen = [c for c in candidates if c not in seen]
    rng.shuffle(unseen)
    chosen = unseen[:count]
    if len(chosen) < count:
        rest = [c for c in candidates if c not in chosen]
        rng.shuffle(rest)
        chosen += rest[: count - len(chosen)]
    return chosen
