"""What a use case returns: text plus abstract buttons. Telegram and the console render it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

# Telegram's limit for one message, in UTF-16 code units of the text.
MESSAGE_LIMIT = 4096
T = TypeVar("T")


def message_length(text: str) -> int:
    """What Telegram counts against the limit. Counting the HTML tags too keeps it on the safe
    side: entities are parsed out before Telegram counts, so the real figure is smaller."""
    return len(text.encode("utf-16-le")) // 2


def fits(text: str) -> bool:
    """True when `text` goes out as one Telegram message."""
    return message_length(text) <= MESSAGE_LIMIT


def pack(items: Sequence[T], render: Callable[[list[T]], str]) -> list[list[T]]:
    """`items`, in order, packed greedily into pages whose rendering fits one message each
    (an item too long for a page alone gets a page of its own)."""
    pages: list[list[T]] = []
    for item in items:
        if pages and fits(render([*pages[-1], item])):
            pages[-1].append(item)
        else:
            pages.append([item])
    return pages


@dataclass(frozen=True)
class Button:
    """A choice offered to the user: a label and a short structured action (callback data).

    `url` buttons open a link (deep links to the bot's private chat) instead of an action.
    """

    label: str
    action: str = ""
    url: str = ""


@dataclass(frozen=True)
class View:
    """One reply: Telegram HTML text, rows of buttons, and what the matcher decided."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    band: str | None = None
    entry_id: str | None = None
    topic: str | None = None
    score: float = 0.0
    candidates: list[dict] = field(default_factory=list)
    lang: str = "id"
    question_id: int | None = None

    @property
    def choices(self) -> list[Button]:
        """Every button, row by row, as one numbered list (what the console shows)."""
        return [b for row in self.buttons for b in row]
