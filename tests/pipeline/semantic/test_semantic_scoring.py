"""The semantic detector's scoring and risk bar, with a deterministic fake encoder."""

import pytest

from nudgeguard.inbox.events import MessageEvent
from nudgeguard.pipeline.detectors.semantic import (
    Exemplars,
    SemanticDetector,
    load_exemplars,
    parse_exemplars,
)
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.pipeline.text import normalize
from nudgeguard.testing import person

from .fake_encoder import BagOfWordsEncoder

EXEMPLARS = Exemplars(
    signals={
        "secrecy_request": ("keep our chats hidden from everyone else",),
        "meet_request": ("come and visit me at my place next weekend",),
    },
    normal=("what did everyone have for dinner tonight",),
    margins={},
)
ADULT = person("adult")
OTHER = person("other")


def event(text, who=ADULT, ts=1000.0, conversation="room"):
    return MessageEvent(
        platform="fake",
        community_id="c",
        conversation_id=conversation,
        message_id=f"m{ts}",
        author=who,
        text=text,
        ts=ts,
    )


def lexicon_hit(sid="age_probe"):
    return (Signal(sid, (0, 3), 1.0, "lexicon"),)


@pytest.fixture
def setup():
    encoder = BagOfWordsEncoder()
    detector = SemanticDetector(encoder, EXEMPLARS, margin=0.1, floor=0.3)
    return detector, encoder


def run(detector, text, found=(), **kw):
    return detector.detect_after(normalize(text), event(text, **kw), found)


def test_a_paraphrase_close_to_a_signal_exemplar_fires_that_signal(setup):
    detector, _ = setup
    (signal,) = run(detector, "please keep our chats hidden ok", lexicon_hit())
    assert signal.id == "secrecy_request"
    assert signal.source == "semantic"
    assert 0.3 <= signal.confidence <= 0.8


def test_everyday_chat_closer_to_the_normal_exemplars_does_not_fire(setup):
    detector, _ = setup
    assert run(detector, "what did you have for dinner", lexicon_hit()) == ()


def test_a_larger_gap_gives_a_higher_confidence():
    detector = SemanticDetector(BagOfWordsEncoder(), EXEMPLARS, margin=0.35, floor=0.3)
    close = detector.score("keep our chats hidden from everyone else")
    loose = detector.score("keep chats hidden ok friend see you later")
    assert close is not None and loose is not None
    assert close[1] > loose[1]


def test_a_signal_margin_from_the_exemplar_file_can_silence_a_signal():
    strict = Exemplars(EXEMPLARS.signals, EXEMPLARS.normal, {"secrecy_request": 0.99})
    detector = SemanticDetector(BagOfWordsEncoder(), strict, margin=0.1, floor=0.3)
    assert detector.score("keep our chats hidden from everyone else") is None


def test_quiet_chat_never_reaches_the_encoder(setup):
    detector, encoder = setup
    before = encoder.calls
    for i in range(20):
        assert run(detector, "keep our chats hidden from everyone else", ts=1000.0 + i) == ()
    assert encoder.calls == before
    assert detector.runs == 0


def test_exemplars_are_encoded_once_and_each_message_above_the_bar_once(setup):
    detector, encoder = setup
    assert encoder.calls == 1
    run(detector, "come and visit me next weekend", lexicon_hit())
    run(detector, "anything at all here", lexicon_hit())
    assert encoder.calls == 3


def test_an_author_with_an_earlier_signal_stays_above_the_bar_in_that_conversation(setup):
    detector, _ = setup
    run(detector, "hello there friend", lexicon_hit(), ts=1000.0)
    (signal,) = run(detector, "come and visit me at my place soon", ts=1060.0)
    assert signal.id == "meet_request"
    # Someone else, or the same author elsewhere, is not above the bar.
    assert run(detector, "come and visit me at my place soon", who=OTHER, ts=1070.0) == ()
    assert run(detector, "come and visit me at my place", ts=1080.0, conversation="x") == ()


