"""Training the learned matcher (scikit-learn, scipy): features, the classifier, calibration,
and the export to the arrays `bot.answering.model` scores with.

The bot runs `build` in a child process (`bot.answering.artefacts`), so scikit-learn's memory
never lands in the bot's own process. Deterministic: inputs are sorted and seeds fixed, so the
same training input gives the same artefact bytes (tests/test_learned_matcher.py checks it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from bot.answering.calibration import Concurrent, fit_temperature
from bot.answering.centroid import NearestCentroid
from bot.answering.model import OUT_OF_SCOPE, FeatureSpec, Featurizer, Model
from bot.answering.normalize import Normalizer
from bot.answering.training_data import (
    Examples,
    GramMemo,
    augment,
    examples,
    examples_of,
    featurize,
    frame_key,
    input_key,
    label_digests,
    memo_for,
    normalizer_for,
    normalizer_from,
    read_context,
    read_extra,
    training_input,
)
from bot.answering.vocabulary import Vocabulary
from bot.kb.model import KnowledgeBase

# Re-exported: callers build inputs and models through this one module.
__all__ = [
    "OUT_OF_SCOPE",
    "TrainConfig",
    "build",
    "examples",
    "featurize",
    "fit",
    "input_key",
    "normalizer_for",
    "normalizer_from",
    "read_context",
    "read_extra",
    "train",
    "training_input",
]
# Above this many classes "auto" trains nearest centroids: the one-vs-rest SVM's time grows
# with classes x phrasings (10,000 synthetic entries would take hours; bench/matching.py).
AUTO_SVM_MAX_CLASSES = 2000
CALIBRATION_ROWS = 3000  # held-out rows scored to fit the temperature, at most


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained; the defaults are what cross-validation chose (bench/crossval.py)."""

    spec: FeatureSpec = field(default_factory=FeatureSpec)
    # "auto": the SVM, or nearest centroids above AUTO_SVM_MAX_CLASSES classes; "svm": linear
    # SVM (one-vs-rest); "lr": multinomial logistic regression; "centroid".
    classifier: str = "auto"
    C: float = 1.0
    tol: float = 1e-2  # the SVM's stopping tolerance: 1e-3 gives the same tuning figures, slower
    min_df: int = 1  # features seen in fewer training texts are dropped
    # Stored weights with |w| below this are dropped: 0.02 keeps 29 % of them (a third of the
    # memory) with the same tuning figures (bench/crossval.py).
    prune: float = 0.02
    # At most this many classes per feature (the largest |w|): a question's cost then stays
    # bounded however many entries there are (10,000 synthetic ones: bench/matching.py).
    max_per_feature: int = 256
    # Share of the phrasings held out to calibrate the temperature (0: none). One stratified
    # 20 % split gives the temperature of 5-fold cross-validation within 3 % (0.13-0.14 vs
    # 0.136) for a fifth of the training time.
    calibration: float = 0.2
    folds: int = 5  # folds of bench/crossval.py
    seed: int = 0
    titles: bool = True  # entry titles count as phrasings
    # Phrasings per class also learned wrapped in a story's opening and closing sentences
    # (`story_context` in offtopic.yaml): long messages then keep their confidence.
    augment: int = 3
    # The topic classifier is a Crammer-Singer SVM (one joint problem: a phrasing's topic must
    # beat every other by a margin), not one-vs-rest: with word_weight 0.85, lead 3.0 and
    # claimed_at 0.45, more right answers and fewer wrong on the folds and both halves of the
    # tuning files (figures: `BandParams.claimed_at`). Its fit takes ~4 s instead of ~2. On the
    # fresh sets read after it (README "Measured") it cost 6 right answers for 1 wrong verdict.
    topic_crammer_singer: bool = True


# -- fitting -------------------------------------------------------------------------------------


def classifier_kind(config: TrainConfig, n_classes: int) -> str:
    """The classifier trained: "svm", "lr" or "centroid" ("auto" decided by the class count)."""
    if config.classifier == "auto":
        return "svm" if n_classes <= AUTO_SVM_MAX_CLASSES else "centroid"
    return config.classifier


