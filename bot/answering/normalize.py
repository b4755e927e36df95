"""Text normalisation: the way ASN type becomes the tokens the matcher compares.

The same normaliser runs over the knowledge base's phrasings and over every question, so slang,
typos in repeated letters and affixes fold the same way on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_REDUPLICATION = re.compile(r"\b([a-z]{2,})2\b")  # "undang2" -> "undang undang"
_REPEATS = re.compile(r"([a-z])\1{2,}")  # "bolehhh" -> "boleh"
# A phrase said three times or more in a row ("mohon penjelasannya ya mohon penjelasannya ya
# ..."), on single-spaced text: kept once.
_REPEATED_PHRASE = re.compile(r"(\S.{0,78}? )\1{2,}")


def squeeze_repeats(text: str) -> str:
    """`text` (words separated by single spaces) with each phrase repeated three times or more
    in a row kept once. Why: sublinear term counts still let a filler pasted twenty times
    outweigh the one question before it, and a flood of one phrase says nothing more."""
    return _REPEATED_PHRASE.sub(r"\1", text + " ").rstrip()


_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=50_000)
def stem(token: str) -> str:
    """Indonesian stem of one token (Sastrawi); short and numeric tokens are left alone."""
    if len(token) <= 3 or token.isdigit():
        return token
    return _stemmer().stem(token) or token


@lru_cache(maxsize=1)
def _english() -> Any:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=50_000)
def stem_english(token: str) -> str:
    """English stem of one token (Snowball): campaigns, campaigning -> campaign."""
    if len(token) <= 3 or token.isdigit():
        return token
    return _english().stemWord(token)


@dataclass(frozen=True)
class Reading:
    """A text read once: what the featurizer and the bands both need, so a question is
    tokenised and its language detected once rather than five times (`Normalizer.read`)."""

    words: list[str]  # `Normalizer.raw_tokens`: the words as typed
    lang: str  # `Normalizer.language`
    tokens: list[str]  # `Normalizer.tokens` in that language: the content tokens


@dataclass(frozen=True, eq=False)
class Normalizer:
    """Turns text into comparable tokens using the lexicon from `knowledge/slang.yaml`."""

    slang: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    nostem: frozenset[str] = frozenset()
    domain: frozenset[str] = frozenset()
    english: frozenset[str] = frozenset()
    indonesian: frozenset[str] = frozenset()

    @classmethod
    def from_lexicon(cls, lexicon: dict[str, Any]) -> Normalizer:
        """Build from the lexicon mapping stored with the knowledge base.

        English glosses fold like slang and are English markers too (`teachers` -> guru, still
        English to a reader); `training_data.normalizer_for` drops those an `id:` phrasing uses.
        """
        glosses = dict(lexicon.get("english_glosses", {}))
        return cls(
            slang={**lexicon.get("slang", {}), **glosses},
            phrases=dict(lexicon.get("phrases", {})),
            stopwords=frozenset(lexicon.get("stopwords", [])),
            nostem=frozenset(lexicon.get("nostem", [])),
            domain=frozenset(lexicon.get("domain", [])),
            english=frozenset(lexicon.get("english", [])) | frozenset(glosses),
            indonesian=frozenset(lexicon.get("indonesian", [])),
        )

    def raw_tokens(self, text: str) -> list[str]:
        """Lower-cased word tokens, emoji and punctuation gone, repeated letters folded."""
        text = unicodedata.normalize("NFKC", text).casefold()
        text = _REDUPLICATION.sub(r"\1 \1", text)
        text = _REPEATS.sub(r"\1", text)
        return _TOKEN.findall(text)

    @cached_property
    def _phrase_pattern(self) -> re.Pattern[str] | None:
        if not self.phrases:
            return None
        # Longest first, so "pasangan calon" wins over "pasangan".
        alternatives = sorted(self.phrases, key=len, reverse=True)
        return re.compile(r"\b(" + "|".join(map(re.escape, alternatives)) + r")\b")

    def fold_phrases(self, words: list[str]) -> list[str]:
        """Replace multi-word phrases (on the joined words) by their lexicon replacement."""
        if self._phrase_pattern is None:
            return words
        text = self._phrase_pattern.sub(lambda m: self.phrases[m.group(1)], " ".join(words))
        return text.split()

    def expand(self, token: str) -> list[str]:
        """Slang mapping of one token (hyphenated forms first, then their parts)."""
        if token in self.slang:
            return self.slang[token].split()
        if "-" in token:
            return [w for part in token.split("-") for w in self.expand(part)]
        return [token]

    def tokens(self, text: str, lang: str | None = None) -> list[str]:
        """Content tokens: slang mapped, stemmed, stopwords dropped, order kept.

        Slang maps to Indonesian words, which get the Indonesian stemmer; the other words of an
        English text (`lang`, detected when None) get the English one.
        """
        return self.read(text, lang).tokens

    def read(self, text: str, lang: str | None = None) -> Reading:
        """The text's words, language (`lang`, detected when None) and content tokens."""
        words = self.raw_tokens(text)
        lang = lang or self._language_of(words)
        return Reading(words, lang, self._content(words, lang == "en"))

    def _content(self, words: list[str], english: bool) -> list[str]:
        out: list[str] = []
        for raw in self.fold_phrases(words):
            from_slang = raw in self.slang
            for word in self.expand(raw):
                if word in self.stopwords:
                    continue
                if word in self.nostem:
                    stemmed = word
                elif english and not from_slang:
                    stemmed = stem_english(word)
                else:
                    stemmed = stem(word)
                if stemmed not in self.stopwords:
                    out.append(stemmed)
        return out

    def language(self, text: str) -> str:
        """'en' when the text reads as English, else 'id' (the bot's default)."""
        return self._language_of(self.raw_tokens(text))

    def _language_of(self, words: list[str]) -> str:
        english, indonesian, slang = self.english, self.indonesian, self.slang
        en = sum(map(english.__contains__, words))
        # Slang counts as Indonesian, except words that are English markers, as the English
        # glosses are (teachers -> guru): folded to Indonesian, still English to a reader.
        idn = sum(1 for w in words if w in indonesian or (w in slang and w not in english))
        return "en" if en > idn else "id"
