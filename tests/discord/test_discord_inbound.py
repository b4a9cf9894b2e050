"""Inbound: gateway messages reach the engine as MessageEvents, once each, in order."""

from __future__ import annotations

from nudgeguard.inbox.events import AgeBand, AgeSource, ConversationKind, EventType
from tests.discord.world import World, wait_until


async def test_guild_message_becomes_event_with_role_age_band(world: World, running) -> None:
    adapter, engine = running
    sent = await world.fake.send_message(world.general, world.kid, "hi everyone, i like drawing")
    await wait_until(lambda: engine.events)
    await adapter.drain()
    [event] = engine.events
    assert event.platform == "discord"
    assert event.community_id == world.guild
    assert event.conversation_id == world.general
    assert event.conversation_kind is ConversationKind.GROUP
    assert event.message_id == sent["id"]
    assert event.text == "hi everyone, i like drawing"
    assert event.author.id == world.kid["id"]
    assert event.author.age_band is AgeBand.MINOR
    assert event.author.age_source is AgeSource.PLATFORM
    assert "Under 18" in event.author.roles
    assert event.author.display_name == "kid"  # what others call them by, never stored
    assert event.permalink == (
        f"https://discord.com/channels/{world.guild}/{world.general}/{sent['id']}"
    )


async def test_adult_role_by_id_and_unmapped_member(world: World, running) -> None:
    _adapter, engine = running
    await world.fake.send_message(world.general, world.adult, "anyone up for a match")
    await world.fake.send_message(world.general, world.bystander, "sure")
    await wait_until(lambda: len(engine.events) == 2)
    by_author = {e.author.id: e.author for e in engine.events}
    assert by_author[world.adult["id"]].age_band is AgeBand.ADULT
    assert by_author[world.bystander["id"]].age_band is AgeBand.UNKNOWN
    assert by_author[world.bystander["id"]].age_source is AgeSource.NONE


async def test_reply_and_mentions_name_the_target(world: World, running) -> None:
    _adapter, engine = running
    first = await world.fake.send_message(world.general, world.kid, "my level is 40 now")
    await world.fake.send_message(
        world.general,
        world.adult,
        "nice, you are really good",
        reply_to=first,
        mentions=[world.kid, world.other_bot],
    )
    await wait_until(lambda: len(engine.events) == 2)
    reply = engine.events[1]
    assert reply.reply_to_author_id == world.kid["id"]
    assert reply.mentions == (world.kid["id"],)  # bots are never targets


async def test_thread_message_has_parent_channel(world: World, running) -> None:
    _adapter, engine = running
    await world.fake.send_message(world.thread, world.kid, "can someone help with fractions")
    await wait_until(lambda: engine.events)
    [event] = engine.events
    assert event.conversation_kind is ConversationKind.THREAD
    assert event.conversation_id == world.thread
    assert event.parent_conversation_id == world.general


async def test_bots_itself_system_and_webhooks_are_ignored(world: World, running) -> None:
    adapter, engine = running
    fake = world.fake
    await fake.send_message(world.general, world.other_bot, "now playing: a song")
    await fake.dispatch(
        "MESSAGE_CREATE",
        {
            **fake.message_payload(world.general, fake.bot_user, "my own alert"),
            "guild_id": world.guild,
        },
    )
    await fake.dispatch(
        "MESSAGE_CREATE",
        fake.message_payload(world.general, world.kid, "", extra={"type": 7}),  # member join
    )
    await fake.dispatch(
        "MESSAGE_CREATE",
        fake.message_payload(world.general, world.adult, "hook", extra={"webhook_id": "77"}),
    )
    await fake.send_message(world.general, world.kid, "last one")
    await wait_until(lambda: engine.events)
    await adapter.drain()
    assert [e.text for e in engine.events] == ["last one"]
    assert adapter.stats["ignored"] >= 4


async def test_edit_and_delete_reach_the_engine(world: World, running) -> None:
    _adapter, engine = running
    sent = await world.fake.send_message(world.general, world.adult, "what school do you go to")
    await wait_until(lambda: engine.events)
    await world.fake.edit_message(sent, "what game do you play")
    await wait_until(lambda: len(engine.events) == 2)
    await world.fake.delete_message(sent)
    await wait_until(lambda: len(engine.events) == 3)
    created, edited, deleted = engine.events
    assert edited.type is EventType.EDIT and edited.text == "what game do you play"
    assert edited.message_id == created.message_id
    assert deleted.type is EventType.DELETE and deleted.message_id == created.message_id
    assert deleted.author.id == world.adult["id"]
    assert deleted.text == ""


async def test_delete_of_unknown_message_is_ignored(world: World, running) -> None:
    adapter, engine = running
    await world.fake.delete_message(
        {"id": "123456789012345678", "channel_id": world.general, "guild_id": world.guild}
    )
    await world.fake.send_message(world.general, world.kid, "marker")
    await wait_until(lambda: engine.events)
    await adapter.drain()
    assert [e.type for e in engine.events] == [EventType.MESSAGE]


async def test_resume_replay_does_not_process_a_message_twice(world: World, running) -> None:
    adapter, engine = running
    fake = world.fake
    for text in ("one", "two", "three"):
        await fake.send_message(world.general, world.kid, text)
    await wait_until(lambda: len(engine.events) == 3)
    fake.replay_on_resume = 3  # Discord re-sends events the client already had
    await fake.request_reconnect()
    await wait_until(lambda: fake.resumes == 1)
    await fake.send_message(world.general, world.kid, "four")
    await wait_until(lambda: len(engine.events) >= 4)
    await adapter.drain()
    # The adapter hands every event to the core; the core drops the three replays.
    assert [e.text for e in engine.events] == ["one", "two", "three", "four"]
    assert len(engine.replays) == 4


async def test_messages_of_one_conversation_keep_their_order(world: World, running) -> None:
    _adapter, engine = running
    for i in range(30):
        await world.fake.send_message(world.general, world.kid, f"line {i}")
    await wait_until(lambda: len(engine.events) == 30)
    assert [e.text for e in engine.events] == [f"line {i}" for i in range(30)]
