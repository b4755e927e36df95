"""The matcher's classes besides the entries: `offtopic.yaml` and `intents.yaml`, validated.

`offtopic.yaml` holds the out-of-scope class (groups of questions by theme, in `id` and `en`)
and the story openings and closings (`story_context`); `intents.yaml` holds the small-talk
classes, each answered by its template `intent_<id>.j2`. Both files are optional (the matcher
then has no such class), but a file that is there must be well formed: a problem is named with
its file and group or intent, like every knowledge problem (`KnowledgeError`).

An example that two classes share (an out-of-scope question that, once normalised as the
matcher reads it, is an entry's phrasing) teaches the matcher two answers to one question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bot.kb.model import LANGS, KnowledgeBase
from bot.ui.render import TEMPLATE_DIR

OFFTOPIC = "offtopic.yaml"
INTENTS = "intents.yaml"
INTENT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_WORD = re.compile(r"\w+")


def _load(path: Path, problems: list[str]) -> tuple[bool, Any]:
    """(read, data): read is False when the file is malformed or unreadable (a problem)."""
    try:
        return True, yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(f"{path.name}: malformed YAML: {exc}".replace("\n", " "))
    except OSError as exc:
        problems.append(f"{path.name}: cannot read: {exc}")
    return False, None


def fold(text: str) -> str:
    """Case, width, punctuation and spacing folded: what makes two lines the same line."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _lines(value: Any, where: str, problems: list[str]) -> list[str]:
    """A list of non-empty texts; anything else is a problem (and gives no lines)."""
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: expected a non-empty list of texts")
        return []
    bad = [i + 1 for i, v in enumerate(value) if not isinstance(v, str) or not v.strip()]
    if bad:
        problems.append(f"{where}: line {bad[0]} is not a text")
    return [v for v in value if isinstance(v, str) and v.strip()]


def _no_duplicates(
    lines: list[tuple[str, str]], problems: list[str], key: Callable[[str], str]
) -> None:
    """(where, text) pairs: the same text twice (after `key`) in one file is a problem."""
    seen: dict[str, str] = {}
    for where, text in lines:
        folded = key(text)
        if folded in seen:
            problems.append(f"{where}: duplicate of a line in {seen[folded]}: {text!r}")
        else:
            seen[folded] = where


def read_offtopic(
    path: Path, problems: list[str], key: Callable[[str], str] = fold
) -> list[tuple[str, str]]:
    """The out-of-scope questions as (where, text), checking the file; [] when it is absent."""
    if not path.is_file():
        return []
    read, data = _load(path, problems)
    if not read:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        problems.append(f"{OFFTOPIC}: expected a list of 'groups'")
        return []
    if not data["groups"]:
        problems.append(f"{OFFTOPIC}: 'groups' is empty")
    out: list[tuple[str, str]] = []
    langs_of: dict[str, set[str]] = {}
    for number, group in enumerate(data["groups"], 1):
        where = f"{OFFTOPIC} group {number}"
        if not isinstance(group, dict):
            problems.append(f"{where}: expected 'theme' and lines in 'id' and/or 'en'")
            continue
        theme = group.get("theme")
        if not isinstance(theme, str) or not theme.strip():
            problems.append(f"{where}: needs a 'theme'")
            theme = ""
        else:
            where = f"{where} (theme '{theme}')"
        unknown = sorted(str(k) for k in group if k not in ("theme", *LANGS))
        if unknown:
            problems.append(f"{where}: unknown field '{unknown[0]}' (expected theme, id, en)")
        present = [lang for lang in LANGS if lang in group]
        if not present:
            problems.append(f"{where}: no lines in 'id' or 'en'")
        for lang in present:
            lines = _lines(group[lang], f"{where} '{lang}'", problems)
            out += [(f"{where} '{lang}'", line) for line in lines]
            if lines and theme:
                langs_of.setdefault(theme, set()).add(lang)
    for theme, found in langs_of.items():
        for lang in LANGS:
            if lang not in found:
                problems.append(f"{OFFTOPIC} theme '{theme}': has no '{lang}' lines")
    _check_context(data.get("story_context"), problems, key)
    _no_duplicates(out, problems, key)
    return out


