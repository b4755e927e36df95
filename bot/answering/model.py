"""The learned matcher, serving side: features and calibrated probabilities from exported weights.

The classifier is trained by `bot.answering.training` (scikit-learn, in its own process) and
exported as plain arrays; scoring here needs numpy only. Importing scikit-learn would add about
75 MB to the bot's memory, numpy about 10 MB (figures in bench/matching.py's output).

Features, the same at training and at serving time because both call `Featurizer`:
- character n-grams inside each word (padded with spaces), robust to typos, affixes and slang
  spellings ("ngelike", "nge-like", "like");
- word unigrams and bigrams over the normaliser's tokens (slang folded, stemmed).
Each block is TF-IDF weighted (sublinear tf) and L2-normalised, then scaled by its weight.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np

from bot.answering.normalize import Normalizer, Reading
from bot.answering.vocabulary import Vocabulary

FORMAT = 2  # 2: a second, topic-level classifier beside the entry classifier
# Labels of the classes that are not entries; entries' ids never start with "~".
OUT_OF_SCOPE = "~none"
INTENT_PREFIX = "~intent:"


@dataclass(frozen=True)
class FeatureSpec:
    """Which features the model reads, and how much each block weighs."""

    char_min: int = 2
    char_max: int = 5
    char_weight: float = 1.0
    # 0.85 (was 1.0) with the topic classifier's Crammer-Singer SVM (`TrainConfig`): alone,
    # fewer wrong answers and fewer right ones (folds 5,681/261 right/wrong against 5,695/270).
    word_weight: float = 0.85
    bigrams: bool = True
    # Character n-grams over the words after slang folding ("gk" -> "tidak") rather than raw.
    char_on_folded: bool = False

    @classmethod
    def from_dict(cls, data: dict) -> FeatureSpec:
        """The spec stored in an artefact (unknown keys from a newer format are ignored)."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@lru_cache(maxsize=100_000)
def _word_grams(word: str, lo: int, hi: int) -> tuple[str, ...]:
    """Character n-grams of one word padded with spaces (words repeat: cached)."""
    padded = f" {word} "
    size = len(padded)
    return tuple(
        padded[i : i + n] for n in range(lo, min(hi, size) + 1) for i in range(size - n + 1)
    )


