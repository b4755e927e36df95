"""Matching a question to knowledge-base entries: the index, the scoring and the three bands.

Scoring, per entry, mixes three signals measured on the dev set (see bench/matching.py):
- coverage: how much of the question's weighted vocabulary the entry's phrasings contain
  (an off-topic question has words no entry knows, so its coverage stays low);
- closeness: the best idf-weighted cosine between the question and one phrasing;
- shape: rapidfuzz's token-set ratio against that phrasing (word order, partial overlaps).
Typos are folded by mapping unknown words to the closest known word with rapidfuzz.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.answering.normalize import Normalizer
from bot.kb.model import KnowledgeBase

ANSWER, SUGGEST, DECLINE = "answer", "suggest", "decline"


@dataclass(frozen=True)
class MatchParams:
    """Weights and thresholds, tuned on the dev set and bench/questions.tsv (kept apart)."""

    w_coverage: float = 0.40
    w_cosine: float = 0.25
    w_fuzz: float = 0.30
    answer_at: float = 44.0  # at or above: answer, if the runner-up topic is far enough behind
    # The same for a question that names an election word (knowledge/slang.yaml `domain`).
    answer_at_in_domain: float = 36.0
    sure_at: float = 55.0  # at or above: answer even when a close runner-up exists
    margin: float = 0.5  # points between best and best entry of another topic
    suggest_at: float = 26.0  # between this and the answer threshold: "did you mean"
    # Without an election word, a middling score is more likely another subject: only a
    # score close to answering gets "did you mean"; below that the question is declined.
    suggest_at_off_domain: float = 40.0
    typo_cutoff: float = 82.0  # rapidfuzz ratio for mapping an unknown word to a known one
    rerank: int = 12  # entries scored in full after the coverage pass
    # How much a phrasing's own extra words (a concept the question never named, like "kepala
    # desa") count against it, versus the question's extra words: 0.5 is the plain cosine.
    phrasing_weight: float = 0.6
    # A word counts fully for an entry's coverage once this share of the entry's phrasings use
    # it; a word that appears once, incidentally, counts little ("golongan" in a quote).
    central_share: float = 0.25
    cache_size: int = 4096  # rankings kept for repeated questions (0: none, for benchmarks)


@dataclass(frozen=True)
class Candidate:
    """An entry considered for a question, with its 0-100 score."""

    entry_id: str
    topic: str
    score: float


@dataclass(frozen=True)
class Match:
    """The outcome for one question: band, ranked candidates, detected language."""

    band: str
    candidates: list[Candidate]
    lang: str

    @property
    def best(self) -> Candidate | None:
        """The answered entry (only in the answer band)."""
        return self.candidates[0] if self.band == ANSWER and self.candidates else None

    @property
    def score(self) -> float:
        """Score of the best candidate, 0 when there is none."""
        return self.candidates[0].score if self.candidates else 0.0


@dataclass
class _Phrasing:
    tokens: frozenset[str]
    scale: float  # (sum of squared idf of its tokens) ** phrasing_weight


class Matcher:
    """An index over every phrasing of a knowledge base."""

    def __init__(self, kb: KnowledgeBase, params: MatchParams | None = None):
        self.params = params or MatchParams()
        # Per instance, so a reloaded knowledge base starts with an empty cache.
        self._ranked = lru_cache(maxsize=self.params.cache_size)(self._rank)
        self.normalizer = self._language_aware(Normalizer.from_lexicon(kb.lexicon), kb)
        self.entry_ids: list[str] = list(kb.entries)
        self.topics: list[str] = [kb.entries[e].topic for e in self.entry_ids]
        phrasings: list[tuple[int, list[str]]] = []
        for i, eid in enumerate(self.entry_ids):
            entry = kb.entries[eid]
            texts = [
                *((q, "id") for q in entry.questions["id"]),
                *((q, "en") for q in entry.questions["en"]),
                *((entry.title[lang], lang) for lang in ("id", "en")),
            ]
            for text, lang in texts:
                toks = self.normalizer.tokens(text, lang)
                if toks:
                    phrasings.append((i, toks))
        vocab_of: list[Counter[str]] = [Counter() for _ in self.entry_ids]
        for i, toks in phrasings:
            vocab_of[i].update(set(toks))
        df: dict[str, int] = defaultdict(int)
        for vocab in vocab_of:
            for tok in vocab:
                df[tok] += 1
        n = max(len(self.entry_ids), 1)
        self.idf: dict[str, float] = {t: math.log(1 + n / d) for t, d in df.items()}
        self.unknown_idf = math.log(1 + n / 0.5)
        self.vocab: list[str] = sorted(self.idf)
        # token -> {entry: centrality 0-1 of the token in that entry}
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        counts = Counter(i for i, _ in phrasings)
        for i, vocab in enumerate(vocab_of):
            for tok, k in vocab.items():
                self.postings[tok][i] = min(1.0, k / counts[i] / self.params.central_share)
        # Words in more entries than this only add to entries a rarer word already reached:
        # walking their long postings would cost time that grows with the KB.
        self.common_above = max(50, len(self.entry_ids) // 4)
        self.phrasings_of: list[list[_Phrasing]] = [[] for _ in self.entry_ids]
        self.texts_of: list[list[str]] = [[] for _ in self.entry_ids]
        for i, toks in phrasings:
            tokset = frozenset(toks)
            norm = sum(self.idf[t] ** 2 for t in tokset)
            self.phrasings_of[i].append(_Phrasing(tokset, norm**self.params.phrasing_weight))
            self.texts_of[i].append(" ".join(toks))

    @staticmethod
    def _language_aware(normalizer: Normalizer, kb: KnowledgeBase) -> Normalizer:
        """Add, as language markers, words used only in one language's phrasings."""
        words: dict[str, set[str]] = {lang: set() for lang in ("id", "en")}
        for entry in kb.entries.values():
            for lang in words:
                for q in entry.questions[lang]:
                    words[lang].update(normalizer.raw_tokens(q))
        only_en, only_id = words["en"] - words["id"], words["id"] - words["en"]
        return replace(
            normalizer,
            english=normalizer.english | only_en,
            indonesian=normalizer.indonesian | (only_id - normalizer.english),
        )

    def _coverage(self, weights: dict[str, float]) -> dict[int, float]:
        """Weighted, centrality-scaled share of the question each reachable entry contains."""
        known = sorted(
            (t for t in weights if t in self.postings), key=lambda t: len(self.postings[t])
        )
        rare = [t for t in known if len(self.postings[t]) <= self.common_above] or known[:1]
        coverage: dict[int, float] = defaultdict(float)
        for tok in rare:
            w = weights[tok]
            for i, centrality in self.postings[tok].items():
                coverage[i] += w * centrality
        for tok in known[len(rare) :]:
            w, posting = weights[tok], self.postings[tok]
            for i in coverage:
                if i in posting:
                    coverage[i] += w * posting[i]
        return coverage

    def _resolve(self, tokens: list[str]) -> list[tuple[str, float, float]]:
        """Each query token as (known token or itself, similarity 0-1, idf)."""
        out = []
        for tok in dict.fromkeys(tokens):
            if tok in self.idf:
                out.append((tok, 1.0, self.idf[tok]))
                continue
            found = None
            if len(tok) >= 4 and not tok.isdigit():
                found = process.extractOne(
                    tok, self.vocab, scorer=fuzz.ratio, score_cutoff=self.params.typo_cutoff
                )
            if found:
                known = found[0]
                out.append((known, found[1] / 100, self.idf[known]))
            else:
                out.append((tok, 0.0, self.unknown_idf))
        return out

    def match(self, question: str, top: int = 3) -> Match:
        """Rank entries for a question and decide the band; keep the `top` best candidates."""
        lang = self.normalizer.language(question)
        tokens = tuple(self.normalizer.tokens(question, lang))
        # ASN ask the same few questions all day: identical word sets share one ranking.
        match = self._ranked(tokens, lang)
        return replace(match, candidates=match.candidates[:top])

    def _rank(self, tokens: tuple[str, ...], lang: str) -> Match:
        p = self.params
        resolved = self._resolve(list(tokens))
        weights = {t: (sim * idf) ** 2 for t, sim, idf in resolved if sim > 0}
        total = sum(idf**2 for _, _, idf in resolved)
        if not weights or total == 0:
            return Match(DECLINE, [], lang)

        coverage = self._coverage(weights)
        shortlist = heapq.nlargest(p.rerank, coverage, key=coverage.__getitem__)
        # Unknown words stay in: a question mostly about something else must not look whole.
        query_text = " ".join(t for t, _, _ in resolved)
        scored = []
        asked = frozenset(weights)
        query_scale = total ** (1 - p.phrasing_weight)
        for i in shortlist:
            best_cos = 0.0
            for ph in self.phrasings_of[i]:
                common = ph.tokens & asked
                if common:
                    cos = sum(weights[t] for t in common) / (query_scale * ph.scale)
                    best_cos = max(best_cos, cos)
            fz = process.extractOne(query_text, self.texts_of[i], scorer=fuzz.token_set_ratio)
            best_fuzz = fz[1] / 100 if fz else 0.0
            score = 100 * (
                p.w_coverage * coverage[i] / total + p.w_cosine * best_cos + p.w_fuzz * best_fuzz
            )
            scored.append(Candidate(self.entry_ids[i], self.topics[i], round(score, 1)))
        scored.sort(key=lambda c: c.score, reverse=True)
        best = scored[0]
        rival = next((c.score for c in scored[1:] if c.topic != best.topic), 0.0)
        in_domain = any(t in self.normalizer.domain for t in tokens)
        answer_at = p.answer_at_in_domain if in_domain else p.answer_at
        if best.score >= p.sure_at or (best.score >= answer_at and best.score - rival >= p.margin):
            band = ANSWER
        elif best.score >= (p.suggest_at if in_domain else p.suggest_at_off_domain):
            band = SUGGEST
        else:
            band = DECLINE
        return Match(band, scored[:10], lang)
