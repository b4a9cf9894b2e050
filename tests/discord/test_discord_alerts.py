"""Moderator alerts: embed without excerpts, persistent buttons, permission checks."""

from __future__ import annotations

import json

import pytest

from nudgeguard.delivery.outbound import (
    AlertParticipant,
    AlertSignal,
    ModeratorAction,
    ModeratorAlert,
    ModeratorNotice,
    TimelineEntry,
    UndeliverableError,
)
from nudgeguard.inbox.events import AgeBand, AgeSource
from tests.discord.world import (
    ADMINISTRATOR,
    MANAGE_MESSAGES,
    READ_HISTORY,
    RecordingEngine,
    World,
    build_world,
    make_adapter,
    wait_until,
)

SECRET_LINE = "keep this just between us ok"


def make_alert(world: World, **extra) -> ModeratorAlert:
    data = {
        "alert_id": "a-1",
        "case_id": "case-42",
        "platform": "discord",
        "community_id": world.guild,
        "conversation_id": world.general,
        "severity": "high",
        "status": "open",
        "score": 7.5,
        "reasons": ("secrecy request towards a minor",),
        "signals": (
            AlertSignal(id="secrecy_request", stages=("EX",), count=2),
            AlertSignal(id="supervision_probe", stages=("RA",), count=1),
        ),
        "stages": ("RA", "EX"),
        "participants": (
            AlertParticipant(
                role="subject",
                user_id=world.adult["id"],
                age_band=AgeBand.ADULT,
                age_source=AgeSource.PLATFORM,
                roles=("Grown-ups",),
            ),
            AlertParticipant(
                role="target",
                user_id=world.kid["id"],
                age_band=AgeBand.MINOR,
                age_source=AgeSource.PLATFORM,
                roles=("Under 18",),
            ),
        ),
        "timeline": (TimelineEntry(ts=1_700_000_000, label="first contact"),),
        "permalink": f"https://discord.com/channels/{world.guild}/{world.general}/1",
        "nudge_status": "delivered",
        "evidence_count": 3,
    }
    data.update(extra)
    return ModeratorAlert(**data)


def buttons_of(message: dict) -> list[dict]:
    return [b for row in message["components"] for b in row["components"]]


async def post_alert(world: World, adapter) -> dict:
    message_id = await adapter.send_alert(make_alert(world))
    return world.fake.messages[message_id]


