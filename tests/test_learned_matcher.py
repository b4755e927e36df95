"""Stories of the learned matcher: how people really ask, what a vague or junk message gets, and
the model as a build artefact (retrained after an admin's edit, rebuilt when broken).

Questions here were written for these tests, not copied from the knowledge base or eval sets.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.answering import artefacts, training, training_data
from bot.answering import bands as bands_module
from bot.answering import model as model_module
from bot.answering.artefacts import ModelKeeper
from bot.answering.bands import ANSWER, SUGGEST, BandParams, LearnedMatcher
from bot.answering.model import FeatureSpec, Featurizer, Model, vectorize
from bot.answering.normalize import Normalizer
from bot.answering.vocabulary import Vocabulary
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core import Core
from bot.kb.model import load_directory
from bot.press import Presser, press
from bot.ui.render import html_to_text

VERDICTS = ("Dilarang", "Boleh", "Forbidden", "Allowed", "Area abu-abu", "Grey area")

REGISTERS = [
    # tidy
    ("Apakah ASN diperbolehkan memasang bendera partai di pagar rumahnya?", {"alat-peraga"}),
    # WhatsApp slang
    ("min klo pns ngeshare video kampanye paslon di grup wa kantor, aman ga?", {"media-sosial"}),
    # a long story
    (
        "Selamat siang. Saya guru PPPK di sebuah SD negeri di kabupaten. Minggu depan ada "
        "kampanye akbar calon bupati di lapangan dekat sekolah. Saya ingin datang sepulang "
        "mengajar, cuma untuk menonton saja, tidak pakai atribut apa pun. Apakah saya boleh "
        "datang ke kampanye itu?",
        {"kampanye-ikut"},
    ),
    # English
    ("Is a government employee allowed to join a candidate's campaign team?", {"tim-kampanye"}),
]


@pytest.mark.parametrize(("question", "topics"), REGISTERS)
def test_a_user_asking_in_any_register_gets_the_right_rule(shared_core, question, topics):
    view = shared_core.answers.ask(question, record=False)
    assert view.band == ANSWER, view.candidates
    assert view.topic in topics


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("may I attend a rally?", "kampanye-ikut"),
        ("Bolehkah ASN hadir di kampanye?", "kampanye-ikut"),
        ("boleh like postingan caleg?", "media-sosial"),
    ],
)
def test_the_questions_the_bot_exists_for_never_get_another_acts_verdict(
    shared_core, question, wanted
):
    """The everyday questions of the project's brief: answered by their own rule, or offered
    it among the choices; never a verdict on a neighbouring act (attending is not mobilising)."""
    view = shared_core.answers.ask(question, record=False)
    if view.band == ANSWER:
        assert view.topic == wanted
    else:
        offered = [b.action for b in view.choices if b.action.startswith("ans:")]
        assert any(shared_core.answers.kb.entries[a[4:]].topic == wanted for a in offered)


@pytest.mark.parametrize("message", ["calon", "boleh datang ga?", "kampanye"])
def test_a_vague_message_gets_choices_and_none_of_these(shared_core, message):
    answers = shared_core.answers
    view = answers.ask(message, record=False)
    assert view.band == SUGGEST and view.entry_id is None
    assert not any(v in view.text for v in VERDICTS)
    entries = [b for b in view.choices if b.action.startswith("ans:")]
    assert 1 <= len(entries) <= 3
    none = next(b for b in view.choices if b.label == "Bukan semuanya")
    after = press(shared_core, Presser(user_id=1, lang="id"), none.action, {}).view
    assert "BKPSDM" in after.text and "tulis satu pertanyaan lengkap" in after.text


@pytest.mark.parametrize("message", ["asdfghjkl", "jdjdjdjdjkk", "???", "😂😂😂", "p"])
def test_junk_gets_no_verdict_but_how_to_ask(shared_core, message):
    view = shared_core.answers.ask(message, record=False)
    assert view.band != ANSWER and view.topic is None
    assert not any(v in view.text for v in VERDICTS)
    assert "Tulis pertanyaan" in view.text or "tulis pertanyaan" in view.text


def test_a_bare_number_is_no_question_but_picks_from_the_menu_on_screen(shared_core):
    answers = shared_core.answers
    alone = answers.ask("2", record=False)
    assert alone.band != ANSWER and "Angka saja" in alone.text
    menu = answers.ask("calon", record=False)
    actions = [b.action for b in menu.choices if b.action.startswith("ans:")]
    picked = answers.ask("2", record=False, menu=actions)
    assert picked.entry_id == actions[1][len("ans:") :]


@pytest.mark.parametrize(
    ("message", "template_words"),
    [
        ("halo", "Halo!"),
        ("selamat pagi min", "Halo!"),
        ("makasih banyak ya", "Sama-sama"),
        ("ini bot apa sih?", "netralitas ASN"),
        ("thank you", "welcome"),
    ],
)
def test_greetings_thanks_and_about_get_their_short_replies(shared_core, message, template_words):
    view = shared_core.answers.ask(message, record=False)
    assert view.band != ANSWER
    assert template_words in view.text
    assert "di luar yang bisa saya jawab" not in view.text  # not the decline text
    assert any(b.action == "topics" for b in view.choices)


@pytest.mark.parametrize(
    "message",
    [
        "Halo min, selamat pagi. Boleh nggak PNS ikut kampanye caleg hari Minggu?",
        "boleh ikut kampanye caleg? mohon penjelasannya ya, terima kasih banyak pak",
        "Thanks in advance! May a civil servant join a candidate's campaign rally?",
    ],
)
def test_a_question_wrapped_in_a_greeting_or_thanks_is_treated_as_the_question(
    shared_core, message
):
    view = shared_core.answers.ask(message, record=False)
    text = html_to_text(view.text)
    assert "Sama-sama" not in text and "welcome" not in text and "Halo!" not in text
    offered = [view.topic] if view.band == ANSWER else [c["topic"] for c in view.candidates]
    assert "kampanye-ikut" in offered


@pytest.mark.parametrize(
    "message",
    [
        "kampanye " * 1250,  # 10,000 characters
        "🙏🎉🔥👍",
        "0812345678901234",
        "ASN 可以参加竞选活动吗? боже pns boleh kampanye?",
        "\u200b\u200b\u200b",
    ],
)
def test_bad_input_gets_a_polite_reply(shared_core, message):
    view = shared_core.answers.ask(message, record=False)
    text = html_to_text(view.text)
    assert text.strip() and len(view.text) < 4096
    assert "Traceback" not in text


def _question_grams(normalizer: Normalizer) -> list[str]:
    """QUESTION's n-grams, sorted: the vocabulary of the hand-made models below."""
    featurizer = Featurizer(FeatureSpec(), normalizer)
    return sorted({g for block, _ in featurizer.blocks(QUESTION) for g in block})


