"""Validate the labelled question sets in bench/eval/.

Run from the worktree root: `/work/venv/bin/python bench/eval/check.py`.
Checks: header, known topic ids (newtopics.tsv may also use the three topics being added),
no empty or duplicate questions (within and across files), and it lists near-duplicates
between the tuning files and the held-out files so that no held-out question leaks.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import yaml
from rapidfuzz import fuzz

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TUNING = (
    "tune.tsv",
    "junk.tsv",
    "tune-real.tsv",
    "tune-short.tsv",
    # Held out until the third session; retired to tuning in the fourth (README: "Reads").
    "holdout.tsv",
    "real-easier.tsv",
    "real-harder.tsv",
    "newtopics.tsv",
    "valid-real.tsv",
    "real3-easier.tsv",
    "real3-harder.tsv",
    # Read at the end of the fourth session; retired to tuning in the fifth.
    "holdout3.tsv",
    "holdout4.tsv",
    "real4-easier.tsv",
    "real4-harder.tsv",
    # Read at the end of the fifth session; retired to tuning in the sixth.
    "holdout5.tsv",
    "holdout6.tsv",
    "real5-easier.tsv",
    "real5-harder.tsv",
    # Read at the end of the sixth session; retired to tuning in the seventh.
    "holdout7.tsv",
    "real6-easier.tsv",
    "real6-harder.tsv",
    # Read at the end of the seventh session; retired to tuning in the eighth.
    "holdout8.tsv",
    "real7-easier.tsv",
    "real7-harder.tsv",
    # Read at the end of the eighth session; retired to tuning in the ninth.
    "holdout9.tsv",
    "real8-easier.tsv",
    "real8-harder.tsv",
    # Read at the end of the ninth session; retired to tuning in the tenth.
    "holdout10.tsv",
    "real9-easier.tsv",
    "real9-harder.tsv",
)
# Never read before their final figures (written on their own branches by helpers who open no
# phrasing, and merged only for the final read).
HELD_OUT: tuple[str, ...] = tuple(
    name
    for name in ("holdout11.tsv", "real10-easier.tsv", "real10-harder.tsv")
    if (HERE / name).exists()
)
NEW_TOPICS = {"penyelenggara-pemilu", "politik-uang", "non-asn"}
NEAR_DUPLICATE = 90  # rapidfuzz ratio above which two questions count as the same question


def read_set(path: Path) -> list[tuple[str, str]]:
    """Return the (topic, question) rows of one TSV file, checking its shape."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows[0] != ["topic", "question"]:
        sys.exit(f"{path.name}: bad header {rows[0]}")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 2 or not row[1].strip():
            sys.exit(f"{path.name}:{number}: expected two non-empty columns, got {row}")
    return [(row[0], row[1]) for row in rows[1:]]


def main() -> None:
    """Validate every set and print its size and label spread."""
    topics = {t["id"] for t in yaml.safe_load((ROOT / "knowledge/topics.yaml").read_text())}
    seen: dict[str, str] = {}
    questions: dict[str, list[str]] = {}
    problems = []
    for name in TUNING + HELD_OUT:
        rows = read_set(HERE / name)
        allowed = topics | {"none"} | (NEW_TOPICS if name == "newtopics.tsv" else set())
        labels: Counter[str] = Counter()
        for topic, question in rows:
            for part in topic.split("|"):
                if part not in allowed:
                    problems.append(f"{name}: unknown topic {part!r} for {question!r}")
                labels[part] += 1
            key = question.casefold().strip()
            if key in seen:
                problems.append(f"{name}: duplicate of {seen[key]}: {question!r}")
            seen[key] = name
        questions[name] = [q for _, q in rows]
        none_share = labels["none"] / len(rows)
        print(f"{name}: {len(rows)} questions, {len(labels)} labels, none {none_share:.0%}")
    for tuned in TUNING:
        for held in HELD_OUT:
            for a in questions[tuned]:
                for b in questions[held]:
                    if fuzz.ratio(a.casefold(), b.casefold()) >= NEAR_DUPLICATE:
                        problems.append(f"near-duplicate {tuned} / {held}: {a!r} ~ {b!r}")
    for problem in problems:
        print(problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