@dataclass(frozen=True)
class Featurizer:
    """Turns a text into named features (strings), block by block."""

    spec: FeatureSpec
    normalizer: Normalizer

    def char_grams(self, text: str) -> list[str]:
        """Character n-grams of every word, each word padded with a space on both sides."""
        return self.char_grams_of(self.normalizer.raw_tokens(text))

    def char_words(self, words: list[str]) -> list[str]:
        """The words (as typed, `Normalizer.raw_tokens`) whose character n-grams are features."""
        if self.spec.char_on_folded:
            return [w for raw in words for w in self.normalizer.expand(raw)]
        return words

    def char_grams_of(self, words: list[str]) -> list[str]:
        """`char_grams` of a text already split into words."""
        out: list[str] = []
        lo, hi = self.spec.char_min, self.spec.char_max
        for word in self.char_words(words):
            out.extend(_word_grams(word, lo, hi))
        return out

    def word_grams(self, text: str) -> list[str]:
        """Normalised word unigrams ("w:") and adjacent pairs ("b:")."""
        return self.word_grams_of(self.normalizer.tokens(text))

    def word_grams_of(self, tokens: list[str]) -> list[str]:
        """`word_grams` of a text's content tokens: the unigrams first, then the pairs."""
        out = [f"w:{t}" for t in tokens]
        if self.spec.bigrams:
            out.extend(f"b:{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
        return out

    def blocks(self, text: str, reading: Reading | None = None) -> list[tuple[list[str], float]]:
        """(features, block weight) per block; `reading` is the text already read (the
        normaliser's `read`), which saves reading it again."""
        reading = reading or self.normalizer.read(text)
        return [
            (self.char_grams_of(reading.words), self.spec.char_weight),
            (self.word_grams_of(reading.tokens), self.spec.word_weight),
        ]


def vectorize(
    blocks: list[tuple[list[str], float]], vocab: Vocabulary, idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sparse TF-IDF vector of a text's feature blocks: (feature indices, values).

    Per block: sublinear tf times idf, L2-normalised, times the block's weight; features the
    model never saw are dropped.
    """
    ends = np.cumsum([len(grams) for grams, _ in blocks])
    every = vocab.ids([g for grams, _ in blocks for g in grams])
    found = np.split(every, ends[:-1])
    return _weigh([(ids, weight) for ids, (_, weight) in zip(found, blocks, strict=True)], idf)


def _weigh(
    blocks: list[tuple[np.ndarray, float]], idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`vectorize` of blocks already looked up: (feature ids, -1 for unknown; block weight)."""
    indices: list[np.ndarray] = []
    values: list[np.ndarray] = []
    # Counting and weighting run in numpy (this is most of a question's matching time).
    for found, weight in blocks:
        found = found[found >= 0]
        if not len(found):
            continue
        idx, counts = np.unique(found, return_counts=True)
        vals = (1.0 + np.log(counts)) * idf[idx].astype(np.float64)
        norm = math.sqrt(float(vals @ vals)) or 1.0
        indices.append(idx)
        values.append(vals * (weight / norm))
    if not indices:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(indices), np.concatenate(values)


# A feature that weighs for at least this share of the classes (common short n-grams: " ke",
# "an ") has its weights also held as a dense row, up to DENSE_BYTES in all, heaviest first.
# Such features bring ~90 % of a long question's weights; summing their rows is about twice as
# fast as gathering their weights one by one (at the real size, ~5,000 features, 2.7 MB).
DENSE_SHARE = 1 / 3
DENSE_BYTES = 4_000_000
# Words whose n-gram ids a model remembers (`Model._char_ids`): about 1.5 MB when full.
WORD_IDS_KEPT = 10_000


@dataclass(frozen=True)
class _DenseRows:
    """Dense weight rows of a model's heaviest features (serving only, never stored)."""

    row_of: np.ndarray  # per feature: its row in `rows`, or -1 (its weights stay sparse only)
    rows: np.ndarray  # float32, features x classes

    @classmethod
    def of(cls, indptr: np.ndarray, classes: np.ndarray, weights: np.ndarray, n: int):
        """The dense rows of the features that weigh for at least DENSE_SHARE of `n` classes."""
        counts = np.diff(indptr)
        heavy = np.flatnonzero(counts >= max(1.0, DENSE_SHARE * n))
        heavy = heavy[np.argsort(-counts[heavy], kind="stable")][: DENSE_BYTES // (4 * n or 1)]
        heavy.sort()
        row_of = np.full(len(counts), -1, dtype=np.int32)
        row_of[heavy] = np.arange(len(heavy), dtype=np.int32)
        rows = np.zeros((len(heavy), n), dtype=np.float32)
        # One feature at a time: a mask and copies over all the weights (several MB of
        # temporaries at the real size) raised the bot's peak RSS under bench/throughput.py by
        # about 3 MB (125.7 -> 122.4 MB).
        for row, f in enumerate(heavy.tolist()):
            start, end = indptr[f], indptr[f + 1]
            rows[row, classes[start:end]] = weights[start:end]
        return cls(row_of, rows)


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    if not len(scores):
        return scores
    z = scores / temperature
    z -= z.max()
    p = np.exp(z)
    return p / p.sum()


@dataclass
class Prediction:
    """Calibrated probabilities of every class for one text, best first."""

    labels: list[str]  # class labels, best first
    probs: list[float]  # calibrated probability of each, same order
    known: float  # share of the text's words the model has seen (0: none)

    @property
    def top(self) -> str:
        """Label of the most likely class."""
        return self.labels[0]


@dataclass
class Model:
    """A trained matcher: vocabulary, idf, sparse weights (feature -> classes), calibration.

    Two classifiers share the features and the weight arrays: one over `labels` (entries, out
    of scope, intents) and one over `topic_labels` (topics, out of scope, intents), whose
    classes follow the entry classes in `classes` and `bias`. The topic classifier learns from
    all of a topic's phrasings at once, which separates neighbouring topics better than summing
    entry probabilities (bench/crossval.py).
    """

    labels: list[str]
    vocab: Vocabulary
    idf: np.ndarray  # float32, one per feature
    indptr: np.ndarray  # CSR over features: weights of feature f at indptr[f]:indptr[f+1]
    classes: np.ndarray  # class index of each stored weight (entry classes, then topics)
    weights: np.ndarray  # float32
    bias: np.ndarray  # float32, one per class of both classifiers
    spec: FeatureSpec
    normalizer: Normalizer
    temperature: float = 1.0
    meta: dict = field(default_factory=dict)  # knowledge hash, build settings, figures
    topic_labels: list[str] = field(default_factory=list)  # empty: no topic classifier
    topic_temperature: float = 1.0
    _dense: _DenseRows = field(init=False, repr=False, compare=False)
    # Word -> the feature ids of its character n-grams (int32 bytes), up to WORD_IDS_KEPT words.
    _word_ids: dict[str, bytes] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._dense = _DenseRows.of(self.indptr, self.classes, self.weights, len(self.bias))

    @property
    def remembered_words(self) -> int:
        """How many words' n-gram ids the model keeps now (at most `WORD_IDS_KEPT`)."""
        return len(self._word_ids)

    @property
    def featurizer(self) -> Featurizer:
        """The featurizer this model was trained with."""
        return Featurizer(self.spec, self.normalizer)

    def logits(self, text: str, reading: Reading | None = None) -> tuple[np.ndarray, float]:
        """Raw class scores of a text, and the share of its words the model has seen
        (`reading`: the text already read by the normaliser)."""
        reading = reading if reading is not None else self.normalizer.read(text)
        featurizer, spec = self.featurizer, self.spec
        word_ids = self.vocab.ids(featurizer.word_grams_of(reading.tokens))
        char_ids = self._char_ids(featurizer.char_words(reading.words))
        idx, vals = _weigh([(char_ids, spec.char_weight), (word_ids, spec.word_weight)], self.idf)
        scores = self.bias.astype(np.float64).copy()
        if len(idx):
            dense = self._dense.row_of[idx]
            heavy = dense >= 0
            if heavy.any():
                # Summed in float64, as the sparse weights below are.
                scores += np.einsum("i,ij->j", vals[heavy], self._dense.rows[dense[heavy]])
                idx, vals = idx[~heavy], vals[~heavy]
            starts, ends = self.indptr[idx], self.indptr[idx + 1]
            lengths = ends - starts
            n = int(lengths.sum())
            if n:
                # Positions of every stored weight of the text's features, without a Python loop.
                offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
                pos = offsets + np.arange(n)
                contrib = self.weights[pos] * np.repeat(vals, lengths)
                scores += np.bincount(self.classes[pos], weights=contrib, minlength=len(scores))
        # The word block starts with its unigrams ("w:"), one per content token.
        n_words = len(reading.tokens)
        known = np.count_nonzero(word_ids[:n_words] >= 0) / n_words if n_words else 0.0
        return scores, known

    def _char_ids(self, words: list[str]) -> np.ndarray:
        """Feature ids (-1: unknown) of the words' character n-grams, in `char_grams` order.

        Each word's ids are remembered: hashing and looking up a long question's 900 n-grams
        took a fifth of its matching time, and people's words repeat from question to question.
        """
        known = self._word_ids
        if len(known) + len(words) > WORD_IDS_KEPT:  # bounded whatever users type
            known.clear()
        new = [w for w in dict.fromkeys(words) if w not in known]
        if new:
            grams = [_word_grams(w, self.spec.char_min, self.spec.char_max) for w in new]
            ids = self.vocab.ids([g for gs in grams for g in gs]).astype(np.int32)
            ends = np.cumsum([len(gs) for gs in grams])
            for word, part in zip(new, np.split(ids, ends[:-1]), strict=True):
                known[word] = part.tobytes()
        return np.frombuffer(b"".join([known[w] for w in words]), dtype=np.int32)

    def probabilities(self, text: str) -> tuple[np.ndarray, float]:
        """Calibrated probability of every class (in `labels` order), and the known share."""
        entry_p, _, known = self.both_probabilities(text)
        return entry_p, known

    def both_probabilities(
        self, text: str, reading: Reading | None = None
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """Calibrated probabilities of the entry classes (`labels` order) and of the topic
        classes (`topic_labels` order, empty without a topic classifier), and the known share
        (`reading`: the text already read by the normaliser)."""
        scores, known = self.logits(text, reading)
        return (*self.calibrated(scores), known)

    def calibrated(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`logits` scores as calibrated probabilities: entry classes, then topic classes."""
        n = len(self.labels)
        return (
            _softmax(scores[:n], self.temperature),
            _softmax(scores[n:], self.topic_temperature),
        )

    def predict(self, text: str, top: int = 10) -> Prediction:
        """Calibrated probabilities of the `top` most likely classes."""
        p, known = self.probabilities(text)
        k = min(top, len(p))
        order = np.argpartition(-p, k - 1)[:k]
        order = order[np.argsort(-p[order], kind="stable")]
        return Prediction([self.labels[i] for i in order], [float(p[i]) for i in order], known)

    # -- the artefact ----------------------------------------------------------------------------

    def to_bytes(self, compress: bool = True) -> bytes:
        """The artefact: a numpy .npz (no pickles) holding arrays and a JSON header.
        `compress=False` for one that is never stored (a quick model): without zlib an edit
        answers after 1.90-2.25 s instead of 2.49-2.93 s (bench/matching.py, goal 3 s)."""
        header = {
            "format": FORMAT,
            "labels": self.labels,
            "spec": asdict(self.spec),
            "temperature": self.temperature,
            "topic_labels": self.topic_labels,
            "topic_temperature": self.topic_temperature,
            "meta": self.meta,
        }
        buf = io.BytesIO()
        (np.savez_compressed if compress else np.savez)(
            buf,
            header=np.frombuffer(json.dumps(header, sort_keys=True).encode(), dtype=np.uint8),
            vocab=np.frombuffer(self.vocab.text.encode(), dtype=np.uint8),
            idf=self.idf.astype(np.float32),
            indptr=self.indptr.astype(np.int64),
            classes=self.classes.astype(np.int32),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, normalizer: Normalizer) -> Model:
        """Read an artefact; raise ValueError when it is not one this code can use."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                header = json.loads(bytes(z["header"]).decode())
                vocab_text = bytes(z["vocab"]).decode()
                arrays = {k: z[k] for k in ("idf", "indptr", "classes", "weights", "bias")}
        except Exception as exc:  # a truncated or foreign file: the caller rebuilds
            raise ValueError(f"not a model artefact: {exc}") from exc
        if header.get("format") != FORMAT:
            raise ValueError(f"model format {header.get('format')} is not {FORMAT}")
        vocab = Vocabulary.from_text(vocab_text)
        labels = list(header["labels"])
        topic_labels = list(header.get("topic_labels") or [])
        n_classes = len(labels) + len(topic_labels)
        nfeat, nnz = len(vocab), len(arrays["weights"])
        if (
            len(arrays["idf"]) != nfeat
            or len(arrays["indptr"]) != nfeat + 1
            or len(arrays["classes"]) != nnz
            or len(arrays["bias"]) != n_classes
            or (nnz and int(arrays["classes"].max()) >= n_classes)
            or int(arrays["indptr"][-1]) != nnz
        ):
            raise ValueError("model artefact arrays do not fit together")
        # Held in the narrowest integers that fit (the artefact keeps int32/int64): the bot's
        # memory, about 2.5 MB at the real size (one byte a weight's class up to 256 classes).
        arrays["classes"] = arrays["classes"].astype(np.min_scalar_type(max(n_classes - 1, 0)))
        if nnz <= np.iinfo(np.int32).max:
            arrays["indptr"] = arrays["indptr"].astype(np.int32)
        return cls(
            labels=labels,
            vocab=vocab,
            idf=arrays["idf"],
            indptr=arrays["indptr"],
            classes=arrays["classes"],
            weights=arrays["weights"],
            bias=arrays["bias"],
            spec=FeatureSpec.from_dict(header["spec"]),
            normalizer=normalizer,
            temperature=float(header["temperature"]),
            meta=dict(header.get("meta") or {}),
            topic_labels=topic_labels,
            topic_temperature=float(header.get("topic_temperature", 1.0)),
        )
