"""What a German workspace's moderators read besides alerts: refusals, notes, ``/safety``.

Loopback: signed events -> real Engine (``languages: {communities: {T0TEAM: de}}``) ->
alert posted -> presses and ``/safety`` over bolt's HTTP endpoint and the fake Web API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.nudges import catalog
from nudgeguard.engine import Engine
from nudgeguard.locales import LanguageSettings
from nudgeguard.policy import load_policy
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackSender, alert_post, block_action, slash_command
from tests.slack.test_slack_end_to_end import KID, MOD, TRAJECTORY, Clock, Live, play

DE = catalog("de").moderator_text


@pytest.fixture
async def german(fake_slack: FakeSlack) -> AsyncIterator[Live]:
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
        languages=LanguageSettings(communities={"T0TEAM": "de"}),
    )
    await engine.start(background=False)
    url = f"http://127.0.0.1:{adapter.http_port}/slack/events"
    try:
        yield Live(fake_slack, adapter, engine, SlackSender(url), clock)
    finally:
        await engine.stop()


def blocks_of(params: Any) -> list[dict[str, Any]]:
    blocks = params.get("blocks")
    return json.loads(blocks) if isinstance(blocks, str) else blocks


async def test_a_german_workspaces_moderators_get_german_refusals(german: Live) -> None:
    run = german
    await play(run, TRAJECTORY)
    (alert,) = await run.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    (case,) = await run.engine.cases.list_cases(community_id="T0TEAM")
    ref = await alert_post(run.engine, case.id)
    assert ref is not None
    message = {"ts": ref[1], "blocks": blocks_of(alert)}

    # Someone outside the safety team presses Acknowledge.
    await run.slack.interaction(
        block_action(KID, "ng_mod_acknowledge", case.id, run.fake.response_url(), message=message)
    )
    (refused,) = await run.fake.wait_for(
        "chat.postEphemeral", lambda c: c.get("user") == KID and c.get("channel") == "C0MODS"
    )
    assert refused.get("text") == DE("team_only")

    # The case was closed meanwhile: the core's own note is German too.
    await run.engine.moderate(case.id, "dismiss", MOD, permitted=True)
    await run.slack.interaction(
        block_action(MOD, "ng_mod_confirm", case.id, run.fake.response_url(), message=message)
    )
    (note,) = await run.fake.wait_for("chat.postEphemeral", lambda c: c.get("user") == MOD)
    assert note.get("text") == "Dieser Fall ist bereits verworfen."


async def test_safety_status_and_help_in_the_workspaces_language(german: Live) -> None:
    run = german
    await run.slack.form(slash_command(MOD, "status", run.fake.response_url("a")))
    await run.slack.form(slash_command(MOD, "help", run.fake.response_url("b")))
    status, help_ = await run.fake.wait_for_response(2)
    assert status["text"] == "Offene Sicherheitsfälle: *0*. Modus: *live*."
    assert status["response_type"] == "ephemeral"
    assert help_["text"].startswith("*/safety status* zeigt offene Fälle")
