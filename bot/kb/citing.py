"""Which sources an answer shows under it, and the rule that it shows one a user can cite.

ASN who quote the bot to a superior need a number: a law and its article, a regulation, a
decree or a circular. An answer lists at most four of its sources; the rest are one tap away in
"Dasar hukum". So the choice of the four is made here, once, for the answer view and for
validation alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

# Sources listed under an answer; the others are one tap away in "Dasar hukum".
MAX_SHOWN_SOURCES = 4
# The verdict of a plain piece of information (a channel, a procedure), not a ruling.
INFO = "info"


class Citable(Protocol):
    """What this module reads of a source (`bot.kb.model.Source`, which imports this module)."""

    @property
    def id(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def number(self) -> str: ...


S = TypeVar("S", bound=Citable)


def shown_sources(sources: Sequence[S]) -> tuple[list[S], int]:
    """Of an entry's sources (each once, in citation order: `KnowledgeBase.sources_of`), those
    listed under the answer, and how many more sit behind "Dasar hukum".

    At most four, national law first. When all four are national, the first regional circular
    the entry cites takes the last place: ASN usually hold their regency's circular and look for
    its number, and it shows how the national rule was applied.
    """
    shown = list(sources[:MAX_SHOWN_SOURCES])
    if not any(s.region for s in shown):
        regional = next((s for s in sources[MAX_SHOWN_SOURCES:] if s.region), None)
        if regional is not None:
            shown = shown[: MAX_SHOWN_SOURCES - 1] + [regional]
    return shown, len(sources) - len(shown)


def numbered(source: Citable) -> bool:
    """A source a user can cite by number (a law, regulation, decree or circular), not a
    statement, press release or reporting channel. Its `short`, shown under answers, carries
    the number."""
    return bool(source.number.strip())


def shown_reference_problem(verdict: str, sources: Sequence[Citable]) -> str:
    """Why an answer with this verdict and these sources (each once, in citation order) lists no
    numbered source ("" when it lists one, or need not).

    Only an `info` entry may rest on statements and reporting channels alone (where to report,
    what evidence helps): it has no number to show. Any other verdict is a ruling, and a ruling
    names the law, regulation or circular it comes from, in the first message.
    """
    if not any(numbered(s) for s in sources):
        if verdict == INFO:
            return ""
        return (
            f"a '{verdict}' answer needs a law, regulation, decree or circular with a "
            f"number among its citations (it cites only {', '.join(s.id for s in sources)})"
        )
    shown, _ = shown_sources(sources)
    if any(numbered(s) for s in shown):
        return ""
    first = next(s for s in sources if numbered(s))
    return (
        f"the answer lists no law, regulation or circular by number (it lists only "
        f"{', '.join(s.id for s in shown)}); cite '{first.id}' among the first "
        f"{MAX_SHOWN_SOURCES} sources"
    )