def _biases_only(labels: list[str], bias: list[float], topic_labels: list[str]) -> Model:
    """A model over QUESTION's n-grams (every word known, none weighs): its scores are its
    biases alone, the entry classes' first, then the topic classes'."""
    normalizer = Normalizer()
    grams = _question_grams(normalizer)
    return Model(
        labels=labels,
        vocab=Vocabulary(grams),
        idf=np.ones(len(grams), dtype=np.float32),
        indptr=np.zeros(len(grams) + 1, dtype=np.int64),
        classes=np.zeros(0, dtype=np.int32),
        weights=np.zeros(0, dtype=np.float32),
        bias=np.array(bias, dtype=np.float32),
        spec=FeatureSpec(),
        normalizer=normalizer,
        topic_labels=topic_labels,
    )


def _two_minds(kb, entry_bias: list[float]) -> Model:
    """A model whose scores are its biases alone: three entries of three topics, an entry
    classifier biased by `entry_bias` and a topic classifier fairly sure of the second topic."""
    entries = {}
    for entry in sorted(kb.entries.values(), key=lambda e: e.id):
        entries.setdefault(entry.topic, entry)
    picked = [entries[t] for t in sorted(entries)[:3]]
    return _biases_only(
        [e.id for e in picked], [*entry_bias, 0.0, 1.3, -5.0], [e.topic for e in picked]
    )


