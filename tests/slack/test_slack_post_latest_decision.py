"""Slack over loopback: the alert post shows the latest decision, whatever order retries run.

An acknowledgement's update that failed is retried after a later resolution already
re-drew the post: the post keeps the resolution (status and Last action line), while a
webhook receiver still gets each decision once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.delivery.sinks.webhook import WebhookSink
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from tests.cases.test_webhook import SECRET, Receiver
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackSender, alert_post
from tests.slack.test_slack_end_to_end import KID, MOD, TRAJECTORY, Clock, Live, play


@pytest.fixture
async def hook() -> AsyncIterator[Receiver]:
    """A webhook receiver on loopback that checks signatures (as docs/cases.md says)."""
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    rec.url = f"http://127.0.0.1:{port}/hook"  # type: ignore[attr-defined]
    try:
        yield rec
    finally:
        await runner.cleanup()


@pytest.fixture
async def live(
    fake_slack: FakeSlack, hook: Receiver, tmp_path: Path
) -> AsyncIterator[tuple[Live, Path]]:
    fake_slack.usergroups["S0MODS"] = [MOD]
    fake_slack.usergroup_handles["students"] = "S0KIDS"
    fake_slack.usergroups["S0KIDS"] = [KID]
    adapter = make_adapter(fake_slack, ages={"minor": {"groups": ["students"]}})
    path = tmp_path / "cases.sqlite3"
    clock = Clock()
    engine = Engine(
        load_policy("default"),
        cases=SqliteCaseStore(path),
        adapters=[adapter],
        sinks=[WebhookSink("tns", hook.url, SECRET)],  # type: ignore[attr-defined]
        clock=clock,
    )
    await engine.start(background=False)  # no timer: the test drains the outbox
    url = f"http://127.0.0.1:{adapter.http_port}/slack/events"
    try:
        yield Live(fake_slack, adapter, engine, SlackSender(url), clock), path
    finally:
        await engine.stop()


async def _cli(*args: str) -> None:
    done = await asyncio.to_thread(CliRunner().invoke, main, ["cases", *args])
    assert done.exit_code == 0, done.output


def _post(fake: FakeSlack, ts: str) -> str:
    """The alert post as the moderators' channel now shows it."""
    [message] = [m for m in fake.history["C0MODS"] if m["ts"] == ts]
    return json.dumps(message["blocks"])


async def test_a_retried_acknowledgement_never_draws_the_post_back(live, hook) -> None:
    run, path = live
    await play(run, TRAJECTORY)
    await run.engine.inbox.drain()  # every message handled: the case stands as it will
    (case,) = await run.engine.cases.list_cases(community_id="T0TEAM")
    _, posted_ts = await alert_post(run.engine, case.id)
    await run.engine.outbox.drain()

    # The acknowledgement's update fails on Slack and at the receiver: both retried later.
    run.fake.server_error_next("chat.update")
    hook.fail_next = [503]
    await _cli("ack", case.id, "--by", "ana", "--store", str(path))
    await run.engine.outbox.drain()
    assert "Resolved" not in _post(run.fake, posted_ts)
    # Resolved meanwhile: its update goes out first and re-draws the post.
    await _cli("resolve", case.id, "--outcome", "no_action", "--by", "bea", "--store", str(path))
    await run.engine.outbox.drain()
    resolved = _post(run.fake, posted_ts)
    assert "`bea` (command line)" in resolved
    run.clock.offset += 3600  # the acknowledgement's retry is due
    await run.engine.outbox.drain()

    post = _post(run.fake, posted_ts)
    assert post == resolved, "the retried acknowledgement re-drew the post"
    assert "`ana`" not in post and "ng_mod_acknowledge" not in post
    decided = [p["alert"]["decision"] for p in hook.accepted if p["alert"]["decision"]]
    assert [d["name"] for d in decided] == ["bea", "ana"], "the receiver missed a decision"
    assert len({p["delivery_id"] for p in hook.accepted}) == len(hook.accepted)
    assert len(run.fake.history["C0MODS"]) == 1, "the alert was posted anew"
