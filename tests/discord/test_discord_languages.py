"""A German child gets German nudges on Discord: from their own client or from the server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.nudges import catalog
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard_discord import DiscordAdapter
from tests.discord.world import World, make_adapter, wait_until

GERMAN_LABELS = set(catalog("de").labels.values())
ENGLISH_LABELS = set(catalog("en").labels.values())


def german_text(text: str) -> bool:
    copy = catalog("de").copy("teen")
    return any(text in variants for variants in copy.values())


async def start(world: World, tmp_path: Path) -> tuple[DiscordAdapter, Engine]:
    adapter = make_adapter(world, default_country="DE")
    engine = Engine(
        load_policy("default"),
        cases=SqliteCaseStore(tmp_path / "cases.sqlite3"),
        adapters=[adapter],
    )
    await engine.start()
    return adapter, engine


@pytest.fixture
async def live(world: World, tmp_path: Path) -> AsyncIterator[tuple[DiscordAdapter, Engine]]:
    adapter, engine = await start(world, tmp_path)
    try:
        yield adapter, engine
    finally:
        await engine.stop()


async def test_check_message_answers_in_the_childs_client_language(world: World, live) -> None:
    adapter, _ = live
    fake = world.fake
    await fake.wait_for_call("PUT", r"/commands$")
    await fake.send_message(world.general, world.kid, "anyone here from my town")
    target = await fake.send_message(
        world.general, world.adult, "are your parents home? are you alone right now?"
    )
    await wait_until(lambda: len(adapter.recent) == 2)
    await adapter.drain()
    await fake.context_menu(
        world.kid, "Check this message", target, guild_id=world.guild, locale="de"
    )
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["flags"] & 64
    assert german_text(answer.body["content"]), answer.body["content"]
    labels = {b["label"] for row in answer.body["components"] for b in row["components"]}
    assert "Melden" in labels and not labels & ENGLISH_LABELS
    # Pressing a button answers in German too.
    message = {**target, "id": "1", "components": answer.body["components"]}
    custom_id = next(
        b["custom_id"]
        for row in answer.body["components"]
        for b in row["components"]
        if b.get("label") == "Melden"
    )
    await fake.click(world.kid, custom_id, message, locale="de")
    replies = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$", count=2)
    # No case opened on this check: the moderators get a case-less notice (in the
    # server's language, English here), and the child is told so, in German.
    assert replies[-1].body["content"] == catalog("de").followups["report"]
    [notice] = fake.calls_to("POST", rf"^/channels/{world.mods}/messages$")
    assert notice.body["embeds"][0]["title"] == catalog("en").moderator_text("report_notice_title")
    assert world.kid["id"] not in json.dumps(notice.body), "a notice names no platform id"


async def test_english_client_gets_english(world: World, live) -> None:
    adapter, _ = live
    fake = world.fake
    await fake.wait_for_call("PUT", r"/commands$")
    await fake.send_message(world.general, world.kid, "anyone here from my town")
    target = await fake.send_message(
        world.general, world.adult, "are your parents home? are you alone right now?"
    )
    await wait_until(lambda: len(adapter.recent) == 2)
    await adapter.drain()
    await fake.context_menu(world.kid, "Check this message", target, guild_id=world.guild)
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert not german_text(answer.body["content"])
    labels = {b["label"] for row in answer.body["components"] for b in row["components"]}
    assert "Report" in labels


async def test_dm_nudge_uses_a_community_servers_preferred_locale(
    world: World, tmp_path: Path
) -> None:
    fake = world.fake
    fake.guilds[world.guild].update(preferred_locale="de", features=["COMMUNITY"])
    adapter, engine = await start(world, tmp_path)
    try:
        lines = [
            (world.kid, "hi all"),
            (world.adult, "how old are you btw"),
            (world.adult, "are your parents home right now? do they check your phone"),
            (world.adult, "don't tell anyone we talk ok, this is just between us"),
        ]
        last = None
        for who, text in lines:
            reply_to = last if who is world.adult else None
            sent = await fake.send_message(world.general, who, text, reply_to=reply_to)
            last = sent if who is world.kid else last
        await wait_until(lambda: len(adapter.recent) == len(lines))
        await adapter.drain()
        dm = "9" + world.kid["id"][1:]
        [nudge, *_] = await fake.wait_for_call("POST", rf"^/channels/{dm}/messages$")
        assert german_text(nudge.body["content"]), nudge.body["content"]
        labels = {b["label"] for row in nudge.body["components"] for b in row["components"]}
        assert labels & GERMAN_LABELS and not labels & ENGLISH_LABELS
        assert fake.calls_to("POST", rf"^/channels/{world.general}/messages$") == []
    finally:
        await engine.stop()


async def test_nothing_found_answer_is_in_the_childs_language(world: World, live) -> None:
    adapter, _ = live
    fake = world.fake
    await fake.wait_for_call("PUT", r"/commands$")
    target = await fake.send_message(world.general, world.adult, "good game everyone")
    await wait_until(lambda: len(adapter.recent) == 1)
    await adapter.drain()
    await fake.context_menu(
        world.kid, "Check this message", target, guild_id=world.guild, locale="fr"
    )
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["content"] == catalog("fr").checks["nothing_found"]