QUESTION = "pegawai kantor ikut acara partai politik"


def test_when_the_entry_and_topic_classifiers_disagree_the_user_gets_choices_not_a_verdict():
    """The topic classifier is about two-thirds sure of the second topic. When the entry
    classifier's best guess lies in that topic too, the user gets an answer; when it lies in
    another topic, the two disagree and a verdict would often be wrong: choices instead."""
    kb = load_directory(DEFAULT_KNOWLEDGE_DIR)
    params = BandParams(cache_size=0)
    agreeing = LearnedMatcher(_two_minds(kb, [0.0, 1.0, -5.0]), kb, params).match(QUESTION)
    assert agreeing.band == ANSWER
    disagreeing = LearnedMatcher(_two_minds(kb, [1.0, 0.0, -5.0]), kb, params).match(QUESTION)
    assert disagreeing.band == SUGGEST and disagreeing.best is None
    assert params.answer_at <= disagreeing.confidence < params.disagree_answer_at
    assert disagreeing.candidates[0].topic == agreeing.best.topic  # offered first


def test_a_question_no_topic_claims_gets_choices_however_sure_the_probabilities():
    """Calibrated probabilities only compare topics with each other. A question far from every
    phrasing (a rhetorical or debate-like one) can still put one topic far ahead though that
    topic's own classifier does not claim it (a raw score below `BandParams.claimed_at`): the
    user then gets the choices, with that topic first, not a verdict."""
    kb = load_directory(DEFAULT_KNOWLEDGE_DIR)
    params = BandParams(cache_size=0)
    claimed = _two_minds(kb, [0.0, 1.0, -5.0])
    # Every class scores 2 lower: the same probabilities, but no classifier claims the question.
    unclaimed = replace(claimed, bias=claimed.bias - 2.0)
    answered = LearnedMatcher(claimed, kb, params).match(QUESTION)
    offered = LearnedMatcher(unclaimed, kb, params).match(QUESTION)
    assert answered.band == ANSWER
    assert offered.band == SUGGEST and offered.best is None
    assert offered.confidence == pytest.approx(answered.confidence)
    assert offered.candidates[0].entry_id == answered.best.entry_id  # offered first


def _torn(kb) -> tuple[Model, list]:
    """A model torn between two topics: the entry classifier favours two entries of one topic
    and then an entry of a third, the topic classifier weighs the first two topics alike."""
    by_topic: dict[str, list] = {}
    for entry in sorted(kb.entries.values(), key=lambda e: e.id):
        by_topic.setdefault(entry.topic, []).append(entry)
    big = next(t for t in sorted(by_topic) if len(by_topic[t]) >= 2)
    second, third = [t for t in sorted(by_topic) if t != big][:2]
    picked = [*by_topic[big][:2], by_topic[second][0], by_topic[third][0]]
    bias = [2.0, 1.9, 0.0, 1.0, 1.0, 0.9, -5.0]
    return _biases_only([e.id for e in picked], bias, [big, second, third]), picked


def test_a_user_the_model_cannot_place_between_two_topics_is_offered_both():
    """Unsure between two topics, the bot's choices start with the best entry of each, even
    when a third topic's entry or a second entry of the first topic scores higher alone."""
    kb = load_directory(DEFAULT_KNOWLEDGE_DIR)
    model, picked = _torn(kb)
    match = LearnedMatcher(model, kb, BandParams(cache_size=0)).match(QUESTION)
    assert match.band == SUGGEST and match.best is None
    shown = [c.entry_id for c in match.candidates[:3]]
    assert shown[:2] == [picked[0].id, picked[2].id]
    assert picked[1].id in shown  # the first topic's runner-up entry still offered


def test_an_out_of_scope_question_about_leave_is_declined(shared_core):
    view = shared_core.answers.ask("cuti melahirkan buat pppk brp bulan ya?", record=False)
    assert view.band != ANSWER and "di luar yang bisa saya jawab" in view.text


