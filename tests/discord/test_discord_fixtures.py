"""Gateway payload fixtures pushed through the real discord.py client into MessageEvents."""

from __future__ import annotations

import json
import random
from pathlib import Path

from nudgeguard.inbox.events import AgeBand, AgeSource, ConversationKind, EventType
from tests.discord.world import World, wait_until
from tests.payload_mutations import mutate

FIXTURES = Path(__file__).parent.parent / "fixtures" / "discord"


def frame(name: str, world: World) -> dict:
    text = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
    values = {
        "guild": world.guild,
        "general": world.general,
        "thread": world.thread,
        "kid": world.kid["id"],
        "adult": world.adult["id"],
        "other_bot": world.other_bot["id"],
        "role_minor": world.roles["minor"],
        "role_adults": world.roles["adults"],
    }
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return json.loads(text)


async def push(world: World, name: str) -> dict:
    data = frame(name, world)
    await world.fake.dispatch(data["t"], data["d"])
    return data["d"]


async def test_reply_with_mention_and_attachment(world: World, running) -> None:
    _adapter, engine = running
    await push(world, "message_create_reply_mention")
    await wait_until(lambda: engine.events)
    [event] = engine.events
    assert event.type is EventType.MESSAGE
    assert event.author.id == world.adult["id"]
    assert event.author.age_band is AgeBand.ADULT
    assert event.author.age_source is AgeSource.PLATFORM
    assert event.reply_to_author_id == world.kid["id"]
    assert event.mentions == (world.kid["id"],)
    assert event.attachment_count == 1
    assert event.ts == 1_795_197_791.412  # 2026-11-20T18:03:11.412Z
    assert event.permalink.endswith(f"/{world.guild}/{world.general}/1573398318308917248")


async def test_thread_message(world: World, running) -> None:
    _adapter, engine = running
    await push(world, "message_create_thread")
    await wait_until(lambda: engine.events)
    [event] = engine.events
    assert event.conversation_kind is ConversationKind.THREAD
    assert event.parent_conversation_id == world.general
    assert event.author.age_band is AgeBand.MINOR


async def test_edit_then_embed_unfurl_then_delete(world: World, running) -> None:
    adapter, engine = running
    await push(world, "message_create_reply_mention")
    await push(world, "message_update")
    await push(world, "message_update_embed_only")  # link preview: not a new text
    await push(world, "message_delete")
    await wait_until(lambda: len(engine.events) == 3)
    await adapter.drain()
    kinds = [e.type for e in engine.events]
    assert kinds == [EventType.MESSAGE, EventType.EDIT, EventType.DELETE]
    assert engine.events[1].text == "nice, which level are you on"
    assert engine.events[1].ts == 1_795_197_842.0  # the edit time, not the original
    assert engine.events[2].author.id == world.adult["id"]


async def test_bot_author_is_ignored(world: World, running) -> None:
    adapter, engine = running
    await push(world, "message_create_bot")
    await push(world, "message_create_thread")
    await wait_until(lambda: engine.events)
    await adapter.drain()
    assert [e.author.id for e in engine.events] == [world.kid["id"]]


async def test_malformed_payload_is_dropped_and_the_bot_keeps_going(world: World, running) -> None:
    adapter, engine = running
    await push(world, "message_create_malformed")
    await push(world, "message_create_thread")
    await wait_until(lambda: engine.events)
    await adapter.drain()
    assert [e.message_id for e in engine.events] == ["1573398773760000000"]
    assert adapter.stats["malformed"] == 1
    assert adapter.bot.is_ready() and not adapter.bot.is_closed()


async def test_damaged_payloads_never_stop_the_bot(world: World, running, caplog) -> None:
    # discord.py lets a parser's exception end its connection loop (the bot then looks
    # ready but hears nothing); the adapter's guard drops such a payload instead.
    adapter, engine = running
    rng = random.Random(11)
    names = ["message_create_reply_mention", "message_update", "message_delete"]
    contents = set()
    for _ in range(60):
        data = frame(rng.choice(names), world)
        contents.add(data["d"].get("content", ""))
        await world.fake.dispatch(data["t"], mutate(data["d"], rng))
    sent = await push(world, "message_create_thread")
    await wait_until(lambda: any(e.message_id == sent["id"] for e in engine.events))
    await adapter.drain()
    assert adapter.stats["malformed"] > 0, "no payload was damaged enough to test the guard"
    assert adapter.bot.is_ready() and not adapter.bot.is_closed()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "could not parse" in logged
    assert not any(text and text in logged for text in contents)
