"""What the matcher learns from: phrasings per class, story context, the normaliser, the
TF-IDF rows of the texts (`featurize`), and the training input that keys a model artefact
(`input_key`).

Classes: every entry (its phrasings and titles), the out-of-scope class (`knowledge/offtopic.yaml`)
and the small-talk intents (`knowledge/intents.yaml`). Every list is sorted, so the same files
give the same input whatever the order of dicts or files.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.answering.model import INTENT_PREFIX, OUT_OF_SCOPE, Featurizer
from bot.answering.normalize import Normalizer
from bot.kb.model import LANGS, KnowledgeBase

# Bump when training changes in a way the training input cannot show (3: Crammer-Singer topic SVM).
TRAINING_FORMAT = 3


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


@lru_cache(maxsize=4)
def _yaml(text: str) -> Any:
    """Parsed YAML (libyaml's C parser when present: the pure-Python one took most of a
    rebuild's time in the bot's own process). Cached by content: offtopic.yaml is read twice
    per build and rarely changes. Callers must not modify the result."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_extra(directory: Path) -> dict[str, list[str]]:
    """Out-of-scope and intent phrasings from `offtopic.yaml` and `intents.yaml` (may be absent)."""
    out: dict[str, list[str]] = {}
    off = directory / "offtopic.yaml"
    if off.is_file():
        data = _yaml(off.read_text(encoding="utf-8")) or {}
        for group in data.get("groups") or []:
            for lang in ("id", "en"):
                out.setdefault(OUT_OF_SCOPE, []).extend(str(q) for q in group.get(lang) or [])
    intents = directory / "intents.yaml"
    if intents.is_file():
        data = _yaml(intents.read_text(encoding="utf-8")) or {}
        for intent in data.get("intents") or []:
            qs = intent.get("questions") or {}
            label = INTENT_PREFIX + str(intent["id"])
            for lang in ("id", "en"):
                out.setdefault(label, []).extend(str(q) for q in qs.get(lang) or [])
    return out


def read_context(directory: Path) -> dict[str, dict[str, list[str]]]:
    """The story openings and closings (`story_context` of offtopic.yaml), per language."""
    off = directory / "offtopic.yaml"
    data = _yaml(off.read_text(encoding="utf-8")) if off.is_file() else None
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
    # A glossed English word an Indonesian phrasing uses ("video", "konten") is no marker: an
    # Indonesian question using it must still be answered in Indonesian.
    in_id = set(kb.lexicon.get("english_glosses", {})) & words["id"]
    english = (base.english - (in_id - set(kb.lexicon.get("english", [])))) | only_en
    return replace(base, english=english, indonesian=base.indonesian | (only_id - english))


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


# -- features ------------------------------------------------------------------------------------


# Texts featurised at once (their n-gram ids held in memory): bounds the memory of a
# 10,000-entry knowledge base.
FEATURIZE_CHUNK = 20_000
# Up to this many texts a builder process remembers each text's n-grams for the next build: an
# admin's edit changes a few texts, the others are not featurised again.
MEMO_TEXTS_UP_TO = 20_000
# A text's features: n-gram ids and counts (each block's distinct n-grams in order of first
# appearance, so the norms sum in the order serving sums them), distinct n-grams per block,
# block weights, and the language the normaliser read the text in.
Coded = tuple[np.ndarray, np.ndarray, list[int], list[float], str]


@dataclass
class GramMemo:
    """Texts' n-grams as ids, kept between builds. Valid for one feature spec and one lexicon
    (slang, phrases, stopwords, nostem); the language markers may change (an edit adds words):
    a text's features depend on them only through the language it is read in, which is checked
    again whenever the markers differ from those the remembered texts were read with."""

    ids: dict[str, int] = field(default_factory=dict)  # n-gram -> id, in order of first sight
    texts: dict[str, Coded] = field(default_factory=dict)
    # The (English, Indonesian) markers every remembered text's language was read with.
    markers: tuple[frozenset[str], frozenset[str]] | None = None


def _encode(blocks: list[tuple[list[str], float]], ids: dict[str, int], lang: str) -> Coded:
    """A text's feature blocks counted and coded; new n-grams get the next ids."""
    setdefault = ids.setdefault
    gram_ids: list[int] = []
    counts: list[int] = []
    lengths: list[int] = []
    for grams, _ in blocks:
        counted = Counter(grams)
        gram_ids.extend([setdefault(g, len(ids)) for g in counted])
        counts.extend(counted.values())
        lengths.append(len(counted))
    return (
        np.array(gram_ids, dtype=np.int32),
        np.array(counts, dtype=np.int32),
        lengths,
        [w for _, w in blocks],
        lang,
    )


