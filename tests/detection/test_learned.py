"""The learned scorer: its model file, its signal and the explanation it carries."""

import zlib

import pytest

from nudgeguard.detectors import LearnedDetector, default_detectors
from nudgeguard.detectors.hashing import MAX_TOKENS, features
from nudgeguard.detectors.scorer_model import (
    MAGIC,
    ModelError,
    decode_model,
    encode_model,
    load_model,
)
from nudgeguard.engine import Engine
from nudgeguard.events import ConversationKind, MessageEvent, Participant
from nudgeguard.policy import load_policy
from nudgeguard.text import normalize

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


def test_the_signal_names_the_ngrams_of_the_message_that_weighed_most():
    detector = LearnedDetector(_model({"keep it quiet": 3.0}))
    text = normalize("ok but keep it quiet alright")
    (signal,) = detector.detect(text, _event(text.text))
    assert signal.id == "learned_grooming" and signal.source == "learned"
    assert signal.confidence > 0.5
    assert set(signal.features) <= {"keep", "it", "quiet", "keep it", "it quiet"}
    assert len(signal.features) == 3
    start, end = signal.span
    assert text.text[start:end] in {"keep", "it", "quiet", "keep it", "it quiet"}


def test_ordinary_text_reports_nothing():
    detector = LearnedDetector(_model({"keep it quiet": 3.0}))
    text = normalize("see you at practice tomorrow")
    assert detector.detect(text, _event(text.text)) == []


def test_a_huge_message_is_featurised_only_up_to_its_token_budget():
    text = "word " * 100_000
    assert len(features(text, BITS)) == 2 * MAX_TOKENS - 1
    detector = LearnedDetector(_model({"word": 0.01}))
    assert detector.probability(text) < 0.5


def test_the_bundled_model_ranks_a_grooming_paraphrase_above_everyday_chat():
    detector = LearnedDetector()
    assert load_model().meta["seed"] == 19
    risky = detector.probability(normalize("dont tell your parents we talk, its our secret").text)
    plain = detector.probability(normalize("how do i reinstall the graphics driver").text)
    assert risky > 0.9 > 0.1 > plain


def test_the_learned_detector_is_built_in():
    assert "learned" in [d.name for d in default_detectors()]


async def test_the_engine_scores_the_learned_signal_on_the_pair_with_its_features():
    detector = LearnedDetector(_model({"keep it quiet": 3.0}))
    engine = Engine(load_policy("default"), detectors=[detector])
    await engine.start(background=False)
    try:
        await engine.handle(_event("hi", author="b", i=0))
        decision = await engine.handle(_event("keep it quiet ok", author="a", i=1))
    finally:
        await engine.stop()
    assert decision is not None
    assert (decision.actor_id, decision.target_id) == ("a", "b")
    (signal,) = decision.signals
    assert signal.id == "learned_grooming" and "keep it" in signal.features
    assert decision.assessment.score > 0
    assert "learned_grooming" in decision.explain()
    assert "quiet" not in decision.explain()  # explanations for logs carry no message text
