"""A quick model after a small edit, from the previous model, while the full build runs.

A full build fits every class twice (the classifier and its calibration), which takes seconds
of CPU per edit (README "Measured"). A one-vs-rest linear SVM fits each class on its own, so
after an admin adds or removes a few phrasings only the classes of the changed phrasings, and
the classes that competed for them, need fitting again: every other class keeps its weights,
both temperatures are kept. The result answers the next question within the goal; the full,
deterministic build follows and replaces it (`bot.answering.artefacts`). A quick model is
never stored as the artefact of its knowledge.

Anything beyond changed phrasings (an entry added or removed, a topic moved, the normaliser,
the out-of-scope stories or the settings) gets no quick model: `refresh` returns None.
"""

from __future__ import annotations

import numpy as np

from bot.answering.model import Featurizer, Model
from bot.answering.training import (
    Fitted,
    TrainConfig,
    classifier_for,
    classifier_kind,
    config_from,
    export,
)
from bot.answering.training_data import (
    Examples,
    augment,
    examples_of,
    featurize,
    frame_key,
    input_key,
    label_digests,
    memo_for,
    normalizer_from,
)

MAX_CHANGED = 8  # more changed classes than this: only the full build
COMPETITORS = 3  # per changed phrasing, the previous model's best classes fitted again too


def refresh(data: dict, previous: bytes) -> bytes | None:
    """A quick model of `data` from the `previous` artefact, or None (see the module's notes)."""
    normalizer = normalizer_from(data)
    try:
        old = Model.from_bytes(previous, normalizer)
    except ValueError:
        return None
    config = config_from(data)
    exs = examples_of(data)
    digests = label_digests(exs)
    before = old.meta.get("labels") or {}
    if (
        old.meta.get("frame") != frame_key(data)
        or set(before) != set(digests)
        or classifier_kind(config, len(digests)) != "svm"
    ):
        return None
    changed = {label for label, d in digests.items() if before[label] != d}
    if not changed or len(changed) > MAX_CHANGED:
        return None
    model = _refit(old, exs, changed, config, data)
    model.meta.update(key=input_key(data), labels=digests, frame=frame_key(data), quick=True)
    return model.to_bytes(compress=False)  # never stored: it only travels to the server


def _refit(old: Model, exs: Examples, changed: set[str], config: TrainConfig, data: dict) -> Model:
    topics_changed = {exs.topics.get(label, label) for label in changed}
    entry_refit, topic_refit = set(changed), set(topics_changed)
    # The classes that won a changed class's phrasings before (a new phrasing, mostly): they
    # must learn them as negatives. Phrasings the old model already placed right add none.
    n_entry = len(old.labels)
    for text, label in zip(exs.texts, exs.labels, strict=True):
        if label not in changed:
            continue
        scores, _ = old.logits(text)
        entry_order = np.argsort(-scores[:n_entry], kind="stable")[:COMPETITORS]
        if old.labels[int(entry_order[0])] != label:
            entry_refit.update(old.labels[int(i)] for i in entry_order)
        if old.topic_labels:
            topic_order = np.argsort(-scores[n_entry:], kind="stable")[:COMPETITORS]
            if old.topic_labels[int(topic_order[0])] != exs.topics.get(label, label):
                topic_refit.update(old.topic_labels[int(i)] for i in topic_order)
    normalizer = old.normalizer
    stories = augment(exs, data.get("context") or {}, normalizer, config.augment, config.seed)
    featurizer = Featurizer(config.spec, normalizer)
    X, vocab, idf = featurize(featurizer, stories.texts, config.min_df, memo_for(data))
    kept = _previous_weights(old, vocab)  # classes x new features
    entry = _group(kept[:n_entry], old.bias[:n_entry], old.labels, old.temperature)
    entry = _replace_rows(entry, X, stories.labels, entry_refit, config)
    topic = None
    if old.topic_labels:
        topic = _group(kept[n_entry:], old.bias[n_entry:], old.topic_labels, old.topic_temperature)
        topic = _replace_rows(topic, X, stories.topic_labels(), topic_refit, config)
    return export(entry, topic, vocab, idf, normalizer, config, exs.digest())


def _previous_weights(old: Model, vocab: dict[str, int]):
    """The previous model's stored weights as a classes x (new vocabulary) sparse matrix;
    features the new vocabulary lacks are dropped."""
    from scipy import sparse

    names = old.vocab.names()
    new_col = np.array([vocab.get(g, -1) for g in names], dtype=np.int64)
    counts = np.diff(old.indptr)
    feature = np.repeat(np.arange(len(names)), counts)
    cols = new_col[feature]
    keep = cols >= 0
    n_classes = len(old.labels) + len(old.topic_labels)
    return sparse.csr_matrix(
        (old.weights[keep].astype(np.float64), (old.classes[keep], cols[keep])),
        shape=(n_classes, len(vocab)),
    )


def _group(coef, bias: np.ndarray, labels: list[str], temperature: float) -> Fitted:
    return Fitted(coef.tocsr(), np.asarray(bias, dtype=np.float64), list(labels), temperature)


def _replace_rows(
    group: Fitted, X, names: list[str], refit: set[str], config: TrainConfig
) -> Fitted:
    """`group` with the rows of the classes in `refit` fitted again on all of X.

    One-vs-rest: each class against all others, as the full build fits the entry classifier, in
    one call (the classes not refitted are pooled into one label whose row is thrown away). The
    full build's topic classifier is one joint (Crammer-Singer) problem, which cannot be refitted
    a few rows at a time: its refitted rows are one-vs-rest ones, on another scale, until the
    full build replaces the quick model about ten seconds later. The edited question is answered
    by its entry meanwhile (tests/test_learned_matcher.py, "quick model first")."""
    from scipy import sparse

    rows = [group.labels.index(label) for label in sorted(refit) if label in group.labels]
    if not rows:
        return group
    index = {group.labels[r]: k for k, r in enumerate(rows)}
    other = len(rows)
    y = np.array([index.get(name, other) for name in names])
    clf = classifier_for(config, len(rows) + 1).fit(X, y)
    coef, bias = np.asarray(clf.coef_), np.asarray(clf.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:  # two labels: scikit-learn keeps one row, scoring the second
        # One-vs-rest rows of both, unscaled as in the full build: the first is the negative.
        coef, bias = np.vstack([-coef[0], coef[0]]), np.array([-bias[0], bias[0]])
    n_classes = len(group.labels)
    keep = np.ones(n_classes)
    keep[rows] = 0.0
    old = sparse.diags(keep) @ sparse.csr_matrix(group.coef)
    fresh = sparse.csr_matrix(coef[: len(rows)])
    placed = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(n_classes, len(rows))
    )
    new_bias = group.bias.copy()
    new_bias[rows] = bias[: len(rows)]
    return Fitted((old + placed @ fresh).tocsr(), new_bias, group.labels, group.temperature)
