"""Inside an existing bot: the extension and the cog, without nudgeguard logging in itself."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from discord.ext import commands

import discord
from nudgeguard_discord import DiscordAdapter, DiscordSettings, SafetyCog, default_intents
from tests.discord.world import RecordingEngine, World, wait_until


class HostBot(commands.Bot):
    """Somebody's existing bot with its own command."""

    def __init__(self, extension: bool) -> None:
        super().__init__(
            command_prefix="!",
            intents=default_intents(),
            chunk_guilds_at_startup=False,
            guild_ready_timeout=0.05,
        )
        self.load_nudgeguard = extension
        self.pings = 0

        @self.command()
        async def ping(ctx: commands.Context[Any]) -> None:
            self.pings += 1

    async def setup_hook(self) -> None:
        if self.load_nudgeguard:
            await self.load_extension("nudgeguard_discord")


async def run_bot(bot: commands.Bot) -> asyncio.Task[None]:
    task = asyncio.create_task(bot.start("host-token"))
    await wait_until(lambda: bot.is_ready() or task.done())
    if task.done():
        task.result()
    return task


async def test_cog_in_an_existing_bot(world: World) -> None:
    bot = HostBot(extension=False)
    settings = DiscordSettings.from_section(world.section(), environ={})
    adapter = DiscordAdapter(settings, bot=bot)
    engine = RecordingEngine()
    adapter.bind(engine)  # type: ignore[arg-type]
    await bot.add_cog(SafetyCog(bot, adapter))
    await adapter.start()
    task = await run_bot(bot)
    try:
        await world.fake.send_message(world.general, world.kid, "!ping")
        await world.fake.send_message(world.general, world.kid, "hello")
        await wait_until(lambda: len(engine.events) == 2 and bot.pings == 1)
        assert adapter.bot is bot
        nudgeguard_logins = [c for c in world.fake.calls if c.path == "/users/@me"]
        assert len(nudgeguard_logins) == 1  # only the host bot logged in
    finally:
        await adapter.stop()
        await bot.close()
        await asyncio.gather(task, return_exceptions=True)
    assert not bot.is_ready() or bot.is_closed()


@pytest.fixture(autouse=True)
def keep_modules() -> Iterator[None]:
    """Unloading (or failing to load) an extension drops its modules from sys.modules."""
    saved = {k: v for k, v in sys.modules.items() if k.split(".")[0] == "nudgeguard_discord"}
    yield
    sys.modules.update(saved)


async def test_extension_builds_engine_from_config(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {
        "policy": "default",
        "cases": {"backend": "sqlite", "path": str(tmp_path / "cases.sqlite3")},
        "discord": world.section(),
    }
    path = tmp_path / "nudgeguard.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("NUDGEGUARD_CONFIG", str(path))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    bot = HostBot(extension=True)
    task = await run_bot(bot)
    try:
        assert bot.get_cog("nudgeguard") is not None
        engine = bot.nudgeguard_engine  # type: ignore[attr-defined]
        await world.fake.send_message(world.general, world.kid, "hi all")
        await wait_until(lambda: engine.stats.events == 1)
        await bot.unload_extension("nudgeguard_discord")
        assert bot.get_cog("nudgeguard") is None
    finally:
        await bot.close()
        await asyncio.gather(task, return_exceptions=True)


async def test_extension_without_config_fails_clearly(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NUDGEGUARD_CONFIG", raising=False)
    bot = HostBot(extension=True)
    with pytest.raises(discord.ext.commands.ExtensionFailed, match="NUDGEGUARD_CONFIG"):
        await bot.start("host-token")
    await bot.close()
