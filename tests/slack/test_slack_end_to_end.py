"""End to end over loopback: signed Slack events -> real Engine -> private nudge + alert ->
moderator clicks -> case updated. The real AsyncWebClient talks to the fake Slack."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from nudgeguard import CaseStatus
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.nudges import catalog
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard_slack import SlackAdapter
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import (
    SIGNING_SECRET,
    SlackSender,
    alert_post,
    block_action,
    message_envelope,
)

ADULT, KID, MOD = "U0ADULT", "U0KID", "U0MOD"

#: Short, non-explicit paraphrases of a grooming trajectory (written for these tests).
TRAJECTORY = [
    (ADULT, "hey <@U0KID> nice score, how old are you?"),
    (KID, "im 12"),
    (ADULT, "you seem really mature for your age"),
    (ADULT, "are your parents around when you play?"),
    (ADULT, "this stays just between us ok, dont tell anyone"),
    (ADULT, "add me on snap so we can talk privately"),
    (ADULT, "we could meet at the park, dont bring anyone"),
]


class Clock:
    """Wall clock for the outbox that the test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Live:
    fake: FakeSlack
    adapter: SlackAdapter
    engine: Engine
    slack: SlackSender
    clock: Clock


@pytest.fixture
async def live(fake_slack: FakeSlack) -> AsyncIterator[Live]:
    fake_slack.usergroups["S0MODS"] = [MOD]
    fake_slack.usergroup_handles["students"] = "S0KIDS"
    fake_slack.usergroups["S0KIDS"] = [KID]
    adapter = make_adapter(fake_slack, ages={"minor": {"groups": ["students"]}})
    clock = Clock()
    engine = Engine(
        load_policy("default"),
        cases=SqliteCaseStore(":memory:"),
        adapters=[adapter],
        clock=clock,
    )
    await engine.start(background=False)
    url = f"http://127.0.0.1:{adapter.http_port}/slack/events"
    try:
        yield Live(fake_slack, adapter, engine, SlackSender(url), clock)
    finally:
        await engine.stop()


async def play(live: Live, lines: list[tuple[str, str]]) -> None:
    """Send each line as a signed channel message, in order, as Slack would."""
    for user, text in lines:
        ts = f"{1700001000 + 60 * live.adapter.received}.000100"
        seen = live.adapter.received
        reply = await live.slack.event(message_envelope(user, text, ts))
        assert reply.status == 200
        await wait_until(lambda seen=seen: live.adapter.received > seen)


async def wait_until(check: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not check():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), 10)


def to_kid(call: Call) -> bool:
    return call.get("user") == KID


async def test_grooming_trajectory_nudges_the_child_and_alerts_moderators(live: Live) -> None:
    await play(live, TRAJECTORY)

    nudges = await live.fake.wait_for("chat.postEphemeral", to_kid)
    assert nudges[0].get("channel") == "C0GENERAL"
    # the child is never addressed publicly, and the adult gets nothing
    public = [c for c in live.fake.calls_to("chat.postMessage") if c.get("channel") != "C0MODS"]
    assert public == []

    (alert,) = await live.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    dumped = json.dumps(alert.params)
    for line in ("just between us", "snap", "park", "mature"):
        assert line not in dumped  # no excerpts in the channel
    assert ADULT in dumped and "minor" in dumped

    (case,) = await live.engine.cases.list_cases(community_id="T0TEAM")
    assert case.status is CaseStatus.OPEN
    blocks = (
        json.loads(alert.get("blocks"))
        if isinstance(alert.get("blocks"), str)
        else (alert.get("blocks"))
    )
    ref = await alert_post(live.engine, case.id)
    assert ref is not None and ref[0] == "C0MODS"
    posted_ts = ref[1]
    message = {"ts": posted_ts, "blocks": blocks}

    # a non-moderator's click is refused, recorded and answered privately
    await live.slack.interaction(
        block_action(ADULT, "ng_mod_dismiss", case.id, live.fake.response_url(), message=message)
    )
    refusal = await live.fake.wait_for("chat.postEphemeral", lambda c: c.get("user") == ADULT)
    assert "safety team" in refusal[0].get("text")
    assert (await live.engine.cases.get(case.id)).status is CaseStatus.OPEN
    kinds = [e.kind for e in await live.engine.cases.events(case.id)]
    assert "action_refused" in kinds

    # the moderator's click updates the case and the alert
    updates_before = len(live.fake.calls_to("chat.update"))
    await live.slack.interaction(
        block_action(MOD, "ng_mod_acknowledge", case.id, live.fake.response_url(), message=message)
    )
    update = (await live.fake.wait_for("chat.update", count=updates_before + 1))[-1]
    assert update.get("ts") == posted_ts
    assert "Acknowledged" in json.dumps(update.get("blocks"))
    assert (await live.engine.cases.get(case.id)).status is CaseStatus.ACKNOWLEDGED

    # evidence only to that moderator
    await live.slack.interaction(
        block_action(
            MOD, "ng_mod_show_evidence", case.id, live.fake.response_url(), message=message
        )
    )
    (shown,) = await live.fake.wait_for("chat.postEphemeral", lambda c: c.get("user") == MOD)
    assert "just between us" in json.dumps(shown.get("blocks"))


