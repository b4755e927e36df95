"""Matching benchmark: the learned matcher beside two baselines; latency, retraining, memory.

Usage (from the project root):
    python bench/matching.py QUESTIONS.tsv [MORE.tsv ...] [--synthetic 10000] [--repeat 3]
        [--latency-only]  (the latency lines alone: quick before/after runs)

QUESTIONS.tsv has a header `topic<TAB>question`; `a|b` accepts either topic, `none` means the
question must be declined. Printed, in one run on the same knowledge base:
- this matcher (bands as the bot uses them: a question counts as answered only in the answer
  band), BM25 (the bm25s package) over the same phrasings, and rapidfuzz WRatio on raw text,
  each with top-1 (declines count when expected), in-scope top-3 and out-of-scope declined.
  Baselines have no decline band, so each gets the threshold that suits it best on this very
  file (a generous comparison); this matcher's thresholds are fixed (bot/answering/bands.py);
- match latency p50/p99 at the real size and with the KB grown to N synthetic entries;
- retraining time at both sizes (training input, featurise, fit, calibrate, export; wall, and
  CPU counting the calibration child), at the real size after `--repeat` one-phrasing edits in
  a process that has built before (the bot's kept builder);
- the memory the loaded model adds to a process (numpy's import and the model itself).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process, utils  # noqa: E402

from bot.answering import refresh, training  # noqa: E402
from bot.answering.bands import BandParams, LearnedMatcher  # noqa: E402
from bot.answering.model import Model  # noqa: E402
from bot.config import DEFAULT_KNOWLEDGE_DIR  # noqa: E402
from bot.kb.model import Entry, KnowledgeBase, load_directory  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent


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


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the calibration child)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def train_timed(kb: KnowledgeBase) -> tuple[Model, float, float]:
    """(model, wall seconds, CPU seconds) of one rebuild as the bot runs it: the training input
    made (in the bot's process), then `build` (in the builder process: here, this one)."""
    wall, cpu = time.perf_counter(), _cpu()
    data = training.training_input(kb, DEFAULT_KNOWLEDGE_DIR, training.TrainConfig())
    raw = training.build(data)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    return Model.from_bytes(raw, training.normalizer_from(data)), wall, cpu


def refresh_timed(kb: KnowledgeBase, previous: bytes) -> tuple[bytes | None, float, float]:
    """(quick artefact, wall seconds, CPU seconds) of the quick model an edit gets first
    (`bot.answering.refresh`), from the artefact being served: the training input made, then
    `refresh` (in the builder process: here, this one)."""
    wall, cpu = time.perf_counter(), _cpu()
    data = training.training_input(kb, DEFAULT_KNOWLEDGE_DIR, training.TrainConfig())
    raw = refresh.refresh(data, previous)
    return raw, time.perf_counter() - wall, _cpu() - cpu


def edited(kb: KnowledgeBase, n: int) -> KnowledgeBase:
    """The knowledge base after an admin's n-th edit: one more phrasing on one entry."""
    entry_id = sorted(kb.entries)[(n * 37) % len(kb.entries)]
    entry = kb.entries[entry_id]
    questions = dict(entry.questions)
    questions["id"] = [*questions["id"], f"kalau situasinya seperti contoh nomor {n}, bagaimana?"]
    return replace(kb, entries={**kb.entries, entry_id: replace(entry, questions=questions)})


def ours(matcher: LearnedMatcher, cases) -> list[tuple[str | None, list[str]]]:
    out = []
    for _, q in cases:
        m = matcher.match(q)
        out.append((m.best.topic if m.best else None, [c.topic for c in m.candidates]))
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


def latency(matcher: LearnedMatcher, questions: list[str], repeat: int) -> list[float]:
    """[p50, p99] ms of a full match (no cache) over the questions, by the wall clock and by
    the thread's CPU time (which a busy shared machine's preemptions do not inflate)."""
    for q in questions:  # warm the stemmer's cache, as a running bot has it
        matcher.match(q)
    wall, cpu = [], []
    for _ in range(repeat):
        for q in questions:
            t, c = time.perf_counter(), time.thread_time()
            matcher.match(q)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
    out = []
    for times in (wall, cpu):
        times.sort()
        out += [statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)]]
    return out


MEMORY_PROBE = """
import sys, json
sys.path.insert(0, {root!r})
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
import bot.answering.bands, bot.kb.model
from bot.answering import training
from bot.answering.model import Model
from bot.config import DEFAULT_KNOWLEDGE_DIR
kb = bot.kb.model.load_directory(DEFAULT_KNOWLEDGE_DIR)
normalizer = training.normalizer_for(kb)
before = rss()
raw = open({path!r}, 'rb').read()
matcher = bot.answering.bands.LearnedMatcher(Model.from_bytes(raw, normalizer), kb)
matcher.match('boleh like postingan caleg?')
del raw
after = rss()
import sklearn.svm
print(json.dumps([before, after, rss()]))
"""