def test_the_matcher_reads_exactly_the_n_grams_it_learned(shared_core):
    vocab = shared_core.answers.matcher.model.vocab
    names = vocab.names()
    assert np.array_equal(vocab.ids(names), np.arange(len(names)))
    # Near misses (one letter more or less, another script) are unknown unless learned too.
    expected = {name: i for i, name in enumerate(names)}
    probes = [n + "q" for n in names[:3000]] + [n[1:] for n in names[:3000]] + ["", "é", "ж b"]
    assert vocab.ids(probes).tolist() == [expected.get(g, -1) for g in probes]
    assert len(Vocabulary.from_text(vocab.text)) == len(names)


def test_n_grams_sharing_a_hash_are_still_told_apart():
    class Clashing(str):
        def __hash__(self) -> int:
            return 7

    vocab = Vocabulary([Clashing("a"), "c", Clashing("b")])
    found = vocab.ids([Clashing("b"), Clashing("a"), "c", Clashing("d"), "x"])
    assert found.tolist() == [2, 0, 1, -1, -1]


# -- the model as a build artefact ---------------------------------------------------------------


def test_an_admin_adds_a_phrasing_from_the_review_queue_and_the_bot_learns_it(core: Core):
    question = "abdi pagawe nagri, kenging teu ngadamel pidio kanggo jago bupati?"  # Sundanese
    first = core.answers.ask(question, channel="test")
    assert first.band != ANSWER or first.entry_id != "medsos-kampanye-online"
    group = next(g for g in core.admin.review.groups() if g.question == question)
    core.admin.review.add_as_phrasing(1, group.key, "medsos-kampanye-online")
    # The old model answers until the retrained one is swapped in; wait for the swap.
    assert core.answers.wait_for_model(timeout=300)
    again = core.answers.ask(question, channel="test")
    assert again.band == ANSWER and again.entry_id == "medsos-kampanye-online"


@pytest.fixture(scope="module")
def small_kb(shared_core):
    """The first six entries of the real knowledge base: quick to train."""
    kb = shared_core.answers.kb
    keep = dict(list(kb.entries.items())[:6])
    return replace(kb, entries=keep)


def test_the_same_knowledge_gives_the_same_model_bytes(small_kb):
    config = training.TrainConfig()
    data = training.training_input(small_kb, DEFAULT_KNOWLEDGE_DIR, config)
    assert training.build(data) == training.build(data)
    entry = next(iter(small_kb.entries.values()))
    changed = replace(entry, questions={**entry.questions, "en": [*entry.questions["en"], "x?"]})
    other = replace(small_kb, entries={**small_kb.entries, entry.id: changed})
    other_data = training.training_input(other, DEFAULT_KNOWLEDGE_DIR, config)
    assert training.input_key(other_data) != training.input_key(data)


def test_a_rebuild_after_edits_is_the_model_a_fresh_builder_makes(small_kb, tmp_path, monkeypatch):
    monkeypatch.setattr(artefacts, "_MEMO", OrderedDict())  # built for real, not found in memory
    keeper = ModelKeeper(tmp_path, DEFAULT_KNOWLEDGE_DIR)
    kb, entry = small_kb, next(iter(small_kb.entries.values()))
    edits = [("id", "kalau saya asn, boleh ikut begitu?"), ("en", "may officials join rallies?")]
    for lang, phrasing in edits:
        # An admin adds a phrasing; the bot's builder process, which built before, retrains
        # (remembering the other texts' n-grams, calibrating in a forked child).
        entry = replace(
            entry, questions={**entry.questions, lang: [*entry.questions[lang], phrasing]}
        )
        kb = replace(kb, entries={**kb.entries, entry.id: entry})
        keeper.matcher_for(kb)
    data = training.training_input(kb, DEFAULT_KNOWLEDGE_DIR, keeper.config)
    path = keeper.path(training.input_key(data))
    assert path is not None
    # The same knowledge in a process that never built, on a system without fork.
    monkeypatch.setattr(training_data, "_MEMO", {})
    monkeypatch.delattr(os, "fork")
    assert training.build(data) == path.read_bytes()


