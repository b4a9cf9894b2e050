"""The learned scorer: its model file, the running score per pair and its explanation.

Lines are short paraphrases written for the test."""

import json
import zlib
from importlib import resources

import pytest

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import ConversationKind, MessageEvent, Participant
from nudgeguard.pipeline.detectors import LearnedDetector, default_detectors
from nudgeguard.pipeline.detectors.hashing import MAX_TOKENS, features, tokens, word_buckets
from nudgeguard.pipeline.detectors.learned import (
    MIN_LINES,
    explanation,
    fold_evidence,
    running_score,
)
from nudgeguard.pipeline.detectors.scorer_model import (
    MAGIC,
    ModelError,
    decode_model,
    encode_model,
    load_model,
)
from nudgeguard.pipeline.text import normalize
from nudgeguard.policy import load_policy
from nudgeguard.state.store import PairState
from nudgeguard.state.stores.codec import pair_dump, pair_load

BITS = 10


def _model(risky: dict[str, float], bias: float = -3.0, threshold: float = 0.5):
    """A tiny model whose only non-zero weights are on the n-grams of ``risky``."""
    weights = [0.0] * (1 << BITS)
    for phrase, weight in risky.items():
        for f in features(phrase, BITS):
            weights[f.bucket] = weight
    return decode_model(encode_model(weights, bias, threshold, {"test": True}))


def _event(text, author="a", i=0):
    return MessageEvent(
        platform="t",
        community_id="c",
        conversation_id="dm",
        conversation_kind=ConversationKind.DIRECT,
        message_id=f"m{i}",
        author=Participant(id=author),
        text=text,
        ts=1_700_000_000.0 + 30 * i,
    )


def test_a_model_survives_its_file_format():
    model = _model({"sneaky": 4.0})
    again = decode_model(encode_model(list(model.table), model.bias, 0.7, {"k": 1}))
    assert again.bits == BITS and again.threshold == 0.7 and again.meta == {"k": 1}
    assert list(again.table) == list(model.table)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b"PK\x03\x04" + b[4:],  # not a model file
        lambda b: b[: len(MAGIC) + 5],  # header cut off
        lambda b: b[:-7],  # table truncated
        lambda b: b.replace(b'"threshold": 0.5', b'"threshold": 7'),
        lambda b: b[: b.index(b"\n", len(MAGIC)) + 1] + zlib.compress(b"\0" * 10),
    ],
)
def test_a_damaged_model_file_is_a_clear_error(damage):
    data = encode_model([0.5] * (1 << BITS), 0.0, 0.5, {})
    with pytest.raises(ModelError):
        decode_model(damage(data))


RISKY = "keep it quiet"
GROOMING_SIDE = [
    "dont tell your parents we talk, its our secret",
    "you are so mature for your age",
    "delete our chat after ok",
    "send me a pic just for me",
    "lets meet where nobody can see us",
    "your mom doesnt need to know",
    "i can pick you up after school",
    "you can trust me more than your friends",
]
EVERYDAY_SIDE = [
    "how do i reinstall the graphics driver",
    "did you finish the homework",
    "the bus is late again",
    "see you at practice tomorrow",
    "which chapter is on the test",
    "my sister made pasta",
    "try rebooting into recovery mode",
    "thanks that fixed it",
]


def _evidence(detector, text):
    (signal,) = detector.detect(normalize(text), _event(text))
    return signal


def test_each_message_reports_its_evidence_and_the_ngrams_that_weighed_most():
    detector = LearnedDetector(_model({RISKY: 3.0}))
    text = normalize("ok but keep it quiet alright")
    (signal,) = detector.detect(text, _event(text.text))
    assert signal.id == "learned_grooming" and signal.source == "learned"
    assert signal.logit > 0
    (start, end), named = explanation(signal)
    assert set(named) <= {"keep", "it", "quiet", "keep it", "it quiet"}
    assert len(named) == 3
    assert text.text[start:end] in {"keep", "it", "quiet", "keep it", "it quiet"}


