"""What a German server's moderators read besides alerts: refusals, notes, ``/safety``.

Loopback: real Engine with ``languages: {communities: {guild: de}}`` -> alert posted ->
presses and slash commands over the fake Discord gateway and REST API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.nudges import catalog
from nudgeguard.engine import Engine
from nudgeguard.locales import LanguageSettings
from nudgeguard.policy import load_policy
from tests.discord.test_discord_end_to_end import run_trajectory
from tests.discord.world import ADMINISTRATOR, World, make_adapter

DE = catalog("de").moderator_text


@asynccontextmanager
async def german_server_with_a_case(
    world: World, tmp_path: Path
) -> AsyncIterator[tuple[Engine, dict[str, Any]]]:
    """Run a German server's engine through a grooming chat; yield it and the alert post."""
    adapter = make_adapter(world)
    engine = Engine(
        load_policy("default"),
        cases=SqliteCaseStore(tmp_path / "cases.sqlite3"),
        adapters=[adapter],
        languages=LanguageSettings(communities={world.guild: "de"}),
    )
    await engine.start()
    try:
        await run_trajectory(world, adapter)
        await world.fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
        yield engine, next(m for m in world.fake.messages.values() if m["channel_id"] == world.mods)
    finally:
        await engine.stop()


async def test_a_german_servers_moderators_get_german_refusals_and_status(
    world: World, tmp_path: Path
) -> None:
    async with german_server_with_a_case(world, tmp_path) as (engine, message):
        fake = world.fake
        [case] = await engine.cases.list_cases(community_id=world.guild)

        # A member who is no moderator presses Acknowledge: refused, in German.
        await fake.click(world.bystander, f"ng:ack:{case.id}", message)
        [refused] = await fake.wait_for_call("POST", r"/callback$")
        assert refused.body["data"]["content"] == DE("moderators_only")
        assert refused.body["data"]["flags"] & 64

        # The case was closed meanwhile: the core's note arrives in German too.
        await engine.moderate(case.id, "dismiss", world.mod["id"], permitted=True)
        await fake.click(world.mod, f"ng:ack:{case.id}", message)
        [note] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
        assert note.body["content"] == "Nicht ausgeführt: Dieser Fall ist bereits verworfen."

        await fake.slash(
            world.mod, world.guild, world.general, "safety", [{"type": 1, "name": "status"}]
        )
        [*_, status] = await fake.wait_for_call("POST", r"/callback$", count=3)
        assert status.body["data"]["content"].startswith("Offene Sicherheitsfälle: **0**.")


async def test_the_timeout_result_is_worded_in_the_servers_language(
    world: World, tmp_path: Path
) -> None:
    async with german_server_with_a_case(world, tmp_path) as (_engine, message):
        fake = world.fake
        [timeout_id] = [
            b["custom_id"]
            for row in message["components"]
            for b in row["components"]
            if b["custom_id"].startswith("ng:to:")
        ]
        await fake.click(world.mod, timeout_id, message, permissions=ADMINISTRATOR)
        [edit] = await fake.wait_for_call("PATCH", r"/messages/@original$")
        fields = {f["name"]: f["value"] for f in edit.body["embeds"][0]["fields"]}
        assert fields[DE("last_action")].endswith(f"({DE('timeout_done', minutes=60)})")
