"""Moderator alerts on Slack follow the workspace's language setting (config ``languages:``).

Loopback: signed events -> real Engine -> Block Kit alert in the moderator channel ->
moderator clicks -> the alert is updated and the evidence shown, all in that language.
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
from tests.slack.harness import SlackSender, alert_post, block_action
from tests.slack.test_slack_end_to_end import KID, MOD, TRAJECTORY, Clock, Live, play

BUTTONS = ("acknowledge", "show_evidence", "dismiss", "confirm")


@pytest.fixture(params=["de", "en"])
async def live(
    fake_slack: FakeSlack, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Live, str]]:
    fake_slack.usergroups["S0MODS"] = [MOD]
    fake_slack.usergroup_handles["students"] = "S0KIDS"
    fake_slack.usergroups["S0KIDS"] = [KID]
    adapter = make_adapter(fake_slack, ages={"minor": {"groups": ["students"]}})
    # A German workspace: ``languages: {communities: {T0TEAM: de}}``; none = English.
    communities = {"T0TEAM": "de"} if request.param == "de" else {}
    clock = Clock()
    engine = Engine(
        load_policy("default"),
        cases=SqliteCaseStore(":memory:"),
        adapters=[adapter],
        clock=clock,
        languages=LanguageSettings(communities=communities),
    )
    await engine.start(background=False)
    url = f"http://127.0.0.1:{adapter.http_port}/slack/events"
    try:
        yield Live(fake_slack, adapter, engine, SlackSender(url), clock), request.param
    finally:
        await engine.stop()


def blocks_of(params: Any) -> list[dict[str, Any]]:
    blocks = params.get("blocks")
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def button_labels(blocks: list[dict[str, Any]]) -> list[str]:
    actions = next(b for b in blocks if b["type"] == "actions")
    return [e["text"]["text"] for e in actions["elements"]]


async def test_alert_is_worded_in_the_workspaces_language(live: tuple[Live, str]) -> None:
    run, lang = live
    t = catalog(lang).moderator_text
    other = catalog("en" if lang == "de" else "de").moderator_text
    await play(run, TRAJECTORY)
    (alert,) = await run.fake.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    blocks = blocks_of(alert)
    dumped = json.dumps(blocks, ensure_ascii=False)
    header = next(b for b in blocks if b["type"] == "header")["text"]["text"]
    assert header.startswith(t("header", severity="").rstrip(" -"))
    for key in ("severity", "score", "stages", "signals", "participants", "status"):
        assert f"*{t(key)}:*" in dumped
    assert t("status_open") in dumped
    assert button_labels(blocks) == [t(k) for k in BUTTONS]
    assert not set(button_labels(blocks)) & {other(k) for k in BUTTONS}
    assert all(text not in dumped for _, text in TRAJECTORY)  # still no message text

    # Action ids are the same in every language; a press keeps the alert's language.
    (case,) = await run.engine.cases.list_cases(community_id="T0TEAM")
    ref = await alert_post(run.engine, case.id)
    assert ref is not None
    message = {"ts": ref[1], "blocks": blocks}
    await run.slack.interaction(
        block_action(MOD, "ng_mod_acknowledge", case.id, run.fake.response_url(), message=message)
    )
    # The press's update names who pressed; the outbox may send severity updates around it.
    (update,) = await run.fake.wait_for("chat.update", lambda c: MOD in json.dumps(c.params))
    updated = blocks_of(update)
    assert t("status_acknowledged") in json.dumps(updated, ensure_ascii=False)
    assert button_labels(updated) == [t(k) for k in BUTTONS[1:]]

    # The private evidence view too.
    await run.slack.interaction(
        block_action(MOD, "ng_mod_show_evidence", case.id, run.fake.response_url(), message=message)
    )
    (shown,) = await run.fake.wait_for("chat.postEphemeral", lambda c: c.get("user") == MOD)
    first = blocks_of(shown)[0]["text"]["text"]
    assert t("evidence_private") in first
    assert t("evidence_title", case=f"`{case.id}`") in first
