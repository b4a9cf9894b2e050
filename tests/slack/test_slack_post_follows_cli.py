"""Slack over loopback: a chat press and a CLI decision both end up on the alert post.

A press re-draws the post at once and its queued update edits it once more to the same
state; ``nudgeguard cases resolve`` (another process, sharing the case store) re-draws it
through the bot's outbox.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from nudgeguard import CaseStatus
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from tests.cases.helpers import ack_from_cli
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackSender, alert_post, block_action
from tests.slack.test_slack_end_to_end import KID, MOD, TRAJECTORY, Clock, Live, play


@pytest.fixture
async def live(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[tuple[Live, Path]]:
    fake_slack.usergroups["S0MODS"] = [MOD]
    fake_slack.usergroup_handles["students"] = "S0KIDS"
    fake_slack.usergroups["S0KIDS"] = [KID]
    adapter = make_adapter(fake_slack, ages={"minor": {"groups": ["students"]}})
    path = tmp_path / "cases.sqlite3"
    clock = Clock()
    engine = Engine(
        load_policy("default"), cases=SqliteCaseStore(path), adapters=[adapter], clock=clock
    )
    await engine.start(background=False)  # no timer: the test drains the outbox
    url = f"http://127.0.0.1:{adapter.http_port}/slack/events"
    try:
        yield Live(fake_slack, adapter, engine, SlackSender(url), clock), path
    finally:
        await engine.stop()


def _blocks(call) -> str:  # type: ignore[no-untyped-def]
    blocks = call.get("blocks")
    return blocks if isinstance(blocks, str) else json.dumps(blocks)


async def test_a_press_and_a_cli_decision_both_reach_the_post(live) -> None:
    run, path = live
    await play(run, TRAJECTORY)
    await run.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    (case,) = await run.engine.cases.list_cases(community_id="T0TEAM")
    channel, posted_ts = await alert_post(run.engine, case.id)
    message = {"ts": posted_ts, "blocks": []}
    await run.engine.outbox.drain()  # every alert of the chat itself is out

    # A press: re-drawn at once, then once more by its queued update (the same state).
    before = len(run.fake.calls_to("chat.update"))
    await run.slack.interaction(
        block_action(MOD, "ng_mod_acknowledge", case.id, run.fake.response_url(), message=message)
    )
    await run.fake.wait_for("chat.update", count=before + 1)
    await run.engine.outbox.drain()
    updates = run.fake.calls_to("chat.update")[before:]
    assert len(updates) >= 2 and {u.get("ts") for u in updates} == {posted_ts}
    assert all("Acknowledged" in _blocks(u) for u in updates)

    # The CLI, in its own process in real use: the post follows through the bot's outbox.
    done = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["cases", "resolve", case.id, "--outcome", "no_action", "--store", str(path)],
    )
    assert done.exit_code == 0, done.output
    assert (await run.engine.cases.get(case.id)).status is CaseStatus.RESOLVED
    await run.engine.outbox.drain()
    last = run.fake.calls_to("chat.update")[-1]
    assert last.get("channel") == channel and last.get("ts") == posted_ts
    assert "Resolved" in _blocks(last)
    assert "ng_mod_acknowledge" not in _blocks(last), "a closed case offers no decision"
    for update in run.fake.calls_to("chat.update"):
        assert not [text for _, text in TRAJECTORY if text in _blocks(update)]


def _post(fake: FakeSlack, ts: str) -> str:
    """The alert post as the moderators' channel now shows it."""
    [message] = [m for m in fake.history["C0MODS"] if m["ts"] == ts]
    return json.dumps(message["blocks"])


async def test_after_a_restart_a_cli_decision_keeps_the_posts_participants(live) -> None:
    """The restarted bot knows the case by pseudonyms only; the post still names people."""
    run, path = live
    await play(run, TRAJECTORY)
    await run.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    (case,) = await run.engine.cases.list_cases(community_id="T0TEAM")
    _, posted_ts = await alert_post(run.engine, case.id)
    await run.engine.outbox.drain()
    opened = _post(run.fake, posted_ts)
    assert KID in opened and "Participants" in opened
    await run.engine.stop()  # the bot restarts: everything it remembered is gone

    adapter = make_adapter(run.fake, ages={"minor": {"groups": ["students"]}})
    engine = Engine(load_policy("default"), cases=SqliteCaseStore(path), adapters=[adapter])
    await engine.start(background=False)
    try:
        await ack_from_cli(engine, path, case.id)
    finally:
        await engine.stop()

    post = _post(run.fake, posted_ts)
    assert "Acknowledged" in post
    people = [b for b in json.loads(opened) if "Participants" in json.dumps(b)]
    assert people and all(b in json.loads(post) for b in people), "the post lost its people"
    nudge = [f for b in json.loads(opened) for f in b.get("fields", []) if "Child nudge" in str(f)]
    assert nudge and nudge[0] in json.loads(post)[1]["fields"], "the child-nudge line changed"
    assert "`ana` (command line)" in post, "the post does not say who decided"
    assert len(run.fake.history["C0MODS"]) == 1, "the alert was posted anew"


async def test_after_a_restart_a_new_post_says_where_to_see_the_people(live) -> None:
    """The post was deleted: the restarted bot posts the case anew, naming no stored id."""
    run, path = live
    await play(run, TRAJECTORY)
    await run.engine.inbox.drain()
    (case,) = await run.engine.cases.list_cases(community_id="T0TEAM")
    _, posted_ts = await alert_post(run.engine, case.id)
    await run.engine.outbox.drain()
    await run.engine.stop()  # the bot restarts: everything it remembered is gone
    # A moderator deleted the post meanwhile: Slack no longer has it.
    run.fake.history["C0MODS"] = [m for m in run.fake.history["C0MODS"] if m["ts"] != posted_ts]
    run.fake.fail_next("chat.update", "message_not_found")

    adapter = make_adapter(run.fake, ages={"minor": {"groups": ["students"]}})
    engine = Engine(load_policy("default"), cases=SqliteCaseStore(path), adapters=[adapter])
    await engine.start(background=False)
    try:
        await ack_from_cli(engine, path, case.id)
    finally:
        await engine.stop()

    [post] = [json.dumps(m["blocks"]) for m in run.fake.history["C0MODS"]]
    people = [b for b in json.loads(post) if "Participants" in json.dumps(b)]
    assert people and f"Case {case.id} in the console" in json.dumps(people)
    for stored in (KID, case.subject, case.target):
        assert stored not in post, "a new post named a participant by a stored id"
    assert "`ana` (command line)" in post
