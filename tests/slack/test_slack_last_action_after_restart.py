"""Slack over loopback: a post keeps its "Last action" line when a restarted bot edits it.

A moderator decides the case (a press in Slack, or ``nudgeguard cases ack --by``), the bot
restarts (its memory of who decided is gone), then the child presses Report on the nudge:
the restarted bot rebuilds the case's alert from the store and edits the post. The post
still says what was decided and by whom, as far as the store may say it: "a moderator" for
a chat press (the store never holds a Slack id), the CLI's name.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from nudgeguard.cases.model import Case
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.privacy import Pseudonymizer
from tests.cases.helpers import ack_from_cli
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackSender, alert_post, block_action
from tests.slack.test_slack_end_to_end import (
    KID,
    MOD,
    TRAJECTORY,
    Clock,
    Live,
    kid_buttons,
    play,
    press,
)

#: One key for both runs of the bot, as its configured key would be.
KEY = b"k" * 32


def _engine(fake: FakeSlack, path: Path) -> Engine:
    adapter = make_adapter(fake, ages={"minor": {"groups": ["students"]}})
    return Engine(
        load_policy("default"),
        cases=SqliteCaseStore(path),
        adapters=[adapter],
        pseudonymizer=Pseudonymizer(KEY),
        clock=Clock(),
    )


async def _live(fake: FakeSlack, path: Path) -> Live:
    engine = _engine(fake, path)
    await engine.start(background=False)  # no timer: the test drains the outbox
    [adapter] = engine.adapters.values()
    url = f"http://127.0.0.1:{adapter.http_port}/slack/events"  # type: ignore[attr-defined]
    return Live(fake, adapter, engine, SlackSender(url), Clock())  # type: ignore[arg-type]


@pytest.fixture
async def first(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[tuple[Live, Path]]:
    fake_slack.usergroups["S0MODS"] = [MOD]
    fake_slack.usergroup_handles["students"] = "S0KIDS"
    fake_slack.usergroups["S0KIDS"] = [KID]
    path = tmp_path / "cases.sqlite3"
    live = await _live(fake_slack, path)
    try:
        yield live, path
    finally:
        await live.engine.stop()


def _last_action(fake: FakeSlack, ts: str) -> str:
    """The post's "Last action" line as the moderators' channel shows it ("" if none)."""
    [message] = [m for m in fake.history["C0MODS"] if m["ts"] == ts]
    text = "\n".join(json.dumps(b) for b in message["blocks"])
    found = [line for line in text.split("\\n") if "Last action" in line]
    return found[0] if found else ""


async def _report_after_a_restart(run: Live, path: Path) -> None:
    """Restart the bot, then the child presses Report on the case's nudge."""
    report = kid_buttons(run)["report"]
    await run.engine.stop()  # the bot restarts: everything it remembered is gone
    again = await _live(run.fake, path)
    try:
        await press(again, report)
        await again.engine.outbox.drain()
    finally:
        await again.engine.stop()


async def _alerted(run: Live) -> tuple[Case, str]:
    """Play the grooming chat until its case is posted; return the case and the post's ts."""
    await play(run, TRAJECTORY)
    await run.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    (case,) = await run.engine.cases.list_cases(community_id="T0TEAM")
    _, posted_ts = await alert_post(run.engine, case.id)
    await run.engine.outbox.drain()
    return case, posted_ts


async def test_a_chat_decision_stays_on_the_post_after_a_restart(first) -> None:
    run, path = first
    case, posted_ts = await _alerted(run)
    before = len(run.fake.calls_to("chat.update"))
    message = {"ts": posted_ts, "blocks": []}
    await run.slack.interaction(
        block_action(MOD, "ng_mod_acknowledge", case.id, run.fake.response_url(), message=message)
    )
    await run.fake.wait_for("chat.update", count=before + 1)
    await run.engine.outbox.drain()
    assert "Acknowledged by" in _last_action(run.fake, posted_ts)

    updates = len(run.fake.calls_to("chat.update"))
    await _report_after_a_restart(run, path)

    assert len(run.fake.calls_to("chat.update")) > updates, "the Report did not edit the post"
    [message] = [m for m in run.fake.history["C0MODS"] if m["ts"] == posted_ts]
    assert "child_reported" in json.dumps(message["blocks"])
    line = _last_action(run.fake, posted_ts)
    assert "Acknowledged by a moderator" in line, "the post lost its Last action line"
    assert MOD not in line
    assert len(run.fake.history["C0MODS"]) == 1, "the alert was posted anew"


async def test_a_cli_decision_stays_on_the_post_after_a_restart(first) -> None:
    run, path = first
    case, posted_ts = await _alerted(run)
    await ack_from_cli(run.engine, path, case.id)
    assert "`ana` (command line)" in _last_action(run.fake, posted_ts)

    await _report_after_a_restart(run, path)

    [message] = [m for m in run.fake.history["C0MODS"] if m["ts"] == posted_ts]
    assert "child_reported" in json.dumps(message["blocks"])
    line = _last_action(run.fake, posted_ts)
    assert "Acknowledged by `ana` (command line)" in line, "the post lost its Last action line"
