"""A case acknowledged in the console and resolved from the CLI is re-drawn on Discord.

The bot runs against the loopback fake; the console (its own process in real use, with no
adapters) and the CLI share its case store. Their changes reach the moderators' post in
place through the bot's outbox: the status field changes, and a closed case's buttons are
disabled (only "Show evidence" stays), so no second moderator acts on it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.console import create_app
from nudgeguard.console.security import hash_password
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard_discord import DiscordAdapter
from tests.cases.helpers import ack_from_cli
from tests.console.conftest import sign_in
from tests.discord.test_discord_end_to_end import TRAJECTORY, run_trajectory
from tests.discord.world import World, make_adapter

PASSWORD = "correct horse battery"


@pytest.fixture
async def live(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[DiscordAdapter, Engine, Path]]:
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "k" * 32)
    path = tmp_path / "cases.sqlite3"
    adapter = make_adapter(world)
    engine = Engine(load_policy("default"), cases=SqliteCaseStore(path), adapters=[adapter])
    await engine.start(background=False)  # no timer: the test drains the outbox
    try:
        yield adapter, engine, path
    finally:
        await engine.stop()


def _acknowledge_in_console(path: Path, case_id: str) -> int:
    """Sign in to the console as the guild's moderator and acknowledge the case."""
    app = create_app(lambda: SqliteCaseStore(path), secure_cookies=False)
    with TestClient(app) as client:
        csrf = sign_in(client, "ana")
        answer = client.post(
            f"/cases/{case_id}/action", data={"csrf": csrf, "action": "acknowledge"}
        )
        return answer.status_code


def _fields(message: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}


def _enabled(message: dict) -> set[str]:
    buttons = [b for row in message["components"] for b in row["components"]]
    return {b["custom_id"].split(":")[1] for b in buttons if not b.get("disabled")}


async def test_console_and_cli_changes_redraw_the_discord_post(world: World, live) -> None:
    adapter, engine, path = live
    fake = world.fake
    await run_trajectory(world, adapter)
    await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
    [case] = await engine.cases.list_cases(community_id=world.guild)
    alert = next(m for m in fake.messages.values() if m["channel_id"] == world.mods)
    assert _fields(alert)["Status"] == "open"
    opened = _fields(alert)
    await engine.cases.save_account("ana", hash_password(PASSWORD), world.guild, "moderator")

    assert await asyncio.to_thread(_acknowledge_in_console, path, case.id) == 200
    await engine.outbox.drain()  # the bot's outbox timer, once
    post = fake.messages[alert["id"]]
    assert _fields(post)["Status"] == "acknowledged"
    assert "dis" in _enabled(post), "an acknowledged case can still be decided"
    # The post still names whom it named and says what became of the child's nudge.
    for kept in ("Participants", "Child nudge"):
        assert _fields(post)[kept] == opened[kept]
    assert "Acknowledged - a moderator is on it" in _fields(post)["Timeline"]

    done = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["cases", "resolve", case.id, "--outcome", "no_action", "--store", str(path)],
    )
    assert done.exit_code == 0, done.output
    await engine.outbox.drain()
    post = fake.messages[alert["id"]]
    assert _fields(post)["Status"] == "resolved"
    assert _enabled(post) == {"ev"}, "a closed case's buttons invite no second action"
    # One post, edited in place; no message text in any of its versions.
    assert [m for m in fake.messages.values() if m["channel_id"] == world.mods] == [post]
    edits = [c.body for c in fake.calls_to("PATCH", rf"^/channels/{world.mods}/messages/")]
    assert len(edits) >= 2
    for body in edits:
        assert not [text for _, text in TRAJECTORY if text in json.dumps(body)]


async def test_after_a_restart_a_console_decision_keeps_the_posts_participants(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The restarted bot knows the case by pseudonyms only; the post still names people."""
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "k" * 32)
    path, fake = tmp_path / "cases.sqlite3", world.fake
    first = make_adapter(world)
    engine = Engine(load_policy("default"), cases=SqliteCaseStore(path), adapters=[first])
    await engine.start(background=False)
    await run_trajectory(world, first)
    await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
    await engine.outbox.drain()
    [case] = await engine.cases.list_cases(community_id=world.guild)
    await engine.cases.save_account("ana", hash_password(PASSWORD), world.guild, "moderator")
    await engine.stop()  # the bot restarts: everything it remembered is gone

    alert = next(m for m in fake.messages.values() if m["channel_id"] == world.mods)
    opened = _fields(alert)
    assert world.kid["id"] in opened["Participants"]
    again = make_adapter(world)
    engine = Engine(load_policy("default"), cases=SqliteCaseStore(path), adapters=[again])
    await engine.start(background=False)
    try:
        assert await asyncio.to_thread(_acknowledge_in_console, path, case.id) == 200
        await engine.outbox.drain()
    finally:
        await engine.stop()

    post = fake.messages[alert["id"]]
    assert _fields(post)["Status"] == "acknowledged"
    assert _fields(post)["Participants"] == opened["Participants"], "the post lost its people"
    assert _fields(post)["Child nudge"] == opened["Child nudge"]
    timeline = _fields(post)["Timeline"]
    assert opened["Timeline"] in timeline and "Acknowledged - a moderator" in timeline
    assert "Acknowledged by console account `ana`" in _fields(post)["Last action"]
    assert [m for m in fake.messages.values() if m["channel_id"] == world.mods] == [post]


async def test_after_a_restart_a_new_post_says_where_to_see_the_people(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The post was deleted: the restarted bot posts the case anew, naming no stored id."""
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "k" * 32)
    path, fake = tmp_path / "cases.sqlite3", world.fake
    first = make_adapter(world)
    engine = Engine(load_policy("default"), cases=SqliteCaseStore(path), adapters=[first])
    await engine.start(background=False)
    await run_trajectory(world, first)
    await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
    await engine.outbox.drain()
    [case] = await engine.cases.list_cases(community_id=world.guild)
    await engine.stop()  # the bot restarts: everything it remembered is gone
    alert = next(m for m in fake.messages.values() if m["channel_id"] == world.mods)
    del fake.messages[alert["id"]]  # a moderator deleted the post meanwhile

    again = make_adapter(world)
    engine = Engine(load_policy("default"), cases=SqliteCaseStore(path), adapters=[again])
    await engine.start(background=False)
    try:
        await ack_from_cli(engine, path, case.id)
    finally:
        await engine.stop()

    [post] = [m for m in fake.messages.values() if m["channel_id"] == world.mods]
    people = _fields(post)["Participants"]
    assert f"Case {case.id} in the console" in people, "the post does not say where to look"
    everything = json.dumps(post)
    for stored in (world.kid["id"], case.subject, case.target):
        assert stored not in everything, "a new post named a participant by a stored id"
    assert "`ana` (command line)" in _fields(post)["Last action"]