def test_ordinary_text_pushes_the_running_score_down_and_names_nothing():
    detector = LearnedDetector(_model({RISKY: 3.0, "practice": -2.0}))
    signal = _evidence(detector, "see you at practice tomorrow")
    assert signal.logit < 0 and explanation(signal) == ((0, 0), ())


def test_a_pair_counts_only_from_the_minimum_number_of_messages_on():
    detector = LearnedDetector(_model({RISKY: 3.0}))
    pair = PairState()
    counted = [fold_evidence(pair, _evidence(detector, "keep it quiet")) for _ in range(10)]
    assert counted[: MIN_LINES - 1] == [None] * (MIN_LINES - 1)
    assert all(s is not None and s.features for s in counted[MIN_LINES - 1 :])
    assert running_score(pair) >= 1.0


def test_everyday_lines_in_between_bring_the_running_score_back_under_its_threshold():
    detector = LearnedDetector(_model({RISKY: 3.0, "practice": -9.0}))
    pair = PairState()
    for _ in range(MIN_LINES):
        fold_evidence(pair, _evidence(detector, "keep it quiet"))
    assert running_score(pair) >= 1.0
    for _ in range(4 * MIN_LINES):
        fold_evidence(pair, _evidence(detector, "see you at practice"))
    assert running_score(pair) < 1.0
    assert fold_evidence(pair, _evidence(detector, "keep it quiet")) is None


def test_the_running_score_keeps_two_numbers_per_pair_however_long_the_chat():
    detector = LearnedDetector()
    pair = PairState()
    sizes = []
    for i in range(5_000):
        fold_evidence(pair, _evidence(detector, EVERYDAY_SIDE[i % len(EVERYDAY_SIDE)] + f" {i}"))
        if i in (10, 4_999):
            sizes.append(len(pair_dump(pair, 0.0)))
    assert pair.learned_lines == 5_000
    assert sizes[1] - sizes[0] <= 8  # a few more digits in the counters, nothing else


def test_a_huge_message_is_featurised_only_up_to_its_token_budget():
    text = "word " * 100_000
    assert len(features(text, BITS)) == 2 * MAX_TOKENS - 1
    detector = LearnedDetector(_model({"word": 0.01}))
    assert detector.probability([text]) < 0.5


def test_a_threshold_below_the_models_bias_is_refused():
    with pytest.raises(ValueError, match="threshold"):
        LearnedDetector(_model({RISKY: 3.0}, bias=1.0, threshold=0.6))


def test_the_bundled_model_reads_a_groomers_side_above_everyday_chat():
    detector = LearnedDetector()
    assert load_model().meta["seed"] == 19
    risky = detector.probability([normalize(t).text for t in GROOMING_SIDE])
    plain = detector.probability([normalize(t).text for t in EVERYDAY_SIDE])
    assert risky > detector.threshold > plain


def test_the_bundled_model_file_is_weights_only():
    data = (resources.files("nudgeguard.patterns") / "learned_scorer.bin").read_bytes()
    end = data.index(b"\n", len(MAGIC))
    head = json.loads(data[len(MAGIC) : end])
    assert set(head) == {"bits", "scale", "bias", "threshold", "meta"}
    assert all(isinstance(v, (int, float, str, list)) for v in head["meta"].values())
    # Everything after the header is the table of 2**bits 16-bit weights, nothing more.
    assert len(zlib.decompress(data[end + 1 :])) == 2 << head["bits"]


def test_the_learned_detector_is_built_in():
    assert "learned" in [d.name for d in default_detectors()]


async def _replay(detector, lines):
    engine = Engine(load_policy("default"), detectors=[detector])
    await engine.start(background=False)
    decisions = []
    try:
        for i, (author, text) in enumerate(lines):
            decisions.append(await engine.handle(_event(text, author=author, i=i)))
    finally:
        await engine.stop()
    return decisions