def _check_context(context: Any, problems: list[str], key: Callable[[str], str]) -> None:
    """`story_context` (optional): `before` and `after`, each with `id` and `en` lines."""
    if context is None:
        return
    where = f"{OFFTOPIC} story_context"
    if not isinstance(context, dict) or set(context) - {"before", "after"}:
        problems.append(f"{where}: expected 'before' and 'after'")
        return
    for part in ("before", "after"):
        texts = context.get(part)
        if not isinstance(texts, dict):
            problems.append(f"{where} '{part}': expected lines in 'id' and 'en'")
            continue
        lines: list[tuple[str, str]] = []
        for lang in LANGS:
            lines += [
                (f"{where} '{part}' '{lang}'", t)
                for t in _lines(texts.get(lang), f"{where} '{part}' '{lang}'", problems)
            ]
        _no_duplicates(lines, problems, key)


def read_intents(
    path: Path, problems: list[str], key: Callable[[str], str] = fold
) -> dict[str, list[tuple[str, str]]]:
    """Each intent's phrasings as (where, text), checking the file; {} when it is absent."""
    if not path.is_file():
        return {}
    read, data = _load(path, problems)
    if not read:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list):
        problems.append(f"{INTENTS}: expected a list of 'intents'")
        return {}
    if not data["intents"]:
        problems.append(f"{INTENTS}: 'intents' is empty")
    out: dict[str, list[tuple[str, str]]] = {}
    for number, intent in enumerate(data["intents"], 1):
        iid = intent.get("id") if isinstance(intent, dict) else None
        if not isinstance(iid, str) or not INTENT_ID.match(iid):
            problems.append(
                f"{INTENTS} intent {number}: needs an 'id' of lower-case letters, digits and _"
            )
            continue
        where = f"{INTENTS} intent '{iid}'"
        if iid in out:
            problems.append(f"{where}: duplicate id")
            continue
        questions = intent.get("questions")
        if not isinstance(questions, dict):
            problems.append(f"{where}: expected 'questions' with 'id' and 'en' lines")
            continue
        out[iid] = []
        for lang in LANGS:
            lines = _lines(questions.get(lang), f"{where} '{lang}'", problems)
            out[iid] += [(f"{where} '{lang}'", line) for line in lines]
        for lang in LANGS:
            if not (TEMPLATE_DIR / lang / f"intent_{iid}.j2").is_file():
                problems.append(f"{where}: no reply template {lang}/intent_{iid}.j2")
    _no_duplicates([line for lines in out.values() for line in lines], problems, key)
    return out


def check_extras(
    directory: Path,
    kb: KnowledgeBase | None = None,
    key: Callable[[str], str] = fold,
) -> list[str]:
    """Every problem of `offtopic.yaml` and `intents.yaml` in `directory`.

    Two lines are the same when `key` folds them to the same text (the command line passes the
    matcher's reading: the words its features are built from). A line twice in one file is a
    problem; with the knowledge base, so is an out-of-scope or intent line that is the same as
    an entry's phrasing or title, or as a line of another class.
    """
    problems: list[str] = []
    classes: list[tuple[str, list[tuple[str, str]]]] = [
        ("out of scope", read_offtopic(Path(directory) / OFFTOPIC, problems, key))
    ]
    for iid, lines in read_intents(Path(directory) / INTENTS, problems, key).items():
        classes.append((f"intent '{iid}'", lines))
    owner: dict[str, tuple[str, str]] = {}  # normalised text: (class, where)
    if kb is not None:
        for entry in kb.entries.values():
            for lang in LANGS:
                texts = [*entry.questions[lang], entry.title[lang]]
                for text in texts:
                    owner.setdefault(key(text), (entry.id, f"a phrasing of entry '{entry.id}'"))
    for label, lines in classes:
        for where, text in lines:
            normalised = key(text)
            if not normalised:
                continue  # nothing left to read (a greeting of stop words): no clash possible
            other = owner.setdefault(normalised, (label, f"a line of {where}"))
            if other[0] != label:  # one question taught as two classes
                problems.append(f"{where}: {text!r} reads the same as {other[1]}")
    return problems
