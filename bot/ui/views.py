"""What a use case returns: text plus abstract buttons. Telegram and the console render it."""

from __future__ import annotations

from dataclasses import dataclass, field


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
