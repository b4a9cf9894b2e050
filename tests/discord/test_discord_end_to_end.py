"""The full path with the real engine: guild chat -> DM nudge + moderator alert -> clicks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from nudgeguard.cases.model import CaseStatus
from nudgeguard.cases.records import OutboxItem
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.nudges import catalog
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard_discord import DiscordAdapter
from tests.discord.fake_discord import FakeDiscord
from tests.discord.world import (
    ADMINISTRATOR,
    World,
    build_world,
    make_adapter,
    wait_until,
)

# Short paraphrased lines of a grooming trajectory (no explicit content).
TRAJECTORY = [
    ("adult", "hey you're really good at this game"),
    ("kid", "thanks lol"),
    ("adult", "how old are you btw"),
    ("kid", "im thirteen"),
    ("adult", "are your parents home right now? do they check your phone"),
    ("kid", "no they're at work"),
    ("adult", "don't tell anyone we talk ok, this is just between us"),
    ("adult", "add me on snap, we can talk in private there"),
    ("adult", "we should meet up, I can pick you up after school, don't bring anyone"),
]


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    """The usual world, plus a second server where the moderator is an administrator."""
    built = build_world(fake)
    other = fake.add_guild("Other server")
    fake.add_channel(other, "lobby")
    fake.add_member(other, built.mod)
    return built


@pytest.fixture
async def live(world: World, tmp_path: Path) -> AsyncIterator[tuple[DiscordAdapter, Engine]]:
    adapter = make_adapter(world)
    store = SqliteCaseStore(tmp_path / "cases.sqlite3")
    engine = Engine(load_policy("default"), cases=store, adapters=[adapter])
    await engine.start()
    try:
        yield adapter, engine
    finally:
        await engine.stop()


async def run_trajectory(world: World, adapter: DiscordAdapter) -> None:
    people = {"adult": world.adult, "kid": world.kid}
    last = None
    for who, text in TRAJECTORY:
        reply_to = (
            last if who == "adult" and last and last["author"]["id"] != world.adult["id"] else None
        )
        last = await world.fake.send_message(world.general, people[who], text, reply_to=reply_to)
    await wait_until(lambda: len(adapter.recent) == len(TRAJECTORY))
    await adapter.drain()


def dm_channel_of(world: World, user: dict) -> str:
    return "9" + user["id"][1:]


async def test_grooming_in_guild_nudges_child_and_alerts_moderators(world: World, live) -> None:
    adapter, engine = live
    fake = world.fake
    await run_trajectory(world, adapter)

    # The child got a private DM with buttons; nothing was posted in the public channel.
    [nudge, *_] = await fake.wait_for_call(
        "POST", rf"^/channels/{dm_channel_of(world, world.kid)}/messages$"
    )
    labels = [b["label"] for row in nudge.body["components"] for b in row["components"]]
    assert "I'm OK" in labels and "Report" in labels
    assert any(b.get("url") for row in nudge.body["components"] for b in row["components"])
    assert fake.calls_to("POST", rf"^/channels/{world.general}/messages$") == []
    # The suspect was never warned once a case is open.
    assert fake.calls_to("POST", rf"^/channels/{dm_channel_of(world, world.adult)}/messages$") == []

    # Moderators got an alert with buttons and without any message text.
    [alert_call, *_] = await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
    dumped = json.dumps(alert_call.body)
    for _, text in TRAJECTORY:
        assert text not in dumped
    [case] = await engine.cases.list_cases(community_id=world.guild)
    assert case.status is CaseStatus.OPEN
    alert = next(m for m in fake.messages.values() if m["channel_id"] == world.mods)
    custom_ids = [b["custom_id"] for row in alert["components"] for b in row["components"]]
    assert f"ng:ack:{case.id}" in custom_ids

    # A bystander's click is refused privately; the case does not change but records it.
    await fake.click(world.bystander, f"ng:ack:{case.id}", alert)
    [refusal] = await fake.wait_for_call("POST", r"/callback$")
    assert refusal.body["data"]["flags"] & 64
    assert (await engine.cases.get(case.id)).status is CaseStatus.OPEN

    # The moderator's click is accepted: the case and the posted alert change.
    await fake.click(world.mod, f"ng:ack:{case.id}", alert)
    await fake.wait_for_call("PATCH", r"/messages/@original$")
    await wait_until(lambda: fake.messages[alert["id"]].get("edited_timestamp"))
    updated = await engine.cases.get(case.id)
    assert updated.status is CaseStatus.ACKNOWLEDGED
    fields = {f["name"]: f["value"] for f in fake.messages[alert["id"]]["embeds"][0]["fields"]}
    assert fields["Status"] == "acknowledged"

    events = [e.kind for e in await engine.cases.events(case.id)]
    assert "action_refused" in events


async def test_closed_dms_record_undeliverable_and_post_nothing_public(world: World, live) -> None:
    adapter, engine = live
    fake = world.fake
    fake.dm_closed.add(world.kid["id"])
    await run_trajectory(world, adapter)
    await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
    [case] = await engine.cases.list_cases(community_id=world.guild)
    events = [e.kind for e in await engine.cases.events(case.id)]
    assert "nudge_undeliverable" in events
    posted_in = {c.path.split("/")[2] for c in fake.calls_to("POST", r"^/channels/\d+/messages$")}
    assert posted_in <= {world.mods, dm_channel_of(world, world.kid)}


async def test_a_case_cannot_be_acted_on_from_another_server(world: World, live) -> None:
    adapter, engine = live
    fake = world.fake
    await run_trajectory(world, adapter)
    await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
    [case] = await engine.cases.list_cases(community_id=world.guild)
    # A message in another server carrying a button with this case's id.
    other = next(gid for gid in fake.guilds if gid != world.guild)
    channel = next(c["id"] for c in fake.guilds[other]["channels"])
    button = {"type": 2, "style": 1, "label": "Show evidence", "custom_id": f"ng:ev:{case.id}"}
    forged = fake.message_payload(
        channel, fake.bot_user, "", extra={"components": [{"type": 1, "components": [button]}]}
    )
    await fake.click(world.mod, f"ng:ev:{case.id}", forged, permissions=ADMINISTRATOR)
    [answer] = await fake.wait_for_call("POST", r"/callback$")
    assert answer.body["data"]["flags"] & 64  # answered privately
    # The core refuses the case of another server; the refusal is all the presser sees.
    [followup] = await fake.wait_for_call("POST", r"^/webhooks/")
    assert "another community" in followup.body["content"]
    assert not followup.body.get("embeds")  # no evidence shown
    assert "action_refused" in [e.kind for e in await engine.cases.events(case.id)]


async def test_rate_limited_nudge_is_retried_by_the_outbox(world: World, tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    adapter = make_adapter(world)
    engine = Engine(
        load_policy("default"),
        cases=SqliteCaseStore(tmp_path / "cases.sqlite3"),
        adapters=[adapter],
        clock=lambda: now[0],
    )
    await engine.start(background=False)
    try:
        fake = world.fake
        kid_dm = dm_channel_of(world, world.kid)
        # Longer than max_ratelimit_timeout: handed back to the outbox instead of waited out.
        fake.fail("POST", rf"^/channels/{kid_dm}/messages$", 429, retry_after=120, times=50)
        await run_trajectory(world, adapter)
        await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
        [case] = await engine.cases.list_cases(community_id=world.guild)
        kinds = [e.kind for e in await engine.cases.events(case.id)]
        assert "nudge_sent" not in kinds
        assert fake.calls_to("POST", rf"^/channels/{world.general}/messages$") == []

        fake.fail_clear()
        now[0] += 121
        assert await engine.outbox.drain() >= 1
        kinds = [e.kind for e in await engine.cases.events(case.id)]
        assert "nudge_sent" in kinds
        dms = [m for m in fake.messages.values() if m["channel_id"] == kid_dm]
        assert dms, "the DM went out on the retry"
    finally:
        await engine.stop()


async def test_check_in_a_guild_answers_with_the_right_nudge(world: World, live) -> None:
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
    assert answer.body["flags"] & 64
    assert answer.body.get("components"), "the nudge comes with its buttons"
    assert "didn't find warning signs" not in answer.body["content"]
    assert fake.calls_to("POST", rf"^/channels/{world.general}/messages$") == []


async def test_check_in_a_dm_opens_a_case_when_serious(world: World, live) -> None:
    _, engine = live
    fake = world.fake
    await fake.wait_for_call("PUT", r"/commands$")
    assert await engine.cases.list_cases() == []
    dm_between_users = "1299999999999999999"
    target = fake.message_payload(
        dm_between_users,
        world.adult,
        "let's meet up this weekend, i can pick you up. don't tell anyone, just between us",
    )
    await fake.context_menu(world.kid, "Check this message", target)
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["flags"] & 64
    assert answer.body.get("components")
    [case] = await engine.cases.list_cases()
    assert case.community_id == "dm"
    assert case.subject == engine.pseudonyms.pseudonym("discord", world.adult["id"])
    # Nothing public: at most a DM to the child (the engine's own nudge for the new case).
    posted_in = {c.path.split("/")[2] for c in fake.calls_to("POST", r"^/channels/\d+/messages$")}
    assert posted_in <= {dm_channel_of(world, world.kid)}


async def test_the_childs_report_reaches_the_moderators(world: World, live) -> None:
    adapter, engine = live
    fake = world.fake
    await run_trajectory(world, adapter)
    [case] = await engine.cases.list_cases(community_id=world.guild)
    await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
    alert = next(m for m in fake.messages.values() if m["channel_id"] == world.mods)
    # The child presses Report on the last nudge of the case, in their DMs.
    dm = dm_channel_of(world, world.kid)
    nudge = [m for m in fake.messages.values() if m["channel_id"] == dm][-1]
    report = next(
        b["custom_id"]
        for row in nudge["components"]
        for b in row["components"]
        if b.get("custom_id", "").startswith("ngn:report:")
    )
    await fake.click(world.kid, report, nudge)
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["flags"] & 64
    assert answer.body["content"] == catalog("en").followups["report"]
    # On the case's audit chain, and the case's alert updated in place by the outbox.
    events = [e.kind for e in await engine.cases.events(case.id)]
    assert "child_reported" in events
    await wait_until(lambda: fake.messages[alert["id"]].get("edited_timestamp"))
    fields = {f["name"]: f["value"] for f in fake.messages[alert["id"]]["embeds"][0]["fields"]}
    assert fields["Child nudge"] == "child_reported"
    posted_in = {c.path.split("/")[2] for c in fake.calls_to("POST", r"^/channels/\d+/messages$")}
    assert posted_in <= {world.mods, dm}, "the report was posted somewhere public"
    assert fake.calls_to("POST", rf"^/channels/{dm_channel_of(world, world.adult)}/messages$") == []


async def test_an_alert_update_queued_before_a_press_does_not_draw_the_case_open_again(
    world: World, live
) -> None:
    adapter, engine = live
    fake = world.fake
    await run_trajectory(world, adapter)
    await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
    [case] = await engine.cases.list_cases(community_id=world.guild)
    await engine.outbox.drain()
    alert = next(m for m in fake.messages.values() if m["channel_id"] == world.mods)
    # An update of the alert queued while the case is open, held back (a retry due later).
    snapshot = engine.dispatcher.alerts.latest(case.id)
    assert snapshot is not None and snapshot.status is CaseStatus.OPEN
    payload = snapshot.model_copy(update={"is_update": True}).model_dump_json()
    held = OutboxItem(f"alert:{case.id}:held:discord", case.id, "discord", "alert", payload)
    assert await engine.outbox.enqueue(replace(held, next_at=engine.outbox.clock() + 86400))

    await fake.click(world.mod, f"ng:ack:{case.id}", alert)
    await fake.wait_for_call("PATCH", r"/messages/@original$")
    await engine.cases.mark_retry(held.id, 1, 0.0, "held")  # due only now, after the press
    await engine.outbox.drain()

    status = {r.id: r.status for r in await engine.cases.outbox_items()}
    # The press queued the post's own update, which supersedes the older one waiting.
    assert status[held.id] == "superseded", "an older update outlived the press's"
    assert [s for i, s in status.items() if ":moderated:acknowledged:" in i] == ["sent"]
    fields = {f["name"]: f["value"] for f in fake.messages[alert["id"]]["embeds"][0]["fields"]}
    assert fields["Status"] == "acknowledged", "the post shows the acknowledged case as open"
