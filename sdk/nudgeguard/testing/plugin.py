"""pytest plugin (entry point ``pytest11``): fixtures for testing with nudgeguard."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.testing.fake import FakeAdapter
from nudgeguard.testing.harness import FakeHarness


@pytest.fixture
def fake_adapter() -> FakeAdapter:
    """Return a fresh FakeAdapter."""
    return FakeAdapter()


@pytest.fixture
async def fake_engine(fake_adapter: FakeAdapter) -> AsyncIterator[Engine]:
    """Yield a started engine (default policy, in-memory stores) with the FakeAdapter."""
    engine = Engine(load_policy("default"), adapters=[fake_adapter])
    await engine.start(background=False)
    yield engine
    await engine.stop()


@pytest.fixture
async def fake_harness(fake_engine: Engine, fake_adapter: FakeAdapter) -> FakeHarness:
    """Return the reference conformance harness around the FakeAdapter."""
    return FakeHarness(fake_engine, fake_adapter)
