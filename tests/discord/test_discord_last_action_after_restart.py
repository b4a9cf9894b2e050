"""Discord over loopback: a console decision stays on the post when a restarted bot edits it.

A moderator acknowledges the case in the console (its own process in real use), the bot
restarts (its memory of the post is gone), then the conversation goes on and the case's
severity rises: the restarted bot draws the raised alert, which knows nothing of the
decision, and edits the post. The post still says "Acknowledged by console account ana".
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.console.security import hash_password
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.privacy import Pseudonymizer
from nudgeguard_discord import DiscordAdapter
from tests.discord.test_discord_end_to_end import TRAJECTORY
from tests.discord.test_discord_post_follows_console import (
    PASSWORD,
    _acknowledge_in_console,
    _fields,
)
from tests.discord.world import World, make_adapter, wait_until

#: The bot's and the console's pseudonym key (``$NUDGEGUARD_PSEUDONYM_KEY``).
KEY = "k" * 32


async def _say(world: World, adapter: DiscordAdapter, lines: list[tuple[str, str]]) -> None:
    """Post ``lines`` in the guild's channel, the adult replying to the child."""
    people = {"adult": world.adult, "kid": world.kid}
    last = None
    for who, text in lines:
        seen = len(adapter.recent)
        adult = last is not None and last["author"]["id"] == world.adult["id"]
        reply_to = last if who == "adult" and not adult else None
        last = await world.fake.send_message(world.general, people[who], text, reply_to=reply_to)
        await wait_until(lambda seen=seen: len(adapter.recent) > seen)
    await adapter.drain()


def _bot(world: World, path: Path) -> tuple[DiscordAdapter, Engine]:
    adapter = make_adapter(world)
    engine = Engine(
        load_policy("default"),
        cases=SqliteCaseStore(path),
        adapters=[adapter],
        pseudonymizer=Pseudonymizer(KEY.encode()),
    )
    return adapter, engine


async def test_a_console_decision_stays_on_the_post_when_severity_rises_after_a_restart(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", KEY)
    path, fake = tmp_path / "cases.sqlite3", world.fake
    adapter, engine = _bot(world, path)
    await engine.start(background=False)  # no timer: the test drains the outbox
    try:
        await _say(world, adapter, TRAJECTORY[:5])
        await engine.outbox.drain()
        [case] = await engine.cases.list_cases(community_id=world.guild)
        await engine.cases.save_account("ana", hash_password(PASSWORD), world.guild, "moderator")
        assert await asyncio.to_thread(_acknowledge_in_console, path, case.id) == 200
        await engine.outbox.drain()
    finally:
        await engine.stop()  # the bot restarts: everything it remembered is gone
    alert = next(m for m in fake.messages.values() if m["channel_id"] == world.mods)
    decided = _fields(fake.messages[alert["id"]])
    assert "Acknowledged by console account `ana`" in decided["Last action"]

    adapter, engine = _bot(world, path)
    await engine.start(background=False)
    try:
        await _say(world, adapter, TRAJECTORY[5:])
        await engine.outbox.drain()
    finally:
        await engine.stop()

    [raised] = await engine.cases.list_cases(community_id=world.guild)
    assert raised.severity != case.severity, "the case's severity did not rise"
    post = fake.messages[alert["id"]]
    assert [m for m in fake.messages.values() if m["channel_id"] == world.mods] == [post]
    embed = post["embeds"][0]
    assert raised.severity.value.upper() in embed["title"].upper(), "the post was not redrawn"
    fields = _fields(post)
    assert fields["Status"] == "acknowledged"
    assert "Last action" in fields, "the post lost its Last action line"
    assert "Acknowledged by console account `ana`" in fields["Last action"]
    assert fields["Participants"] == decided["Participants"]