def test_a_corrupt_or_missing_model_file_is_rebuilt_not_trusted(small_kb, tmp_path, monkeypatch):
    monkeypatch.setattr(artefacts, "_MEMO", OrderedDict())  # no copy in memory to fall back on
    keeper = ModelKeeper(tmp_path, DEFAULT_KNOWLEDGE_DIR)
    question = next(iter(small_kb.entries.values())).questions["id"][0]
    expected = keeper.matcher_for(small_kb).match(question).candidates[0].entry_id
    [path] = tmp_path.glob("matcher-*.npz")
    path.write_bytes(path.read_bytes()[:1000])  # a write cut short
    monkeypatch.setattr(artefacts, "_MEMO", OrderedDict())
    rebuilt = ModelKeeper(tmp_path, DEFAULT_KNOWLEDGE_DIR).matcher_for(small_kb)
    assert rebuilt.match(question).candidates[0].entry_id == expected
    Model.from_bytes(path.read_bytes(), rebuilt.normalizer)  # a whole artefact again
    path.unlink()
    again = ModelKeeper(tmp_path, DEFAULT_KNOWLEDGE_DIR).matcher_for(small_kb)
    assert again.match(question).candidates[0].entry_id == expected and path.is_file()


def test_an_edit_is_answered_by_a_quick_model_first_then_by_the_full_build(
    small_kb, tmp_path, monkeypatch
):
    monkeypatch.setattr(artefacts, "_MEMO", OrderedDict())
    keeper = ModelKeeper(tmp_path, DEFAULT_KNOWLEDGE_DIR)
    question = "abdi pagawe nagri, kenging teu ngadamel pidio kanggo jago bupati?"  # Sundanese
    entry = next(e for e in small_kb.entries.values() if e.topic != "dasar-hukum")
    before = keeper.matcher_for(small_kb).match(question)
    assert before.best is None or before.best.entry_id != entry.id
    # An admin teaches the bot the question; the bot swaps in every model it is handed.
    taught = replace(entry, questions={**entry.questions, "id": [*entry.questions["id"], question]})
    kb = replace(small_kb, entries={**small_kb.entries, entry.id: taught})
    handed = []
    keeper.request(kb, handed.append)
    assert keeper.wait(timeout=300)
    quick, full = handed  # the quick model, then the full build that replaces it
    assert quick.model.meta.get("quick") and not full.model.meta.get("quick")
    for matcher in (quick, full):
        match = matcher.match(question)
        assert match.band == ANSWER and match.best is not None and match.best.entry_id == entry.id
    # Only the full build is kept as the knowledge's artefact.
    data = training.training_input(kb, DEFAULT_KNOWLEDGE_DIR, keeper.config)
    path = keeper.path(training.input_key(data))
    assert path is not None and not Model.from_bytes(path.read_bytes(), full.normalizer).meta.get(
        "quick"
    )


def test_a_built_model_is_kept_as_its_file_not_in_the_bots_memory(small_kb, tmp_path, monkeypatch):
    monkeypatch.setattr(artefacts, "_MEMO", OrderedDict())
    question = next(iter(small_kb.entries.values())).questions["id"][0]
    expected = ModelKeeper(tmp_path / "a", DEFAULT_KNOWLEDGE_DIR).matcher_for(small_kb)
    # Remembered by where it is stored (the bytes would be 3.5 MB of the bot's memory).
    assert [isinstance(v, Path) for v in artefacts._MEMO.values()] == [True]
    # Another models directory in the same process (a test suite) gets a copy, not a new build.
    monkeypatch.setattr(artefacts._BUILDER, "build", lambda data: pytest.fail("built again"))
    copied = ModelKeeper(tmp_path / "b", DEFAULT_KNOWLEDGE_DIR).matcher_for(small_kb)
    assert copied.match(question) == expected.match(question)
    assert len(list((tmp_path / "b").glob("matcher-*.npz"))) == 1


