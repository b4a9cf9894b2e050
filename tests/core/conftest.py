import pytest

from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario

from .keyword_detector import KeywordDetector


@pytest.fixture
def adapter() -> FakeAdapter:
    return FakeAdapter()


@pytest.fixture
async def engine(adapter):
    eng = Engine(load_policy("default"), adapters=[adapter], detectors=[KeywordDetector()])
    await eng.start(background=False)
    yield eng
    await eng.stop()


@pytest.fixture
def chat(engine) -> Scenario:
    return Scenario(engine)
