"""Nudges: by DM only, with buttons; closed DMs and rate limits map to the core's errors."""

from __future__ import annotations

import json

import pytest

from nudgeguard.delivery.nudges import catalog
from nudgeguard.delivery.outbound import (
    Delivery,
    Nudge,
    NudgeAction,
    NudgeButton,
    TransientDeliveryError,
    UndeliverableError,
)
from tests.discord.world import World, make_adapter, wait_until


def make_nudge(world: World, **extra) -> Nudge:
    data = {
        "nudge_id": "n-1",
        "audience": "child",
        "recipient_id": world.kid["id"],
        "platform": "discord",
        "community_id": world.guild,
        "conversation_id": world.general,
        "delivery": (Delivery.DIRECT_MESSAGE,),
        "text": "You don't have to share where you live. You decide what to tell people.",
        "buttons": (
            NudgeButton(action=NudgeAction.SAFETY_TIPS, label="Safety tips"),
            NudgeButton(action=NudgeAction.HOW_TO_BLOCK, label="How to block"),
            NudgeButton(action=NudgeAction.REPORT, label="Report"),
            NudgeButton(action=NudgeAction.TALK_TO_SOMEONE, label="Talk to someone"),
            NudgeButton(action=NudgeAction.IM_OK, label="I'm OK"),
        ),
        "family": "probing",
        "followup": {"how_to_block": "Open their profile and choose Block."},
    }
    data.update(extra)
    return Nudge(**data)


def public_posts(world: World) -> list:
    """Messages the bot posted anywhere except DMs and the moderator channel."""
    return [
        c
        for c in world.fake.calls_to("POST", r"^/channels/\d+/messages$")
        if world.fake.channels.get(c.path.split("/")[2], {}).get("type") != 1
        and c.path.split("/")[2] != world.mods
    ]


def components(call) -> list[dict]:
    return [b for row in call.body["components"] for b in row["components"]]


async def test_nudge_goes_by_dm_with_buttons_and_helpline(world: World, running) -> None:
    adapter, _ = running
    used = await adapter.send_nudge(make_nudge(world))
    assert used is Delivery.DIRECT_MESSAGE
    [opened] = world.fake.calls_to("POST", r"^/users/@me/channels$")
    assert str(opened.body["recipient_id"]) == world.kid["id"]
    [sent] = world.fake.calls_to("POST", r"^/channels/9\d+/messages$")
    assert sent.body["content"].startswith("You don't have to share")
    buttons = components(sent)
    labels = [b["label"] for b in buttons]
    assert labels[:5] == ["Safety tips", "How to block", "Report", "Talk to someone", "I'm OK"]
    assert buttons[1]["custom_id"] == "ngn:how_to_block:n-1"
    assert public_posts(world) == []


async def test_same_nudge_is_not_sent_twice(world: World, running) -> None:
    adapter, _ = running
    await adapter.send_nudge(make_nudge(world))
    await adapter.send_nudge(make_nudge(world))
    assert len(world.fake.calls_to("POST", r"^/channels/9\d+/messages$")) == 1


async def test_closed_dms_are_undeliverable_and_nothing_is_posted(world: World, running) -> None:
    adapter, _ = running
    world.fake.dm_closed.add(world.kid["id"])
    with pytest.raises(UndeliverableError) as caught:
        await adapter.send_nudge(make_nudge(world))
    assert world.kid["id"] not in str(caught.value)
    assert public_posts(world) == []


async def test_ephemeral_only_nudge_is_undeliverable_outside_interactions(
    world: World, running
) -> None:
    adapter, _ = running
    with pytest.raises(UndeliverableError):
        await adapter.send_nudge(make_nudge(world, delivery=(Delivery.EPHEMERAL,)))
    assert world.fake.calls_to("POST", r"/messages$") == []


async def test_short_rate_limit_is_waited_out(world: World, running) -> None:
    adapter, _ = running
    world.fake.fail("POST", r"^/channels/9\d+/messages$", 429, retry_after=0.01)
    assert await adapter.send_nudge(make_nudge(world)) is Delivery.DIRECT_MESSAGE
    assert len(world.fake.calls_to("POST", r"^/channels/9\d+/messages$")) == 2


async def test_long_rate_limit_goes_back_to_the_outbox(world: World, running) -> None:
    adapter, _ = running
    world.fake.fail("POST", r"^/channels/9\d+/messages$", 429, retry_after=120)
    with pytest.raises(TransientDeliveryError) as caught:
        await adapter.send_nudge(make_nudge(world))
    assert caught.value.retry_after == 120
    # The outbox retries later; this time Discord accepts it.
    assert await adapter.send_nudge(make_nudge(world)) is Delivery.DIRECT_MESSAGE


