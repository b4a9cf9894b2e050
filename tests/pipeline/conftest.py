"""Fixtures shared by the pipeline tests."""

from __future__ import annotations

import pytest

from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario


@pytest.fixture
async def chat():
    """A group channel on a fresh engine with the default policy and a fake adapter."""
    engine = Engine(load_policy("default"), adapters=[FakeAdapter()])
    await engine.start(background=False)
    yield Scenario(engine)
    await engine.stop()
