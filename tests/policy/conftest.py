"""Fixtures for the policy tests: an engine on the default pack with a fake adapter."""

import pytest

from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter


@pytest.fixture
async def engine():
    engine = Engine(load_policy("default"), adapters=[FakeAdapter()])
    await engine.start(background=False)
    yield engine
    await engine.stop()
