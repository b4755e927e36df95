"""What the matcher learns from: phrasings per class, story context, the normaliser, and the
training input that keys a model artefact (`input_key`).

Classes: every entry (its phrasings and titles), the out-of-scope class (`knowledge/offtopic.yaml`)
and the small-talk intents (`knowledge/intents.yaml`). Every list is sorted, so the same files
give the same input whatever the order of dicts or files.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.answering.model import INTENT_PREFIX, OUT_OF_SCOPE
from bot.answering.normalize import Normalizer
from bot.kb.model import LANGS, KnowledgeBase

TRAINING_FORMAT = 2  # bump when training changes in a way the training input cannot show


@dataclass(frozen=True)
class Examples:
    """Training texts and their class labels, in a stable order."""

    texts: list[str]
    labels: list[str]
    # Entry label -> its topic, for the topic classifier (labels not in it are their own topic).
    topics: dict[str, str] = field(default_factory=dict)

    def digest(self) -> str:
        """SHA-256 of the texts, labels and topics."""
        h = hashlib.sha256()
        for text, label in zip(self.texts, self.labels, strict=True):
            h.update(f"{label}\t{text}\n".encode())
        for label in sorted(self.topics):
            h.update(f"{label}\t{self.topics[label]}\n".encode())
        return h.hexdigest()

    def topic_labels(self) -> list[str]:
        """The topic classifier's label of every example."""
        return [self.topics.get(label, label) for label in self.labels]

    def subset(self, rows) -> Examples:
        """The examples at these row indices (same topics)."""
        return Examples([self.texts[i] for i in rows], [self.labels[i] for i in rows], self.topics)


# -- reading the files ---------------------------------------------------------------------------


def read_extra(directory: Path) -> dict[str, list[str]]:
    """Out-of-scope and intent phrasings from `offtopic.yaml` and `intents.yaml` (may be absent)."""
    out: dict[str, list[str]] = {}
    off = directory / "offtopic.yaml"
    if off.is_file():
        data = yaml.safe_load(off.read_text(encoding="utf-8")) or {}
        for group in data.get("groups") or []:
            for lang in ("id", "en"):
                out.setdefault(OUT_OF_SCOPE, []).extend(str(q) for q in group.get(lang) or [])
    intents = directory / "intents.yaml"
    if intents.is_file():
        data = yaml.safe_load(intents.read_text(encoding="utf-8")) or {}
        for intent in data.get("intents") or []:
            qs = intent.get("questions") or {}
            label = INTENT_PREFIX + str(intent["id"])
            for lang in ("id", "en"):
                out.setdefault(label, []).extend(str(q) for q in qs.get(lang) or [])
    return out


def read_context(directory: Path) -> dict[str, dict[str, list[str]]]:
    """The story openings and closings (`story_context` of offtopic.yaml), per language."""
    off = directory / "offtopic.yaml"
    data = yaml.safe_load(off.read_text(encoding="utf-8")) if off.is_file() else None
    ctx = (data or {}).get("story_context") or {}
    return {
        part: {lang: [str(s) for s in (ctx.get(part) or {}).get(lang) or []] for lang in LANGS}
        for part in ("before", "after")
    }


def augment(
    exs: Examples, context: dict, normalizer: Normalizer, per_class: int, seed: int
) -> Examples:
    """`exs` plus, for each class, `per_class` of its phrasings inside a story (seeded)."""
    if per_class <= 0 or not any(context.get(p, {}).get(lang) for p in context for lang in LANGS):
        return exs
    rng = random.Random(seed)
    by_label: dict[str, list[str]] = {}
    for text, label in zip(exs.texts, exs.labels, strict=True):
        by_label.setdefault(label, []).append(text)
    texts, labels = list(exs.texts), list(exs.labels)
    for label in sorted(by_label):
        pool = sorted(by_label[label])
        for text in rng.sample(pool, min(per_class, len(pool))):
            lang = normalizer.language(text)
            before = context["before"].get(lang) or context["before"].get("id") or [""]
            after = context["after"].get(lang) or context["after"].get("id") or [""]
            parts = [rng.choice(before), text]
            if rng.random() < 0.5:
                parts.append(rng.choice(after))
            texts.append(" ".join(p for p in parts if p))
            labels.append(label)
    return Examples(texts, labels, exs.topics)


def normalizer_for(kb: KnowledgeBase) -> Normalizer:
    """The knowledge base's normaliser, with words used in only one language's phrasings as
    language markers (so "can I" reads as English and "boleh" as Indonesian)."""
    base = Normalizer.from_lexicon(kb.lexicon)
    words: dict[str, set[str]] = {"id": set(), "en": set()}
    for entry_id in sorted(kb.entries):
        entry = kb.entries[entry_id]
        for lang in words:
            for q in entry.questions[lang]:
                words[lang].update(base.raw_tokens(q))
    only_en, only_id = words["en"] - words["id"], words["id"] - words["en"]
    return replace(
        base,
        english=base.english | only_en,
        indonesian=base.indonesian | (only_id - base.english),
    )


def examples(kb: KnowledgeBase, extra: dict[str, list[str]], titles: bool = True) -> Examples:
    """Every phrasing with its class, sorted by class then text (the order never depends on
    dict or file order), duplicates dropped."""
    pairs: set[tuple[str, str]] = set()
    for entry in kb.entries.values():
        texts = [*entry.questions["id"], *entry.questions["en"]]
        if titles:
            texts += [entry.title["id"], entry.title["en"]]
        pairs.update((entry.id, " ".join(t.split())) for t in texts if t.strip())
    for label, texts in extra.items():
        pairs.update((label, " ".join(t.split())) for t in texts if t.strip())
    ordered = sorted(pairs)
    topics = {entry_id: kb.entries[entry_id].topic for entry_id in sorted(kb.entries)}
    return Examples([t for _, t in ordered], [label for label, _ in ordered], topics)


# -- the training input --------------------------------------------------------------------------


def training_input(kb: KnowledgeBase, directory: Path, config: Any) -> dict:
    """Everything a build needs, as JSON-able data: the examples, the normaliser, the config.

    The bot sends this to `python -m bot.answering.training` on stdin; its hash keys the
    artefact, so the same knowledge gives the same key whether it came from files or the DB.
    """
    normalizer = normalizer_for(kb)
    exs = examples(kb, read_extra(directory), config.titles)
    return {
        "format": TRAINING_FORMAT,
        "config": asdict(config),
        "examples": [[label, text] for label, text in zip(exs.labels, exs.texts, strict=True)],
        "topics": exs.topics,
        "context": read_context(directory),
        "normalizer": {
            "slang": normalizer.slang,
            "phrases": normalizer.phrases,
            **{
                name: sorted(getattr(normalizer, name))
                for name in ("stopwords", "nostem", "domain", "english", "indonesian")
            },
        },
    }


def input_key(data: dict) -> str:
    """SHA-256 of a training input (canonical JSON)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def normalizer_from(data: dict) -> Normalizer:
    """The normaliser described in a training input."""
    n = data["normalizer"]
    return Normalizer(
        slang=dict(n["slang"]),
        phrases=dict(n["phrases"]),
        **{
            name: frozenset(n[name])
            for name in ("stopwords", "nostem", "domain", "english", "indonesian")
        },
    )