def memory(model: Model) -> tuple[float, float, float]:
    """(numpy's import MB, the loaded model's MB, scikit-learn's import MB), in a fresh process."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".npz") as f:
        f.write(model.to_bytes())
        f.flush()
        bare = subprocess.run(
            [sys.executable, "-c", "import numpy; print(open('/proc/self/status').read())"],
            capture_output=True,
            text=True,
            check=True,
        )
        plain = subprocess.run(
            [sys.executable, "-c", "print(open('/proc/self/status').read())"],
            capture_output=True,
            text=True,
            check=True,
        )

        def rss(status: str) -> float:
            line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
            return int(line.split()[1]) / 1024

        probe = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE.format(root=str(PROJECT), path=f.name)],
            capture_output=True,
            text=True,
            check=True,
        )
        before, after, with_sklearn = json.loads(probe.stdout)
    return rss(bare.stdout) - rss(plain.stdout), after - before, with_sklearn - after


def edit_costs(kb, model, repeat: int, cold_wall: float, cold_cpu: float) -> list[str]:
    """What `repeat` one-phrasing edits cost: the quick model, then the full build (lines)."""
    served = model.to_bytes()
    quick = []
    for n in range(1, repeat + 1):
        raw, wall, cpu = refresh_timed(edited(kb, n), served)
        if raw is None:
            sys.exit("no quick model for a one-phrasing edit")
        quick.append((wall, cpu))
    qwalls, qcpus = sorted(w for w, _ in quick), sorted(c for _, c in quick)
    edits = [train_timed(edited(kb, n))[1:] for n in range(1, repeat + 1)]
    walls, cpus = sorted(w for w, _ in edits), sorted(c for _, c in edits)
    return [
        f"  an edit answers from its quick model after {qwalls[0]:.2f}-{qwalls[-1]:.2f} s wall, "
        f"{qcpus[0]:.2f}-{qcpus[-1]:.2f} s CPU ({len(quick)} edits)",
        f"  full retraining after an edit {walls[0]:.2f}-{walls[-1]:.2f} s wall, "
        f"{cpus[0]:.2f}-{cpus[-1]:.2f} s CPU ({len(edits)} edits; first build in a fresh "
        f"process: {cold_wall:.2f} s wall, {cold_cpu:.2f} s CPU); {len(model.weights):,} "
        f"weights over {len(model.vocab):,} features",
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions", type=Path, nargs="+")
    ap.add_argument("--synthetic", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--latency-only",
        action="store_true",
        help="only the match latency (no accuracy table, edits or memory): before/after runs",
    )
    args = ap.parse_args()

    kb = load_directory(DEFAULT_KNOWLEDGE_DIR)
    n_phr = sum(len(e.questions["id"]) + len(e.questions["en"]) for e in kb.entries.values())
    print(f"knowledge base: {len(kb.entries)} entries, {n_phr} phrasings")
    model, cold_wall, cold_cpu = train_timed(kb)
    # Edits in the same process: what an admin's edit costs in the kept builder process: first
    # the quick model (from the artefact being served), then the full build that replaces it.
    costs = [] if args.latency_only else edit_costs(kb, model, args.repeat, cold_wall, cold_cpu)
    matcher = LearnedMatcher(model, kb, BandParams(cache_size=0))
    questions = []
    for path in args.questions:
        cases = load_cases(path)
        questions += [q for _, q in cases]
        if args.latency_only:
            continue
        print(f"\n{path} ({len(cases)} questions)")
        print(f"{'matcher':34} {'top-1':>7} {'top-3 in':>9} {'declined':>9}")
        for name, predict in (
            ("this matcher (learned, banded)", lambda c: ours(matcher, c)),
            ("BM25 (bm25s), best threshold", lambda c: bm25(kb, c)),
            ("rapidfuzz WRatio, best threshold", lambda c: wratio(kb, c)),
        ):
            s = score(predict(cases), cases)
            print(f"{name:34} {s['top1']:7.1%} {s['top3']:9.1%} {s['declined']:9.1%}")
    print()
    p50, p99, c50, c99 = latency(matcher, questions, args.repeat)
    print(
        f"real size ({len(kb.entries)} entries, {len(model.labels)} classes): match p50 "
        f"{p50:.2f} ms, p99 {p99:.2f} ms (CPU time p50 {c50:.2f}, p99 {c99:.2f})"
    )
    for line in costs:
        print(line)
    if not args.latency_only:
        numpy_mb, model_mb, sklearn_mb = memory(model)
        print(
            f"memory: numpy's import adds {numpy_mb:.1f} MB, the loaded model {model_mb:.1f} MB; "
            f"scikit-learn's import would add {sklearn_mb:.1f} MB (kept out: it trains in a "
            "child)"
        )
    if args.synthetic:
        big = grow(kb, args.synthetic)
        model, wall, cpu = train_timed(big)
        big_matcher = LearnedMatcher(model, big, BandParams(cache_size=0))
        p50, p99, c50, c99 = latency(big_matcher, questions, 1)
        kind = training.TrainConfig().classifier
        if kind == "auto":
            svm = len(model.labels) <= training.AUTO_SVM_MAX_CLASSES
            kind = "svm" if svm else "nearest centroids"
        print(
            f"{len(big.entries)} entries ({kind}): match p50 {p50:.2f} ms, p99 {p99:.2f} ms "
            f"(CPU time p50 {c50:.2f}, p99 {c99:.2f}); "
            f"retraining {wall:.1f} s wall, {cpu:.1f} s CPU; {len(model.weights):,} weights "
            f"over {len(model.vocab):,} features"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
