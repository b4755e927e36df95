"""Show how the matcher reads questions: tokens, band and reason, candidates, and the features
that pushed the best entry up.

Usage: python bench/explain.py "question" ["question" ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.answering.model import vectorize  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core import Core  # noqa: E402


def contributions(model, text: str, row: int, top: int = 8) -> list[tuple[str, float]]:
    """The features of `text` that weigh most for class `row` (weight x value); entry classes
    come first, then the topic classifier's."""
    idx, vals = vectorize(model.featurizer.blocks(text), model.vocab, model.idf)
    names = model.vocab.names()
    out = []
    for i, v in zip(idx.tolist(), vals.tolist(), strict=True):
        lo, hi = model.indptr[i], model.indptr[i + 1]
        for c, w in zip(model.classes[lo:hi], model.weights[lo:hi], strict=True):
            if c == row:
                out.append((names[i], float(w) * v))
    return sorted(out, key=lambda p: -abs(p[1]))[:top]


def main() -> None:
    core = Core.open(Settings.load())
    matcher = core.answers.matcher
    for question in sys.argv[1:]:
        match = matcher.match(question, top=6)
        print(f"\n{question}\n  lang={match.lang} band={match.band} reason={match.reason}")
        print(
            f"  confidence {match.confidence:.2f}, runner-up topic {match.runner_up:.2f}; "
            f"others {match.probs}"
        )
        print("  tokens:", " ".join(matcher.normalizer.tokens(question)))
        for c in match.candidates:
            print(f"   {c.score:5.1f} {c.topic:22} {c.entry_id}")
        model = matcher.model
        if match.candidates:
            best = match.candidates[0]
            pushed = contributions(model, question, model.labels.index(best.entry_id))
            print(
                "  features for",
                best.entry_id + ":",
                ", ".join(f"{g!r} {w:+.2f}" for g, w in pushed),
            )
            if best.topic in model.topic_labels:
                row = len(model.labels) + model.topic_labels.index(best.topic)
                pushed = contributions(model, question, row)
                print(
                    "  features for",
                    best.topic + ":",
                    ", ".join(f"{g!r} {w:+.2f}" for g, w in pushed),
                )


if __name__ == "__main__":
    main()
