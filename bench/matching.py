"""Matching benchmark: accuracy against two baselines, and latency at real and grown KB size.

Usage (from the project root, after `pip install -e '.[bench]'`):
    python bench/matching.py QUESTIONS.tsv [--synthetic 10000] [--repeat 3]

QUESTIONS.tsv has a header `topic<TAB>question`; `a|b` accepts either topic, `none` means the
question must be declined. Printed, in one run on the same knowledge base:
- this matcher: top-1 (declines count when expected), in-scope top-3, out-of-scope declined;
- BM25 (the bm25s package) over the same phrasings, and plain rapidfuzz WRatio on raw text;
  baselines have no decline band, so each gets the decline threshold that suits it best on
  this very file (a generous comparison);
- match latency p50/p99 at the real size and with the KB grown to N synthetic entries.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process, utils  # noqa: E402

from bot.answering.matcher import ANSWER, Matcher, MatchParams  # noqa: E402
from bot.config import DEFAULT_KNOWLEDGE_DIR  # noqa: E402
from bot.kb.model import Entry, KnowledgeBase, load_directory  # noqa: E402


def load_cases(path: Path) -> list[tuple[set[str], str]]:
    """(acceptable topics, question) rows of a labelled file."""
    with path.open(newline="", encoding="utf-8") as f:
        return [
            (set(r["topic"].split("|")), r["question"]) for r in csv.DictReader(f, delimiter="\t")
        ]


def score(predictions: list[tuple[str | None, list[str]]], cases) -> dict[str, float]:
    """top-1 over all, top-3 in scope, declined out of scope, from (answer topic, top-3 topics)."""
    top1 = top3 = declined = in_scope = out_scope = 0
    for (want, _), (topic, top) in zip(cases, predictions, strict=True):
        if want == {"none"}:
            out_scope += 1
            declined += topic is None
            top1 += topic is None
        else:
            in_scope += 1
            top1 += topic in want
            top3 += topic in want or any(t in want for t in top[:3])
    return {
        "top1": top1 / len(cases),
        "top3": top3 / max(in_scope, 1),
        "declined": declined / max(out_scope, 1),
    }


def ours(kb: KnowledgeBase, cases) -> list[tuple[str | None, list[str]]]:
    matcher = Matcher(kb)
    out = []
    for _, q in cases:
        m = matcher.match(q)
        out.append(
            (m.best.topic if m.band == ANSWER and m.best else None, [c.topic for c in m.candidates])
        )
    return out


def _phrasings(kb: KnowledgeBase) -> tuple[list[str], list[str]]:
    texts, topics = [], []
    for e in kb.entries.values():
        for q in [*e.questions["id"], *e.questions["en"]]:
            texts.append(q)
            topics.append(e.topic)
    return texts, topics


def _with_best_threshold(ranked: list[list[tuple[str, float]]], cases):
    """Pick the decline threshold that maximises top-1 for a baseline, then predict."""
    best, best_preds = -1.0, []
    scores = sorted({s for r in ranked for _, s in r[:1]})
    for threshold in [0.0, *scores]:
        preds = [
            ((r[0][0] if r and r[0][1] >= threshold else None), [t for t, _ in r[:3]])
            for r in ranked
        ]
        acc = score(preds, cases)["top1"]
        if acc > best:
            best, best_preds = acc, preds
    return best_preds


def _dedupe_topics(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    seen, out = set(), []
    for topic, s in pairs:
        if topic not in seen:
            seen.add(topic)
            out.append((topic, s))
    return out


def bm25(kb: KnowledgeBase, cases):
    import bm25s

    texts, topics = _phrasings(kb)
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, show_progress=False), show_progress=False)
    ranked = []
    for _, q in cases:
        docs, scores = retriever.retrieve(
            bm25s.tokenize([q], show_progress=False), k=30, show_progress=False
        )
        ranked.append(
            _dedupe_topics([(topics[d], float(s)) for d, s in zip(docs[0], scores[0], strict=True)])
        )
    return _with_best_threshold(ranked, cases)


def wratio(kb: KnowledgeBase, cases):
    texts, topics = _phrasings(kb)
    ranked = []
    for _, q in cases:
        hits = process.extract(
            q, texts, scorer=fuzz.WRatio, processor=utils.default_process, limit=30
        )
        ranked.append(_dedupe_topics([(topics[i], s) for _, s, i in hits]))
    return _with_best_threshold(ranked, cases)


def grow(kb: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """The KB plus synthetic entries made by recombining real phrasing words (same vocabulary)."""
    rng = random.Random(seed)
    words = [w for e in kb.entries.values() for q in e.questions["id"] for w in q.split()]
    base = list(kb.entries.values())
    entries = dict(kb.entries)
    for i in range(size - len(entries)):
        model = base[i % len(base)]
        questions = {
            lang: [
                " ".join(rng.choices(words, k=rng.randint(5, 10))) for _ in model.questions[lang]
            ]
            for lang in ("id", "en")
        }
        synthetic: Entry = replace(model, id=f"syn-{i}", questions=questions, related=[])
        entries[synthetic.id] = synthetic
    return replace(kb, entries=entries)


def latency(kb: KnowledgeBase, questions: list[str], repeat: int) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, index build s) of Matcher.match over the questions."""
    start = time.perf_counter()
    # No ranking cache: every timed call does the full work, as for a new question.
    matcher = Matcher(kb, MatchParams(cache_size=0))
    build = time.perf_counter() - start
    for q in questions:  # warm caches (stemmer, typo lookups) as a running bot has them
        matcher.match(q)
    times = []
    for _ in range(repeat):
        for q in questions:
            t = time.perf_counter()
            matcher.match(q)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], build


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions", type=Path)
    ap.add_argument("--synthetic", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    kb = load_directory(DEFAULT_KNOWLEDGE_DIR)
    cases = load_cases(args.questions)
    n_phr = sum(len(e.questions["id"]) + len(e.questions["en"]) for e in kb.entries.values())
    print(f"knowledge base: {len(kb.entries)} entries, {n_phr} phrasings; {len(cases)} questions")
    print(f"{'matcher':34} {'top-1':>7} {'top-3 in':>9} {'declined':>9}")
    for name, fn in (
        ("this matcher", ours),
        ("BM25 (bm25s), best threshold", bm25),
        ("rapidfuzz WRatio, best threshold", wratio),
    ):
        s = score(fn(kb, cases), cases)
        print(f"{name:34} {s['top1']:7.1%} {s['top3']:9.1%} {s['declined']:9.1%}")
    questions = [q for _, q in cases]
    p50, p99, build = latency(kb, questions, args.repeat)
    print(
        f"latency at real size ({len(kb.entries)} entries): "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (index {build:.2f} s)"
    )
    big = grow(kb, args.synthetic)
    p50, p99, build = latency(big, questions, 1)
    print(
        f"latency at {len(big.entries)} entries: "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (index {build:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