def test_a_builder_stopped_under_a_build_still_leaves_the_bot_a_model(
    small_kb, tmp_path, monkeypatch
):
    # The builder's pool can be shut down between taking it and submitting (the idle timer,
    # the bot stopping): the build then runs in the bot's own process instead of failing.
    class StoppedPool:
        def __init__(self, *args, **kwargs):
            pass

        def submit(self, *args, **kwargs):
            raise RuntimeError("cannot schedule new futures after shutdown")

        def shutdown(self, *args, **kwargs):
            pass

    monkeypatch.setattr(artefacts, "_MEMO", OrderedDict())
    monkeypatch.setattr(artefacts, "ProcessPoolExecutor", StoppedPool)
    monkeypatch.setattr(artefacts, "_BUILDER", artefacts._Builder())
    entry = next(iter(small_kb.entries.values()))
    matcher = ModelKeeper(tmp_path, DEFAULT_KNOWLEDGE_DIR).matcher_for(small_kb)
    match = matcher.match(entry.questions["id"][0])
    assert match.band == ANSWER and match.best is not None and match.best.entry_id == entry.id


def _every_class_model(n_classes: int = 6) -> Model:
    """A model over QUESTION's n-grams with random weights: even features weigh for every class
    (held as dense rows too), odd ones for one class (sparse only)."""
    normalizer = Normalizer()
    grams = _question_grams(normalizer)
    rng = np.random.default_rng(8)
    per_feature = [
        list(range(n_classes)) if f % 2 == 0 else [f % n_classes] for f in range(len(grams))
    ]
    classes = np.array([c for cs in per_feature for c in cs], dtype=np.int32)
    return Model(
        labels=[f"e{i}" for i in range(n_classes)],
        vocab=Vocabulary(grams),
        idf=rng.uniform(1, 3, size=len(grams)).astype(np.float32),
        indptr=np.concatenate([[0], np.cumsum([len(cs) for cs in per_feature])]).astype(np.int64),
        classes=classes,
        weights=rng.normal(size=len(classes)).astype(np.float32),
        bias=np.zeros(n_classes, dtype=np.float32),
        spec=FeatureSpec(),
        normalizer=normalizer,
    )


def _summed(model: Model, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A text's scores, every stored weight of its features added one by one; its features."""
    idx, vals = vectorize(model.featurizer.blocks(text), model.vocab, model.idf)
    expected = model.bias.astype(np.float64)
    for f, v in zip(idx, vals, strict=True):
        for k in range(model.indptr[f], model.indptr[f + 1]):
            expected[model.classes[k]] += v * float(model.weights[k])
    return expected, idx


def test_a_question_scores_the_same_whether_its_common_ngrams_are_summed_dense_or_sparse():
    """Common n-grams (weights for many classes) are summed from dense rows, rare ones weight by
    weight: a question's scores are the sum of every one of its features' stored weights."""
    model = _every_class_model()
    expected, idx = _summed(model, QUESTION)
    scores, known = model.logits(QUESTION)
    assert np.allclose(scores, expected, rtol=0, atol=1e-12)
    assert known == 1.0
    assert any(f % 2 == 0 for f in idx) and any(f % 2 for f in idx)  # both paths were taken


def test_a_bot_that_has_seen_many_words_scores_questions_as_a_fresh_one(monkeypatch):
    """The model remembers its words' n-gram ids, a bounded number of them: once that is full
    it starts again, and questions (the same words or new ones) score as they did at first."""
    monkeypatch.setattr(model_module, "WORD_IDS_KEPT", 5)
    model = _every_class_model()
    questions = ["pegawai ikut acara", "kantor kantor partai", "apa itu politik?", "", "boleh?"]
    for question in [*questions, QUESTION, *reversed(questions)]:
        expected, _ = _summed(model, question)
        assert np.allclose(model.logits(question)[0], expected, rtol=0, atol=1e-12)
        assert model.remembered_words <= max(5, len(question.split()))


def test_a_large_knowledge_base_offers_its_ten_best_entries_ties_in_entry_order():
    """Candidates come from a partial sort over thousands of entries: they must be exactly the
    ten a full stable sort gives, equal probabilities in the entries' order."""
    rng = np.random.default_rng(3)
    for size in (5, 98, 10_000):
        probs = rng.integers(0, 20, size=size) / 20  # many ties, at the tenth place too
        expected = list(np.argsort(-probs, kind="stable")[:10])
        assert list(bands_module.top_positions(probs, 10)) == expected
