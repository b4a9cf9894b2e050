"""The discord.py extension entry: ``await bot.load_extension("nudgeguard_discord")``.

The extension reads the nudgeguard config file named by the ``NUDGEGUARD_CONFIG`` environment
variable, builds the engine with the Discord adapter attached to *your* bot (it never logs in
by itself), adds :class:`SafetyCog` and starts the engine. Unloading stops the engine.

If you build the engine yourself, skip the extension and add the cog directly::

    adapter = DiscordAdapter(settings, bot=bot)
    engine = Engine(..., adapters=[adapter])
    await bot.add_cog(SafetyCog(bot, adapter))
    await engine.start()
"""

from __future__ import annotations

import os
from typing import Any

from discord.ext import commands

CONFIG_ENV = "NUDGEGUARD_CONFIG"
_ENGINE_ATTR = "nudgeguard_engine"


async def setup(bot: commands.Bot) -> None:
    """Build and start nudgeguard inside ``bot``.

    Raises:
        RuntimeError: ``NUDGEGUARD_CONFIG`` is not set or the core cannot build an engine.
    """
    from nudgeguard_discord.cog import SafetyCog

    path = os.environ.get(CONFIG_ENV)
    if not path:
        raise RuntimeError(f"set {CONFIG_ENV} to the nudgeguard config file to load the extension")
    engine, adapter = await _build_engine(path, bot)
    await bot.add_cog(SafetyCog(bot, adapter))
    await engine.start()
    setattr(bot, _ENGINE_ATTR, engine)


async def teardown(bot: commands.Bot) -> None:
    """Stop the engine started by :func:`setup`."""
    engine = getattr(bot, _ENGINE_ATTR, None)
    if engine is not None:
        await engine.stop()
        delattr(bot, _ENGINE_ATTR)


async def _build_engine(path: str, bot: commands.Bot) -> tuple[Any, Any]:
    """Build the engine from the config file, with the Discord adapter attached to ``bot``."""
    from nudgeguard import ConfigError, build_engine, load_config
    from nudgeguard_discord.adapter import DiscordAdapter
    from nudgeguard_discord.settings import DiscordSettings

    try:
        settings = load_config(path)
    except ConfigError as exc:
        raise RuntimeError(str(exc)) from None
    core = settings.model_copy(deep=True)
    section = (core.model_extra or {}).pop("discord", None) or {}
    adapter = DiscordAdapter(DiscordSettings.from_section(section), bot=bot)
    engine = await build_engine(core, extra_adapters=[adapter])
    return engine, adapter
