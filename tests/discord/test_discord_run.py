"""Standalone: what ``nudgeguard run --config FILE`` builds, against the fake Discord."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nudgeguard.app import build_engine
from nudgeguard.config import load_config
from nudgeguard_discord import DiscordAdapter, DiscordSettings
from tests.discord.world import World, wait_until


async def test_config_file_with_discord_section_runs_the_bot(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nudgeguard.yaml"
    section = world.section()
    path.write_text(yaml.safe_dump({"policy": "default", "discord": section}), encoding="utf-8")
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    engine = await build_engine(load_config(path), tmp_path / "cases.sqlite3")
    adapter = engine.adapters["discord"]
    assert isinstance(adapter, DiscordAdapter)
    adapter.bot_options["guild_ready_timeout"] = 0.05
    await engine.start(background=False)
    try:
        await world.fake.send_message(world.general, world.kid, "hello from the config test")
        await wait_until(lambda: engine.stats.events == 1)
        [login] = world.fake.calls_to("GET", r"^/users/@me$")
        assert login.method == "GET"
    finally:
        await engine.stop()
    assert adapter.bot.is_closed()


async def test_missing_token_fails_at_start_without_leaking(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    adapter = DiscordAdapter.from_config(world.section())
    with pytest.raises(RuntimeError, match=r"\$DISCORD_TOKEN"):
        await adapter.start()


async def test_rejected_token_stops_start_with_a_clear_error(world: World) -> None:
    world.fake.fail("GET", r"^/users/@me$", 401, code=0)
    settings = DiscordSettings.from_section(world.section(), environ={"DISCORD_TOKEN": "not-valid"})
    adapter = DiscordAdapter(settings)
    with pytest.raises(RuntimeError, match="stopped during login") as caught:
        await adapter.start()
    assert "not-valid" not in str(caught.value)
    await adapter.stop()
