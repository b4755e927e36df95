"""What admins write is checked for sense, not only for shape: a one-word answer, a phrasing
of fewer than three words, literal HTML tags. Only what an edit adds or changes is checked, so
reviewed content already in the files never blocks an import.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from bot.kb.model import LANGS, Entry

MIN_ANSWER_WORDS = 3  # a sentence: "Tidak." or "Boleh" tells a user nothing they can rely on
MIN_PHRASING_WORDS = 3  # "kampanye" alone would pull every campaign question to one entry
# A tag as a user would see it: Telegram shows '<b>' typed into an answer literally.
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def tag_problem(text: str, what: str) -> str:
    """Why `text` (named `what`) cannot hold an HTML tag, or ''."""
    found = _TAG.search(text or "")
    if not found:
        return ""
    return f"{what} holds the HTML tag {found.group(0)!r}: write plain text, the bot formats it"


def answer_problem(text: str, what: str = "the answer") -> str:
    """Why `text` makes no answer (too short, or HTML), or ''."""
    if text and _words(text) < MIN_ANSWER_WORDS:
        return (
            f"{what} {text!r} is too short: write at least one sentence of "
            f"{MIN_ANSWER_WORDS} words or more"
        )
    return tag_problem(text, what)


def phrasing_problem(text: str, what: str = "the phrasing", asked: bool = False) -> str:
    """Why `text` makes no phrasing, or ''. `asked`: a question users really asked (from the
    review queue), which is evidence of how people write, however short."""
    if not asked and _words(text) < MIN_PHRASING_WORDS:
        return (
            f"{what} {text!r} has fewer than {MIN_PHRASING_WORDS} words: write the question "
            "as a user would ask it"
        )
    return tag_problem(text, f"{what} {text!r}")


def problems(
    entry: Entry, before: Entry | None, where: str, asked: Collection[str] = ()
) -> list[str]:
    """Why the new or changed texts of `entry` (compared with `before`) make no sense.

    `asked`: phrasings users really asked, exempt from the minimum length.
    """
    out: list[str] = []
    place = f"{where} entry '{entry.id}'"
    for lang in LANGS:
        old = set(before.questions.get(lang, [])) if before else set()
        for q in entry.questions.get(lang, []):
            if q not in old:
                out.append(phrasing_problem(q, f"the '{lang}' phrasing", q in asked))
        fields = {
            "answer": (entry.answer, before.answer if before else {}),
            "title": (entry.title, before.title if before else {}),
            "sanction": (entry.sanction or {}, (before.sanction or {}) if before else {}),
        }
        for name, (now, then) in fields.items():
            text = now.get(lang, "")
            if text == then.get(lang, ""):
                continue
            what = f"the '{lang}' {name}"
            out.append(answer_problem(text, what) if name == "answer" else tag_problem(text, what))
    return [f"{place}: {problem}" for problem in out if problem]