async def test_a_pairs_running_score_opens_a_case_that_explains_itself():
    detector = LearnedDetector(_model({RISKY: 3.0}))
    lines = [("b", "hi")] + [("a", f"keep it quiet {i}") for i in range(MIN_LINES)]
    decisions = await _replay(detector, lines)
    first = next(d for d in decisions if d is not None and d.signals)
    assert (first.actor_id, first.target_id) == ("a", "b")
    assert decisions.index(first) == MIN_LINES  # the sixth of a's messages, not before
    (signal,) = first.signals
    assert signal.id == "learned_grooming" and "keep it" in signal.features
    assert first.wants("escalate") is not None
    assert "learned_grooming" in first.explain()
    assert "quiet" not in first.explain()  # explanations for logs carry no message text


async def test_the_person_addressed_is_nudged_when_the_learned_score_opens_a_case():
    detector = LearnedDetector(_model({RISKY: 3.0}))
    lines = [("b", "hi")] + [("a", f"keep it quiet {i}") for i in range(MIN_LINES)]
    first = next(d for d in await _replay(detector, lines) if d is not None and d.actions)
    assert first.wants("escalate") is not None
    assert first.wants("nudge_child") is not None and first.target_id == "b"


async def test_the_learned_signal_adds_nothing_to_the_risk_the_stranger_rules_read():
    # Its own rule judges it; added to the stage sum, a long side past the threshold would
    # also lift lexicon rules towards their levels (the same lines counted twice).
    detector = LearnedDetector(_model({RISKY: 3.0}))
    lines = [("b", "hi")] + [("a", f"keep it quiet {i}") for i in range(3 * MIN_LINES)]
    learned = [d for d in await _replay(detector, lines) if d is not None and d.signals]
    assert len(learned) == 2 * MIN_LINES + 1
    assert all(d.assessment.score == 0.0 and "ML" not in d.assessment.stages for d in learned)


async def test_the_childs_side_alone_opens_no_case_with_the_bundled_model():
    child = [
        "hi",
        "im 13",
        "my mom is at work",
        "idk",
        "lol ok",
        "why do you want to know",
        "i have school tomorrow",
        "ok i guess",
        "what do you mean",
        "my parents are strict",
    ]
    decisions = await _replay(LearnedDetector(), [("c", t) for t in child] + [("s", "ok")])
    assert not any(d is not None and d.actions for d in decisions)


def test_a_stored_pair_keeps_its_running_score():
    pair = PairState(learned_sum=3.14159, learned_lines=7)
    again = pair_load(json.loads(pair_dump(pair, 0.0)))
    assert (again.learned_sum, again.learned_lines) == (3.14, 7)
    assert "ls" not in pair_dump(PairState(), 0.0)  # nothing stored before the first line


async def _lexicon_and(model_weights):
    from nudgeguard.pipeline.age import AgeDetector
    from nudgeguard.pipeline.detectors.lexicon import LexiconDetector

    detector = LearnedDetector(_model(model_weights))
    engine = Engine(load_policy("default"), detectors=[LexiconDetector(), AgeDetector(), detector])
    await engine.start(background=False)
    lines = [("b", "hi")] + [("a", f"see you at practice on day {i}") for i in range(MIN_LINES)]
    lines += [("a", "dont tell anyone about this, its our secret"), ("a", "lets meet tonight")]
    try:
        for i, (author, text) in enumerate(lines):
            await engine.handle(_event(text, author=author, i=i))
        return await engine.cases.list_cases()
    finally:
        await engine.stop()


async def test_a_secret_meeting_between_strangers_opens_a_case_when_the_scorer_is_neutral():
    assert len(await _lexicon_and({"unrelated": 1.0})) == 1


async def test_no_stranger_case_when_the_scorer_reads_the_senders_side_as_clearly_ordinary():
    # A child playing along proposes secrecy and meetings too: between people of unknown
    # age, lexicon moves open no case from a side the scorer reads well below neutral.
    assert await _lexicon_and({"practice": -3.0}) == []


@pytest.mark.parametrize("text", ["dont tell your mom we talk", "ok", "", "a b c d " * 40])
def test_the_fast_buckets_are_the_features_buckets(text):
    assert sorted(word_buckets(tokens(text), 18, {})) == sorted(
        f.bucket for f in features(text, 18)
    )
