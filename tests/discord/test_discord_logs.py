"""At ``-v`` the real adapter's log holds no message text, user ids or token.

discord.py logs every gateway frame (message content, author ids) and every HTTP request
at DEBUG; the command line's logging setup must keep all of it out, whatever the level.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.engine import Engine
from nudgeguard.log_redaction import configure_logging
from nudgeguard.policy import load_policy
from nudgeguard_discord import DiscordAdapter, DiscordSettings
from tests.discord.test_discord_end_to_end import TRAJECTORY, run_trajectory
from tests.discord.world import World, wait_until

TOKEN = "MTEzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture
def verbose_log() -> Iterator[io.StringIO]:
    """What ``nudgeguard -v`` sets up, writing to a buffer; the previous setup restored."""
    root = logging.getLogger()
    before = root.level, list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    buffer = io.StringIO()
    configure_logging(verbose=True, stream=buffer)
    try:
        yield buffer
    finally:
        for handler in root.handlers[:]:
            if handler not in before[1]:
                root.removeHandler(handler)
        root.setLevel(before[0])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_verbose_discord_run_logs_no_text_ids_or_token(
    world: World, tmp_path: Path, verbose_log: io.StringIO
) -> None:
    settings = DiscordSettings.from_section(world.section(), environ={"DISCORD_TOKEN": TOKEN})
    adapter = DiscordAdapter(settings, bot_options={"guild_ready_timeout": 0.05})
    store = SqliteCaseStore(tmp_path / "cases.sqlite3")
    engine = Engine(load_policy("default"), cases=store, adapters=[adapter])
    await engine.start()
    try:
        await run_trajectory(world, adapter)
        await world.fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
        await wait_until(lambda: engine.stats.events >= len(TRAJECTORY))
    finally:
        await engine.stop()

    logging.getLogger("nudgeguard.engine").debug("our DEBUG lines are kept at -v")
    logged = verbose_log.getvalue()
    assert "our DEBUG lines are kept at -v" in logged
    secrets = [text for _, text in TRAJECTORY]
    secrets += [world.kid["id"], world.adult["id"], world.mod["id"], TOKEN]
    for secret in secrets:
        assert secret not in logged, "the verbose log carries a payload"
    for part in TOKEN.split("."):
        assert part not in logged


async def test_without_redaction_discord_py_would_log_them(
    world: World, tmp_path: Path, verbose_log: io.StringIO
) -> None:
    """The check above can fail: discord.py's own DEBUG lines carry text and ids."""
    raw = io.StringIO()
    handler = logging.StreamHandler(raw)
    logging.getLogger("discord").setLevel(logging.DEBUG)
    logging.getLogger("discord").addHandler(handler)
    settings = DiscordSettings.from_section(world.section(), environ={"DISCORD_TOKEN": TOKEN})
    adapter = DiscordAdapter(settings, bot_options={"guild_ready_timeout": 0.05})
    engine = Engine(load_policy("default"), cases=SqliteCaseStore(":memory:"), adapters=[adapter])
    await engine.start()
    try:
        await run_trajectory(world, adapter)
    finally:
        await engine.stop()
        logging.getLogger("discord").removeHandler(handler)
    unfiltered = raw.getvalue()
    assert TRAJECTORY[0][1] in unfiltered and world.adult["id"] in unfiltered
    filtered = verbose_log.getvalue()
    assert TRAJECTORY[0][1] not in filtered and world.adult["id"] not in filtered