def test_the_bar_cools_down_after_warm_hours():
    detector = SemanticDetector(BagOfWordsEncoder(), EXEMPLARS, floor=0.3, warm_hours=1.0)
    run(detector, "hello there friend", lexicon_hit(), ts=0.0)
    assert run(detector, "come and visit me at my place soon", ts=1800.0)
    assert run(detector, "come and visit me at my place soon", ts=1800.0 + 7200.0) == ()


def test_the_bar_closes_after_warm_messages_further_messages_of_that_author():
    detector = SemanticDetector(BagOfWordsEncoder(), EXEMPLARS, floor=0.3, warm_messages=2)
    run(detector, "hello there friend", lexicon_hit(), ts=0.0)
    assert run(detector, "come and visit me at my place soon", ts=1.0)
    assert run(detector, "come and visit me at my place soon", ts=2.0)
    assert run(detector, "come and visit me at my place soon", ts=3.0) == ()
    # A new signal about the author opens it again.
    run(detector, "hello there friend", lexicon_hit(), ts=4.0)
    assert run(detector, "come and visit me at my place soon", ts=5.0)


def test_context_signals_such_as_an_age_disclosure_do_not_open_the_bar(setup):
    detector, encoder = setup
    before = encoder.calls
    found = lexicon_hit("minor_self_disclosure")
    assert not TAXONOMY["minor_self_disclosure"].about_actor
    assert run(detector, "come and visit me at my place soon", found) == ()
    assert encoder.calls == before


def test_a_signal_the_lexicon_already_found_is_not_reported_twice(setup):
    detector, _ = setup
    found = lexicon_hit("secrecy_request")
    assert run(detector, "keep our chats hidden from everyone else", found) == ()


def test_the_warm_memory_is_bounded():
    detector = SemanticDetector(BagOfWordsEncoder(), EXEMPLARS, floor=0.3, max_warm=3)
    for i in range(10):
        run(detector, "hello", lexicon_hit(), who=person(f"p{i}"), ts=float(i))
    assert len(detector._warm) == 3


@pytest.mark.parametrize(
    "text",
    ["", "   ", "ok", "\u200b" * 50, "x" * 200_000, "\U0001f600" * 5000, "\x00\ud7ff\uffff"],
)
def test_odd_or_huge_text_is_handled_with_at_most_one_short_encode(setup, text):
    detector, encoder = setup
    before = encoder.calls
    result = run(detector, text, lexicon_hit())
    assert all(s.id in TAXONOMY for s in result)
    assert encoder.calls - before <= 1
    assert all(len(t) <= 400 for t in encoder.texts[2:])


def test_the_bundled_exemplars_cover_only_signals_about_the_author():
    ex = load_exemplars()
    assert len(ex.signals) >= 10
    assert all(TAXONOMY[sid].about_actor for sid in ex.signals)
    assert len(ex.normal) >= 20
    assert "sextortion_threat" not in ex.signals


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        ({"signals": {"no_such_signal": ["a"]}, "normal": ["b"]}, "not a signal"),
        ({"signals": {"minor_self_disclosure": ["a"]}, "normal": ["b"]}, "not a signal"),
        ({"signals": {"sextortion_threat": ["a"]}, "normal": ["b"]}, "forces an urgent"),
        ({"signals": {"meet_request": []}, "normal": ["b"]}, "no phrases"),
        ({"signals": {"meet_request": ["a"]}}, "normal phrases"),
        (
            {"signals": {"meet_request": ["a"]}, "normal": ["b"], "margins": {"gift_offer": 0.1}},
            "margin for",
        ),
        (
            {"signals": {"meet_request": ["a"]}, "normal": ["b"], "margins": {"meet_request": 2}},
            "must be in",
        ),
    ],
)
def test_a_bad_exemplar_file_gets_a_clear_error(data, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_exemplars(data)


def test_a_custom_exemplar_file_loads(tmp_path):
    path = tmp_path / "ex.yaml"
    path.write_text("signals:\n  gift_offer: [free game coins for you]\nnormal: [hi all]\n")
    ex = load_exemplars(path)
    assert ex.signals == {"gift_offer": ("free game coins for you",)}