async def test_server_error_is_transient(world: World, running) -> None:
    adapter, _ = running
    world.fake.fail("POST", r"^/users/@me/channels$", 503)
    with pytest.raises(TransientDeliveryError):
        await adapter.send_nudge(make_nudge(world))


async def test_sender_warning_has_no_child_buttons(world: World, running) -> None:
    adapter, _ = running
    nudge = make_nudge(
        world,
        nudge_id="s-1",
        audience="sender",
        recipient_id=world.adult["id"],
        text="Please keep chats with younger members in public channels.",
    )
    await adapter.send_nudge(nudge)
    [sent] = world.fake.calls_to("POST", r"^/channels/9\d+/messages$")
    assert not sent.body.get("components")


async def test_child_button_press_is_answered_privately(world: World, running) -> None:
    adapter, engine = running
    await adapter.send_nudge(make_nudge(world, case_id="NG-1", locale="de"))
    [sent] = world.fake.calls_to("POST", r"^/channels/9\d+/messages$")
    dm_message = next(iter(world.fake.messages.values()))
    assert dm_message["channel_id"] == sent.path.split("/")[2]
    await world.fake.click(world.kid, "ngn:how_to_block:n-1", dm_message)
    [deferred] = await world.fake.wait_for_call("POST", r"^/interactions/\d+/[^/]+/callback$")
    assert deferred.body["type"] == 5
    assert deferred.body["data"]["flags"] & 64  # ephemeral
    [answer] = await world.fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["flags"] & 64
    # The engine words the answer; the adapter hands it the nudge's case and language.
    assert answer.body["content"] == "engine answer to how_to_block"
    [(nudge_id, action, user, where)] = engine.presses
    assert (nudge_id, action, user) == ("n-1", "how_to_block", world.kid["id"])
    assert where == {
        "platform": "discord",
        "community_id": world.guild,
        "case_id": "NG-1",
        "locale": "de",
        "conversation_id": world.general,
    }
    assert public_posts(world) == []


async def test_button_press_after_restart_is_answered_without_a_case(world: World, running) -> None:
    _adapter, engine = running
    fake = world.fake
    button = {"type": 2, "style": 2, "label": "Report", "custom_id": "ngn:report:unknown-nudge"}
    old = fake.message_payload(
        "9" + world.kid["id"][1:],
        fake.bot_user,
        "a nudge sent before the bot restarted",
        extra={"components": [{"type": 1, "components": [button]}]},
    )
    await fake.click(world.kid, "ngn:report:unknown-nudge", old, locale="fr")
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["flags"] & 64
    assert answer.body["content"] == "engine answer to report"
    [(_, action, _, where)] = engine.presses
    assert action == "report" and where["case_id"] is None and where["locale"] == "fr"


async def test_an_engine_failure_gets_a_private_apology(world: World, running) -> None:
    adapter, engine = running

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("store down")

    engine.respond_to_nudge = broken  # type: ignore[method-assign]
    await adapter.send_nudge(make_nudge(world))
    dm_message = next(iter(world.fake.messages.values()))
    await world.fake.click(world.kid, "ngn:report:n-1", dm_message)
    [answer] = await world.fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["flags"] & 64
    assert answer.body["content"] == catalog("en").responses["not_answered"]
    assert public_posts(world) == []


async def test_nudge_payload_never_names_the_other_person(world: World, running) -> None:
    adapter, _ = running
    await adapter.send_nudge(make_nudge(world))
    await wait_until(lambda: world.fake.calls)
    dumped = json.dumps([c.body for c in world.fake.calls])
    assert world.adult["id"] not in dumped


async def test_forget_user_drops_what_the_adapter_remembers_of_them(world: World, running) -> None:
    adapter, engine = running
    await adapter.send_nudge(make_nudge(world, case_id="NG-1"))
    dm_message = next(iter(world.fake.messages.values()))
    adapter.forget_user(world.kid["id"])  # the engine's erasure calls this
    # The nudge (and its case) is no longer known: a press is answered without them,
    # and the same nudge would be delivered again rather than skipped as already sent.
    await world.fake.click(world.kid, "ngn:report:n-1", dm_message)
    await wait_until(lambda: engine.presses)
    [(nudge_id, _action, _user, where)] = engine.presses
    assert nudge_id == "" and where["case_id"] is None
    await adapter.send_nudge(make_nudge(world))
    assert len(world.fake.calls_to("POST", r"^/channels/9\d+/messages$")) == 2


async def test_helpline_countries_are_handed_to_the_core(world: World) -> None:
    adapter = make_adapter(world, default_country="DE")
    assert adapter.helpline_countries() == {world.guild: "GB", "*": "DE"}
    nudge = make_nudge(world)
    # The adapter renders the buttons the core chose; it never swaps the helpline itself.
    assert adapter.nudge_buttons(nudge) == list(nudge.buttons)
