"""Views as plain text for a terminal: wrapped to its width, buttons as numbered choices.

Widths are display columns, not characters: an emoji such as 📜 takes two columns, so a line
that counted it as one would spill over the edge. Words are never broken; a word wider than the
screen (a URL) gets a line of its own.
"""

from __future__ import annotations

import re
import unicodedata

# One numbered choice: "[12] 📚 Topik".
CHOICE = "[{number}] {label}"
# Gap between columns of choices.
GAP = 2
# A bullet or list number at the start of a line; its continuation lines are indented under it.
_LEAD = re.compile(r"^(\s*(?:[•\-*]|\d+[.)]|\[\d+\])\s+)")
_LISTED = re.compile(r"^\s*(?:\d+[.)]|[•\-*])\s+(.*)$")


def width_of(text: str) -> int:
    """Columns `text` takes in a terminal (wide characters and emoji take two)."""
    columns = 0
    for i, char in enumerate(text):
        if unicodedata.combining(char) or char in "\u200d\ufe0e\ufe0f":
            continue  # marks and variation selectors take no column of their own
        wide = unicodedata.east_asian_width(char) in "WF"
        # "⚠️": a narrow symbol asked to look like an emoji (U+FE0F) is drawn two columns wide.
        emoji = text[i + 1 : i + 2] == "\ufe0f"
        columns += 2 if wide or emoji else 1
    return columns


def wrap_line(line: str, width: int) -> list[str]:
    """One line cut between words into lines of at most `width` columns.

    Continuation lines of a bullet ("• ", "3. ") are indented under its text.
    """
    if width_of(line) <= width:
        return [line]
    words = line.split()
    if not words:
        return [""]
    lead = _LEAD.match(line)
    hanging = width_of(lead.group(1)) if lead else 0
    indent = " " * hanging if hanging < width // 2 else ""
    lines: list[str] = []
    current = line[: len(line) - len(line.lstrip())] + words[0]
    for word in words[1:]:
        candidate = f"{current} {word}"
        if width_of(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = indent + word
    lines.append(current)
    return lines


def wrap(text: str, width: int) -> str:
    """Every line of `text` wrapped to `width` columns; blank lines are kept."""
    return "\n".join(part for line in text.split("\n") for part in wrap_line(line, width))


def without_listed(text: str, labels: list[str]) -> str:
    """`text` without the lines that only list a choice ("3. Sanksi" when a choice is Sanksi).

    On Telegram the text lists what the buttons offer; in a terminal the numbered choices
    already show each label once, and listing them twice pushes the top off the screen.
    """
    offered = {label.strip() for label in labels}
    kept = []
    for line in text.split("\n"):
        listed = _LISTED.match(line)
        if listed and listed.group(1).strip() in offered:
            continue
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")


def choice_lines(labels: list[str], width: int, indent: int = 2) -> list[str]:
    """The labels as numbered choices, in as many columns (down, then across) as fit `width`.

    Like `ls`: each column as wide as its widest choice. One column when no two fit side by
    side; a choice wider than the screen is wrapped then.
    """
    # Numbers right-aligned (" [9]" above "[10]"), so the labels of a column start together.
    digits = len(str(len(labels)))
    cells = [
        CHOICE.format(number=n, label=label).rjust(len(label) + digits + 3)
        for n, label in enumerate(labels, 1)
    ]
    if not cells:
        return []
    pad = " " * indent
    for columns in range(len(cells), 1, -1):
        rows = -(-len(cells) // columns)
        grid = [cells[c * rows : (c + 1) * rows] for c in range(columns)]
        if any(not column for column in grid):
            continue  # this many columns would leave one empty
        widths = [max(width_of(cell) for cell in column) for column in grid]
        if indent + sum(widths) + GAP * (columns - 1) > width:
            continue
        lines = []
        for row in range(rows):
            parts = [
                column[row] + " " * (widths[c] - width_of(column[row]))
                for c, column in enumerate(grid)
                if row < len(column)
            ]
            lines.append((pad + (" " * GAP).join(parts)).rstrip())
        return lines
    lines = []
    for cell in cells:
        lines.extend(pad + part for part in wrap_line(cell, max(10, width - indent)))
    return lines