async def test_alert_embed_in_moderator_channel_without_text(world: World, running) -> None:
    adapter, _ = running
    message = await post_alert(world, adapter)
    [call] = world.fake.calls_to("POST", r"^/channels/\d+/messages$")
    assert call.path == f"/channels/{world.mods}/messages"
    [embed] = call.body["embeds"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "high" in embed["title"]
    assert fields["Status"] == "open"
    assert "secrecy_request" in fields["Signals"] and "EX" in fields["Signals"]
    assert world.adult["id"] in fields["Participants"]
    assert "platform_role" in fields["Participants"]
    assert world.general in fields["Jump"]
    assert SECRET_LINE not in json.dumps(call.body)
    labels = [b["label"] for b in buttons_of(message)]
    assert labels == [
        "Acknowledge",
        "Show evidence",
        "Dismiss as false positive",
        "Confirm and preserve",
        "Timeout member",
    ]
    assert buttons_of(message)[0]["custom_id"] == "ng:ack:case-42"
    assert call.body["allowed_mentions"]["parse"] == []


async def test_no_timeout_button_without_the_permission(fake) -> None:
    world = build_world(fake, bot_permissions=MANAGE_MESSAGES | READ_HISTORY)
    adapter = make_adapter(world)
    adapter.bind(RecordingEngine())  # type: ignore[arg-type]
    await adapter.start()
    try:
        message = await post_alert(world, adapter)
    finally:
        await adapter.stop()
    assert "Timeout member" not in [b["label"] for b in buttons_of(message)]


async def test_without_moderator_channel_alert_is_undeliverable(world: World, running) -> None:
    adapter, _ = running
    other_guild = world.fake.add_guild("Unconfigured")
    with pytest.raises(UndeliverableError):
        await adapter.send_alert(make_alert(world, community_id=other_guild))


async def test_update_of_same_case_edits_the_post(world: World, running) -> None:
    adapter, _ = running
    first = await adapter.send_alert(make_alert(world))
    # The outbox hands the reference it stored for the case's post back with the update.
    update = make_alert(world, status="acknowledged", is_update=True, post_ref=first)
    second = await adapter.send_alert(update)
    assert first == second
    assert len(world.fake.calls_to("POST", rf"^/channels/{world.mods}/messages$")) == 1
    [edit] = world.fake.calls_to("PATCH", rf"^/channels/{world.mods}/messages/{first}$")
    fields = {f["name"]: f["value"] for f in edit.body["embeds"][0]["fields"]}
    assert fields["Status"] == "acknowledged"


async def test_moderator_role_click_is_accepted_and_alert_updated(world: World, running) -> None:
    adapter, engine = running
    message = await post_alert(world, adapter)
    await world.fake.click(world.mod, "ng:ack:case-42", message)
    await wait_until(lambda: engine.moderations)
    assert engine.moderations == [("case-42", ModeratorAction.ACKNOWLEDGE, world.mod["id"], True)]
    [edit] = await world.fake.wait_for_call("PATCH", r"/messages/@original$")
    fields = {f["name"]: f["value"] for f in edit.body["embeds"][0]["fields"]}
    assert fields["Status"] == "acknowledged"
    assert world.mod["id"] in fields["Last action"]
    stored = world.fake.messages[message["id"]]
    assert {f["name"]: f["value"] for f in stored["embeds"][0]["fields"]}["Status"] == (
        "acknowledged"
    )


async def test_non_moderator_click_is_refused_privately_and_recorded(world: World, running) -> None:
    adapter, engine = running
    message = await post_alert(world, adapter)
    await world.fake.click(world.bystander, "ng:dis:case-42", message)
    [answer] = await world.fake.wait_for_call("POST", r"/callback$")
    assert answer.body["data"]["flags"] & 64
    assert "Only moderators" in answer.body["data"]["content"]
    await wait_until(lambda: engine.moderations)
    assert engine.moderations == [
        ("case-42", ModeratorAction.DISMISS, world.bystander["id"], False)
    ]
    assert world.fake.calls_to("PATCH", r"/messages/") == []


async def test_manage_messages_is_enough_to_act(world: World, running) -> None:
    adapter, engine = running
    message = await post_alert(world, adapter)
    await world.fake.click(world.bystander, "ng:conf:case-42", message, permissions=MANAGE_MESSAGES)
    await wait_until(lambda: engine.moderations)
    assert engine.moderations[0][3] is True
    [edit] = await world.fake.wait_for_call("PATCH", r"/messages/@original$")
    # A decided case keeps only "Show evidence" active.
    active = [b["label"] for b in buttons_of(edit.body) if not b.get("disabled")]
    assert active == ["Show evidence"]


async def test_show_evidence_is_ephemeral_to_the_moderator(world: World, running) -> None:
    adapter, _engine = running
    message = await post_alert(world, adapter)
    await world.fake.click(world.mod, "ng:ev:case-42", message)
    [deferred] = await world.fake.wait_for_call("POST", r"/callback$")
    assert deferred.body["type"] == 5 and deferred.body["data"]["flags"] & 64
    [followup] = await world.fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert followup.body["flags"] & 64
    assert followup.body["embeds"][0]["title"] == "Evidence for case case-42"
    assert world.fake.calls_to("POST", rf"^/channels/{world.mods}/messages$") != []
    assert len(world.fake.calls_to("POST", rf"^/channels/{world.mods}/messages$")) == 1


async def test_timeout_button_times_out_the_subject(world: World, running) -> None:
    adapter, engine = running
    message = await post_alert(world, adapter)
    custom_id = f"ng:to:case-42:{world.adult['id']}"
    assert custom_id in [b["custom_id"] for b in buttons_of(message)]
    await world.fake.click(world.mod, custom_id, message, permissions=ADMINISTRATOR)
    [patch] = await world.fake.wait_for_call(
        "PATCH", rf"^/guilds/{world.guild}/members/{world.adult['id']}$"
    )
    assert patch.body["communication_disabled_until"]
    assert engine.moderations[0][1] is ModeratorAction.TIMEOUT


async def test_buttons_work_after_a_restart(world: World) -> None:
    first = make_adapter(world)
    first.bind(RecordingEngine())  # type: ignore[arg-type]
    await first.start()
    message = await post_alert(world, first)
    await first.stop()

    second = make_adapter(world)
    engine = RecordingEngine()
    second.bind(engine)  # type: ignore[arg-type]
    await second.start()
    try:
        await world.fake.click(world.mod, "ng:ack:case-42", message)
        await wait_until(lambda: engine.moderations)
    finally:
        await second.stop()
    assert engine.moderations[0][:2] == ("case-42", ModeratorAction.ACKNOWLEDGE)


async def test_manage_messages_alone_cannot_time_out(world: World, running) -> None:
    adapter, engine = running
    message = await post_alert(world, adapter)
    custom_id = f"ng:to:case-42:{world.adult['id']}"
    await world.fake.click(world.bystander, custom_id, message, permissions=MANAGE_MESSAGES)
    [answer] = await world.fake.wait_for_call("POST", r"/callback$")
    assert answer.body["data"]["flags"] & 64
    await wait_until(lambda: engine.moderations)
    assert engine.moderations[0][1:] == (ModeratorAction.TIMEOUT, world.bystander["id"], False)
    assert world.fake.calls_to("PATCH", r"^/guilds/") == []


async def test_update_after_a_restart_edits_the_earlier_post(world: World) -> None:
    first = make_adapter(world)
    first.bind(RecordingEngine())  # type: ignore[arg-type]
    await first.start()
    posted = await first.send_alert(make_alert(world))
    await first.stop()

    second = make_adapter(world)
    second.bind(RecordingEngine())  # type: ignore[arg-type]
    await second.start()
    try:
        # Nothing in the new process's memory: the reference comes from the core's outbox.
        update = make_alert(world, nudge_status="undeliverable", is_update=True, post_ref=posted)
        assert await second.send_alert(update) == posted
    finally:
        await second.stop()
    assert len(world.fake.calls_to("POST", rf"^/channels/{world.mods}/messages$")) == 1
    [edit] = world.fake.calls_to("PATCH", rf"^/channels/{world.mods}/messages/{posted}$")
    fields = {f["name"]: f["value"] for f in edit.body["embeds"][0]["fields"]}
    assert fields["Child nudge"] == "undeliverable"


async def test_a_deleted_post_is_posted_again(world: World, running) -> None:
    adapter, _ = running
    update = make_alert(world, is_update=True, post_ref="1300000000000999999")
    posted = await adapter.send_alert(update)
    assert posted != "1300000000000999999" and posted in world.fake.messages


async def test_acknowledge_keeps_the_timeout_button_on_the_redrawn_alert(
    world: World, running
) -> None:
    adapter, engine = running
    engine.redraw = make_alert(world)
    message = await post_alert(world, adapter)
    timeout_id = f"ng:to:case-42:{world.adult['id']}"
    assert timeout_id in [b["custom_id"] for b in buttons_of(message)]
    # Acknowledge's own button carries no subject id; the core's alert does.
    await world.fake.click(world.mod, "ng:ack:case-42", message)
    [edit] = await world.fake.wait_for_call("PATCH", r"/messages/@original$")
    ids = [b["custom_id"] for b in buttons_of(edit.body) if not b.get("disabled")]
    assert timeout_id in ids and "ng:ev:case-42" in ids
    fields = {f["name"]: f["value"] for f in edit.body["embeds"][0]["fields"]}
    assert fields["Status"] == "acknowledged" and world.mod["id"] in fields["Last action"]


async def test_after_a_restart_the_redraw_keeps_the_posts_timeout_button(
    world: World, running
) -> None:
    adapter, _engine = running  # its redraw is None: the core holds no alert
    message = await post_alert(world, adapter)
    await world.fake.click(world.mod, "ng:ack:case-42", message)
    [edit] = await world.fake.wait_for_call("PATCH", r"/messages/@original$")
    assert f"ng:to:case-42:{world.adult['id']}" in [b["custom_id"] for b in buttons_of(edit.body)]


async def test_a_notice_is_posted_to_the_moderator_channel_as_worded(world: World, running) -> None:
    adapter, _ = running
    notice = ModeratorNotice(
        notice_id="notice:abc",
        platform="discord",
        community_id=world.guild,
        conversation_id=world.general,
        ts=1_700_000_000,
        reporter="p5eud0nym123",
        title="A child pressed Report",
        lines=("No case is open.", f"Where: conversation {world.general}"),
    )
    posted = await adapter.send_notice(notice)
    message = world.fake.messages[posted]
    assert message["channel_id"] == world.mods
    [embed] = message["embeds"]
    assert embed["title"] == "A child pressed Report"
    assert world.general in embed["description"] and not message.get("components")
    other_guild = world.fake.add_guild("Unconfigured")
    with pytest.raises(UndeliverableError):
        await adapter.send_notice(notice.model_copy(update={"community_id": other_guild}))
