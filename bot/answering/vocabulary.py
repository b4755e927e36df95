"""The matcher's vocabulary: feature names (n-grams) to feature ids, held compactly.

A dict of the 51,000 names cost the bot 6.3 MB (a string, an integer and a table slot per name);
here the names are one string, and they are found through a sorted array of their 64-bit hashes:
1.3 MB, and a question's n-grams are looked up at once, about as fast as with the dict.

Two names could share a hash. Among the vocabulary's own names this is checked when it is built
(the few that would are looked up by name). A name the model never saw is taken for one it knows
only if its hash equals one of the 51,000 stored: a chance of about 3 in 10**15 per n-gram, with
Python's string hash, whose key is drawn afresh in every process (no text can be made to collide
on purpose). Comparing each found name with the stored one would rule even that out, but made a
question's matching 10-20 % slower (p50 and p99 over bench/eval/tune.tsv).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


class Vocabulary:
    """Feature names and their ids (a name's id is its position in the artefact's list)."""

    def __init__(self, names: Iterable[str]):
        """The vocabulary of `names`, in id order (distinct, none holding a newline)."""
        names = list(names)
        self._size = len(names)
        self._text = "\n".join(names)
        # Python's string hash, as the lookup computes it: fixed for the life of the process.
        hashes = np.fromiter(map(hash, names), dtype=np.int64, count=len(names))
        order = np.argsort(hashes, kind="stable")
        hashes = hashes[order]
        # Names sharing a hash are left out of the array and looked up by name instead.
        shared = np.zeros(len(hashes), dtype=bool)
        same = hashes[1:] == hashes[:-1]
        shared[1:] |= same
        shared[:-1] |= same
        self._shared = {names[i]: i for i in order[shared].tolist()}
        self._hashes = hashes[~shared]
        self._ids = order[~shared]

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The vocabulary stored in an artefact: its names in id order, one a line."""
        return cls(text.split("\n") if text else [])

    def __len__(self) -> int:
        return self._size

    @property
    def text(self) -> str:
        """The names in id order, one a line (the artefact's form)."""
        return self._text

    def names(self) -> list[str]:
        """Every name, in id order."""
        return self._text.split("\n") if self._size else []

    def ids(self, grams: Sequence[str]) -> np.ndarray:
        """The id of each of `grams` (int64), -1 for the names not in the vocabulary."""
        if len(grams) and len(self._hashes):
            hashes = np.fromiter(map(hash, grams), dtype=np.int64, count=len(grams))
            slot = np.minimum(np.searchsorted(self._hashes, hashes), len(self._hashes) - 1)
            found = np.where(self._hashes[slot] == hashes, self._ids[slot], -1)
        else:
            found = np.full(len(grams), -1, dtype=np.int64)
        if self._shared:
            for k, gram in enumerate(grams):
                found[k] = self._shared.get(gram, found[k])
        return found
