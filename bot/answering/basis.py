"""The legal basis of an entry as pages that each fit one Telegram message.

Page 0 is what the "📜 Dasar hukum" button shows: the cited items in the entry's citation order
(national law first, the way entries are written and validated), as many in full as fit, the
rest named by source and label. "📄 Teks lengkap" opens pages 1..n: the wording of every cited
item, packed in order, each page within the limit. A group sees one message, never three.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.kb.model import Entry, KnowledgeBase, Source
from bot.ui.views import fits, pack


@dataclass(frozen=True)
class Part:
    """One cited item with the source it belongs to."""

    source: Source
    label: str
    quoted: bool
    text: str


def cited_parts(kb: KnowledgeBase, entry: Entry, lang: str) -> list[Part]:
    """The entry's cited items grouped by source, sources in the order they are first cited."""
    order: dict[str, list[Part]] = {}
    for cite in entry.citations:
        source = kb.sources[cite.source]
        item = source.items[cite.item]
        order.setdefault(source.id, []).append(
            Part(source, item.label[lang], item.quoted, item.text)
        )
    return [part for parts in order.values() for part in parts]


def fitting_prefix(parts: list[Part], render: Callable[[list[Part], list[Part]], str]) -> int:
    """How many leading parts can be shown in full with the rest listed, within one message.

    `render(shown, rest)` renders a page; at least one part is always shown (a single item is
    bounded by validation, see `bot.kb.model.MAX_ITEM_CHARS`).
    """
    for count in range(len(parts), 0, -1):
        if fits(render(parts[:count], parts[count:])):
            return count
    return 1


def full_text_pages(parts: list[Part], render: Callable[[list[Part]], str]) -> list[list[Part]]:
    """Every part, in order, packed greedily into pages that each fit one message."""
    return pack(parts, render)


def grouped(parts: Sequence[Part], validity: Callable[[Source], dict]) -> list[dict]:
    """Parts as the template's sources: each source once, with its items and its validity."""
    sources: dict[str, dict] = {}
    for part in parts:
        src = part.source
        group = sources.setdefault(
            src.id,
            {
                "short": src.short,
                "title": src.title,
                "issuer": src.issuer,
                "date": src.date,
                "origin": src.origin,
                "election": src.election,
                "parts": [],
                "labels": [],
            }
            | validity(src),
        )
        group["parts"].append({"label": part.label, "quoted": part.quoted, "text": part.text})
        group["labels"].append(part.label)
    return list(sources.values())
