"""Show how the matcher reads questions: tokens, resolved words and the top candidates.

Usage: python bench/explain.py "question" ["question" ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings  # noqa: E402
from bot.core import Core  # noqa: E402


def main() -> None:
    core = Core.open(Settings.load())
    matcher = core.answers.matcher
    for question in sys.argv[1:]:
        tokens = matcher.normalizer.tokens(question)
        resolved = matcher._resolve(tokens)
        match = matcher.match(question, top=6)
        print(f"\n{question}\n  lang={match.lang} band={match.band}")
        print(
            "  tokens:",
            " ".join(
                f"{t}->{k}({s:.2f},idf {i:.1f})"
                for t, (k, s, i) in zip(dict.fromkeys(tokens), resolved, strict=True)
            ),
        )
        for c in match.candidates:
            print(f"   {c.score:5.1f} {c.topic:22} {c.entry_id}")


if __name__ == "__main__":
    main()