async def test_rate_limited_nudge_is_retried_by_the_outbox(live: Live) -> None:
    live.fake.ratelimit_next("chat.postEphemeral", retry_after=1, times=50)
    await play(live, TRAJECTORY)
    limited = await live.fake.wait_for("chat.postEphemeral", to_kid)
    assert live.fake.calls_to("chat.postMessage") == [] or all(
        c.get("channel") == "C0MODS" for c in live.fake.calls_to("chat.postMessage")
    )
    live.fake._failures.clear()
    live.clock.offset += 5
    await live.engine.outbox.drain()
    delivered = await live.fake.wait_for("chat.postEphemeral", to_kid, count=len(limited) + 1)
    assert len(delivered) > len(limited)


async def test_ephemeral_refused_falls_back_to_dm_end_to_end(live: Live) -> None:
    live.fake.fail_next("chat.postEphemeral", "user_not_in_channel", times=50)
    await play(live, TRAJECTORY)
    opened = await live.fake.wait_for("conversations.open")
    assert opened[0].get("users") == KID
    dm = await live.fake.wait_for("chat.postMessage", lambda c: c.get("channel").startswith("D"))
    assert dm[0].get("channel") == "D0KID"


async def test_logs_carry_no_text_ids_or_secrets(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    live.fake.fail_next("chat.postEphemeral", "user_not_in_channel")
    await play(live, TRAJECTORY)
    await live.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    (case,) = await live.engine.cases.list_cases(community_id="T0TEAM")
    await live.slack.interaction(
        block_action(ADULT, "ng_mod_dismiss", case.id, live.fake.response_url())
    )
    await live.fake.wait_for("chat.postEphemeral", lambda c: c.get("user") == ADULT)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "expected some log lines to check"
    forbidden = [ADULT, KID, MOD, live.fake.bot_token, SIGNING_SECRET]
    forbidden += [text.split(",")[0] for _, text in TRAJECTORY]
    for item in forbidden:
        assert item not in logged


async def test_edits_deletes_and_joins_reach_the_engine_cleanly(live: Live) -> None:
    from tests.slack.payloads import load

    for name in (
        "channel_join",
        "channel_message",
        "message_changed",
        "thread_reply",
        "message_deleted",
        "thread_message_deleted",
    ):
        seen = live.adapter.received
        assert (await live.slack.event(load(name))).status == 200
        await wait_until(lambda seen=seen: live.adapter.received > seen)
    assert live.engine.stats.events == 6
    assert live.engine.stats.errors == 0


async def test_alert_links_to_the_conversation(live: Live) -> None:
    await play(live, TRAJECTORY)
    (alert,) = await live.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    dumped = json.dumps(alert.get("blocks"))
    assert "https://fake.slack.test/archives/C0GENERAL/p" in dumped
    assert "Timeline" in dumped and "Signals" in dumped


def kid_buttons(live: Live) -> dict[str, dict[str, str]]:
    """The buttons of the newest nudge the child got, by action (``report``)."""
    nudge = live.fake.calls_to("chat.postEphemeral")
    last = [c for c in nudge if to_kid(c)][-1]
    blocks = last.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return {
        json.loads(e["value"])["a"]: e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if "value" in e
    }


async def press(live: Live, button: dict[str, str]) -> dict[str, object]:
    before = len(live.fake.responses)
    click = block_action(
        KID,
        button["action_id"],
        button["value"],
        live.fake.response_url("kid"),
        channel="C0GENERAL",
    )
    await live.slack.interaction(click)
    return (await live.fake.wait_for_response(before + 1))[-1]


async def test_the_childs_report_reaches_moderators_through_the_outbox(live: Live) -> None:
    await play(live, TRAJECTORY)
    await live.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    (case,) = await live.engine.cases.list_cases(community_id="T0TEAM")
    ref = await alert_post(live.engine, case.id)
    assert ref is not None
    updates = len(live.fake.calls_to("chat.update"))

    answer = await press(live, kid_buttons(live)["report"])
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == catalog("en").followups["report"]
    # The case's audit chain has it, and the outbox updated the case's alert in place.
    kinds = [e.kind for e in await live.engine.cases.events(case.id)]
    assert "child_reported" in kinds
    (update, *_) = (await live.fake.wait_for("chat.update", count=updates + 1))[updates:]
    assert (update.get("channel"), update.get("ts")) == ref
    assert "child_reported" in json.dumps(update.get("blocks"))
    items = await live.engine.cases.outbox_items()
    assert any("child_reported" in i.id and i.status == "sent" for i in items)
    # Nothing new in the channel, nothing to the adult, no message text in the update.
    posts = live.fake.calls_to("chat.postMessage")
    assert [c.get("channel") for c in posts] == ["C0MODS"]
    assert not [c for c in live.fake.calls_to("chat.postEphemeral") if c.get("user") == ADULT]
    for _, line in TRAJECTORY:
        assert line not in json.dumps(update.params)


async def test_how_to_block_is_explained_the_slack_way(live: Live) -> None:
    await play(live, TRAJECTORY[:4])
    await live.fake.wait_for("chat.postEphemeral", to_kid)
    answer = await press(live, kid_buttons(live)["how_to_block"])
    assert answer["text"] == catalog("en").platform_followups["slack"]["how_to_block"]
    assert "mute" in str(answer["text"])


async def test_a_moderators_press_redraws_the_alert_from_the_core_not_the_clicked_post(
    live: Live,
) -> None:
    await play(live, TRAJECTORY)
    (posted,) = await live.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    (case,) = await live.engine.cases.list_cases(community_id="T0TEAM")
    channel, ts = await alert_post(live.engine, case.id)
    blocks = posted.get("blocks")
    first_drawn = json.loads(blocks) if isinstance(blocks, str) else blocks
    # The child reports: the core adds that to the case's alert and updates the post.
    updates = len(live.fake.calls_to("chat.update"))
    await press(live, kid_buttons(live)["report"])
    await live.fake.wait_for("chat.update", count=updates + 1)

    # The click arrives with the post as first drawn (a payload older than the update).
    message = {"ts": ts, "blocks": first_drawn}
    await live.slack.interaction(
        block_action(MOD, "ng_mod_acknowledge", case.id, live.fake.response_url(), message=message)
    )
    # The press's update names who pressed (the outbox may send severity updates around it).
    (update,) = await live.fake.wait_for("chat.update", lambda c: MOD in json.dumps(c.params))

    assert (update.get("channel"), update.get("ts")) == (channel, ts)
    drawn = json.dumps(update.get("blocks"))
    assert "child_reported" in drawn, "the press dropped what the core added to the alert"
    assert "Acknowledged" in drawn and MOD in drawn and ADULT in drawn
    assert "ng_mod_acknowledge" not in drawn and "ng_mod_confirm" in drawn
    for _, line in TRAJECTORY:
        assert line not in json.dumps(update.params)
