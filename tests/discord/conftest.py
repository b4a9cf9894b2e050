"""Fixtures: a fake Discord on loopback, a small guild, and the real adapter against it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from nudgeguard_discord import DiscordAdapter
from tests.discord.fake_discord import FakeDiscord
from tests.discord.world import RecordingEngine, World, build_world, make_adapter


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    undo = server.patch_discord()
    try:
        yield server
    finally:
        undo()
        await server.stop()


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    return build_world(fake)


@pytest.fixture
async def running(world: World) -> AsyncIterator[tuple[DiscordAdapter, RecordingEngine]]:
    adapter = make_adapter(world)
    engine = RecordingEngine()
    adapter.bind(engine)  # type: ignore[arg-type]
    await adapter.start()
    try:
        yield adapter, engine
    finally:
        await adapter.stop()