def featurize(featurizer: Featurizer, texts: list[str], min_df: int, memo: GramMemo | None = None):
    """(CSR matrix of TF-IDF rows, vocab, idf) over the training texts.

    Rows are computed as `model.vectorize` computes a question at serving time: per block,
    sublinear tf times idf, L2-normalised, times the block's weight (the same sums in the same
    order, so the same floats). Each text is counted once, then the rows are assembled with
    numpy. `memo` gives the counts of texts seen before and keeps this call's.
    """
    from scipy import sparse

    n = len(texts)
    remember = memo is not None and n <= MEMO_TEXTS_UP_TO
    if memo is None or not remember:
        memo = GramMemo()  # ids for this call only
    ids, known = memo.ids, memo.texts
    normalizer = featurizer.normalizer
    language = normalizer.language
    # Reading a text's language costs a quarter of an edit's quick model: only when the markers
    # changed can a remembered text read differently.
    markers = (normalizer.english, normalizer.indonesian)
    recheck = remember and memo.markers != markers
    weights: list[float] = []  # per block
    row_of: list[int] = []  # per block
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (block, id, count) per chunk
    for start in range(0, n, FEATURIZE_CHUNK):
        coded: list[Coded] = []
        lengths: list[int] = []
        first_block = len(weights)
        for r in range(start, min(start + FEATURIZE_CHUNK, n)):
            text = texts[r]
            found = known.get(text) if remember else None
            if found is not None and recheck and found[4] != language(text):
                found = None  # the edit changed the language this text reads as
            if found is None:
                found = _encode(featurizer.blocks(text), ids, language(text) if remember else "")
                if remember:
                    known[text] = found
            coded.append(found)
            lengths.extend(found[2])
            weights.extend(found[3])
            row_of.extend([r] * len(found[2]))
        # int32: 12 bytes per stored value (a 10,000-entry knowledge base has ~50 million).
        blocks = np.arange(first_block, len(weights), dtype=np.int32)
        parts.append(
            (
                np.repeat(blocks, lengths),
                np.concatenate([np.zeros(0, dtype=np.int32), *(c[0] for c in coded)]),
                np.concatenate([np.zeros(0, dtype=np.int32), *(c[1] for c in coded)]),
            )
        )
        del coded
    if remember:  # every text kept below (this call's) is read with these markers
        memo.markers = markers
    empty = np.zeros(0, dtype=np.int32)
    block, gram, tf = (np.concatenate([empty, *(p[i] for p in parts)]) for i in range(3))
    del parts
    # The vocabulary: the n-grams of these texts, sorted; `rank` maps an id to its column.
    used = np.flatnonzero(np.bincount(gram, minlength=len(ids)))
    by_id = list(ids)
    used_names = [by_id[i] for i in used.tolist()]
    del by_id
    order = np.array(sorted(range(len(used)), key=used_names.__getitem__), dtype=np.int64)
    names = [used_names[i] for i in order.tolist()]
    rank = np.zeros(len(ids), dtype=np.int64)
    rank[used[order]] = np.arange(len(names))
    col = rank[gram]
    df = np.bincount(col, minlength=len(names))  # blocks holding the n-gram
    if min_df > 1:  # drop the rare n-grams from the vocabulary and from the rows
        keep = df >= min_df
        new_col = np.cumsum(keep) - 1
        kept_rows = keep[col]
        block, col, tf = block[kept_rows], new_col[col[kept_rows]], tf[kept_rows]
        names = [g for g, k in zip(names, keep.tolist(), strict=True) if k]
        df = df[keep]
    vocab = {g: i for i, g in enumerate(names)}
    idf = (np.log((1 + n) / (1 + df.astype(np.float64))) + 1.0).astype(np.float32)
    val = (1.0 + np.log(tf.astype(np.float64))) * idf[col]
    norms = np.sqrt(np.bincount(block, weights=val * val, minlength=len(weights)))
    val = val * (np.asarray(weights)[block] / np.where(norms > 0, norms, 1.0)[block])
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(np.asarray(row_of, dtype=np.int64)[block], minlength=n), out=indptr[1:])
    X = sparse.csr_matrix((val, col, indptr), shape=(n, len(vocab)))
    X.sort_indices()
    if remember:  # keep only this call's texts; start afresh once most ids are stale
        if len(ids) > 2 * len(used) + 10_000:
            ids.clear()
            known.clear()
        else:
            kept = {t: known[t] for t in texts}
            known.clear()
            known.update(kept)
    return X, vocab, idf


# The n-grams of the last build's texts, kept by a builder process between builds (an edit
# changes a few texts), under the key of the lexicon and features they were made with.
_MEMO: dict[str, GramMemo] = {}


def memo_for(data: dict) -> GramMemo:
    """The n-gram memo of this input's lexicon and feature spec (emptied when they change).

    The language markers are left out of the key: adding a phrasing often adds a word to them,
    and `featurize` checks each remembered text's language instead (`GramMemo`)."""
    lexicon = {k: v for k, v in data["normalizer"].items() if k not in ("english", "indonesian")}
    key = input_key({"lexicon": lexicon, "spec": data["config"]["spec"]})
    if key not in _MEMO:
        _MEMO.clear()
        _MEMO[key] = GramMemo()
    return _MEMO[key]


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


def label_digests(exs: Examples) -> dict[str, str]:
    """A short hash of each label's phrasings: which classes an edit touched (`refresh`)."""
    texts: dict[str, list[str]] = {}
    for text, label in zip(exs.texts, exs.labels, strict=True):
        texts.setdefault(label, []).append(text)
    return {
        label: hashlib.sha256("\n".join(sorted(t)).encode()).hexdigest()[:16]
        for label, t in sorted(texts.items())
    }


def frame_key(data: dict) -> str:
    """Hash of everything in a training input but the phrasings themselves, and the language
    markers the phrasings' words make (a new phrasing often adds one)."""
    frame = {k: v for k, v in data.items() if k not in ("examples", "normalizer")}
    markers = ("english", "indonesian")
    frame["lexicon"] = {k: v for k, v in data["normalizer"].items() if k not in markers}
    return input_key(frame)


def examples_of(data: dict) -> Examples:
    """The examples of a training input."""
    pairs = data["examples"]
    return Examples([t for _, t in pairs], [label for label, _ in pairs], data.get("topics") or {})


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