def classifier_for(config: TrainConfig, n_classes: int = 0, topic: bool = False):
    """A fresh, unfitted classifier of the kind `classifier_kind` names (`topic`: the topic
    classifier, whose SVM may be a Crammer-Singer one)."""
    kind = classifier_kind(config, n_classes)
    if kind == "centroid":
        return NearestCentroid()
    if kind == "svm":
        from sklearn.svm import LinearSVC

        joint = topic and config.topic_crammer_singer
        return LinearSVC(
            C=config.C,
            random_state=config.seed,
            tol=config.tol,
            max_iter=2000,
            multi_class="crammer_singer" if joint else "ovr",
        )
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=config.C, max_iter=1000, random_state=config.seed, tol=1e-4)


def _scores(clf, X) -> np.ndarray:
    return clf.decision_function(X)


def _split_scores(
    X, y: np.ndarray, config: TrainConfig, topic: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Decision scores of a held-out share of the rows, from a model trained on the rest."""
    from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

    n_classes = int(y.max()) + 1
    try:
        split = StratifiedShuffleSplit(1, test_size=config.calibration, random_state=config.seed)
        train, test = next(split.split(X, y))
    except ValueError:  # a class with a single phrasing cannot be stratified
        split = ShuffleSplit(1, test_size=config.calibration, random_state=config.seed)
        train, test = next(split.split(X, y))
    clf = classifier_for(config, n_classes, topic).fit(X[train], y[train])
    # One temperature needs a few thousand rows, not a dense 50,000 x 10,000 score matrix.
    if len(test) > CALIBRATION_ROWS:
        test = np.sort(np.random.default_rng(config.seed).choice(test, CALIBRATION_ROWS, False))
    scores = np.full((len(test), n_classes), -1e3)
    scores[:, clf.classes_] = _scores(clf, X[test])
    return scores, y[test]


def fit(
    exs: Examples,
    normalizer: Normalizer,
    config: TrainConfig,
    context: dict | None = None,
    memo: GramMemo | None = None,
) -> Model:
    """Train a model on the examples (plus stories made with `context`) and export it.

    `memo` remembers each text's n-grams for the next call (`featurize`); it must belong to
    this normaliser and feature spec.
    """
    digest = exs.digest()
    exs = augment(exs, context or {}, normalizer, config.augment, config.seed)
    featurizer = Featurizer(config.spec, normalizer)
    X, vocab, idf = featurize(featurizer, exs.texts, config.min_df, memo)
    # The entry classifier first, then (when there are topics) the topic classifier.
    tasks = [_encoded(exs.labels)] + ([_encoded(exs.topic_labels())] if exs.topics else [])
    # The entry classes decide the kind for both classifiers: a knowledge base too large for
    # the SVM has too many phrasings for a topic SVM too (a few topics, 500,000 texts).
    config = replace(config, classifier=classifier_kind(config, len(tasks[0][0])))
    calibrate = config.calibration > 0
    temperatures = Concurrent(
        lambda: [
            fit_temperature(*_split_scores(X, y, config, topic=k > 0)) if calibrate else 1.0
            for k, (_, y) in enumerate(tasks)
        ],
        len(tasks),
        # Nearest centroids train in one sparse product: nothing worth overlapping, and the
        # process of a huge knowledge base is not one to copy.
        fork=calibrate and classifier_kind(config, len(tasks[0][0])) != "centroid",
    )
    temperatures.start()  # the calibration fits, in a child, while this process fits
    try:
        fitted = [
            _fit_one(X, labels, y, config, topic=k > 0) for k, (labels, y) in enumerate(tasks)
        ]
    except BaseException:
        temperatures.cancel()
        raise
    entry, *topic = [
        replace(f, temperature=t) for f, t in zip(fitted, temperatures.result(), strict=True)
    ]
    return export(entry, topic[0] if topic else None, vocab, idf, normalizer, config, digest)


@dataclass(frozen=True)
class Fitted:
    """One classifier's weights (classes x features), biases, labels and temperature."""

    coef: object  # dense ndarray or scipy sparse matrix
    bias: np.ndarray
    labels: list[str]
    temperature: float


def _encoded(names: list[str]) -> tuple[list[str], np.ndarray]:
    """(sorted distinct labels, each example's label index)."""
    labels = sorted(set(names))
    index = {label: i for i, label in enumerate(labels)}
    return labels, np.array([index[label] for label in names])


def _fit_one(
    X, labels: list[str], y: np.ndarray, config: TrainConfig, topic: bool = False
) -> Fitted:
    """One classifier (its temperature is set apart, `fit`); `topic`: the topic classifier."""
    clf = classifier_for(config, len(labels), topic).fit(X, y)
    coef, bias = clf.coef_, np.asarray(clf.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row
        coef = np.asarray(coef.todense() if hasattr(coef, "todense") else coef)
        coef, bias = np.vstack([-coef, coef]) / 2, np.array([-bias[0], bias[0]]) / 2
    return Fitted(coef, bias, labels, 1.0)


def _cap_rows(matrix, cap: int):
    """The CSR matrix with only the `cap` largest |values| of each row (ties: lower column)."""
    from scipy import sparse

    counts = np.diff(matrix.indptr)
    if cap <= 0 or counts.max(initial=0) <= cap:
        return matrix
    keep = np.ones(matrix.nnz, dtype=bool)
    for row in np.flatnonzero(counts > cap):
        lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
        order = np.argsort(-np.abs(matrix.data[lo:hi]), kind="stable")
        keep[lo + order[cap:]] = False
    rows = np.repeat(np.arange(matrix.shape[0]), counts)[keep]
    capped = sparse.csr_matrix(
        (matrix.data[keep], (rows, matrix.indices[keep])), shape=matrix.shape
    )
    capped.sort_indices()
    return capped


def export(entry: Fitted, topic: Fitted | None, vocab, idf, normalizer, config, digest) -> Model:
    """Turn the classifiers' classes x features weights (dense or sparse) into the serving
    model: per feature, the classes it weighs for (entry classes first, then topic classes),
    small weights (|w| < config.prune) dropped."""
    from scipy import sparse

    parts = [entry] if topic is None else [entry, topic]
    coef = sparse.vstack([sparse.csr_matrix(f.coef) for f in parts])
    bias = np.concatenate([f.bias for f in parts])
    by_feature = sparse.csr_matrix(coef).T.tocsr()  # features x classes
    by_feature.sort_indices()
    if config.prune > 0:
        by_feature.data[np.abs(by_feature.data) < config.prune] = 0
    by_feature.eliminate_zeros()
    by_feature = _cap_rows(by_feature, config.max_per_feature)
    indptr, class_idx = by_feature.indptr.astype(np.int64), by_feature.indices
    return Model(
        labels=entry.labels,
        vocab=Vocabulary(sorted(vocab, key=vocab.__getitem__)),
        idf=idf.astype(np.float32),
        indptr=indptr,
        classes=class_idx.astype(np.int32),
        weights=by_feature.data.astype(np.float32),
        bias=np.asarray(bias, dtype=np.float32),
        spec=config.spec,
        normalizer=normalizer,
        temperature=entry.temperature,
        meta={"examples": digest, "config": json.loads(json.dumps(asdict(config)))},
        topic_labels=topic.labels if topic else [],
        topic_temperature=topic.temperature if topic else 1.0,
    )


def train(kb: KnowledgeBase, directory: Path, config: TrainConfig | None = None) -> Model:
    """Train on a knowledge base plus the out-of-scope and intent files of `directory`."""
    config = config or TrainConfig()
    exs = examples(kb, read_extra(directory), config.titles)
    return fit(exs, normalizer_for(kb), config, read_context(directory))


# -- building from a training input ---------------------------------------------------------------


def config_from(data: dict) -> TrainConfig:
    """The training configuration stored in a training input."""
    raw = dict(data["config"])
    spec = FeatureSpec.from_dict(raw.pop("spec"))
    names = TrainConfig.__dataclass_fields__
    return TrainConfig(spec=spec, **{k: v for k, v in raw.items() if k in names})


def build(data: dict) -> bytes:
    """Train from a training input; the artefact's bytes (the same input gives the same bytes)."""
    exs = examples_of(data)
    normalizer, config = normalizer_from(data), config_from(data)
    model = fit(exs, normalizer, config, data.get("context"), memo_for(data))
    # What `bot.answering.refresh` compares to fit only the classes an edit touched.
    model.meta.update(key=input_key(data), labels=label_digests(exs), frame=frame_key(data))
    return model.to_bytes()
