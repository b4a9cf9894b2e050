"""A German child gets German nudges on Slack: ``users.info`` says which language they use."""

from __future__ import annotations

import json
from typing import Any

from nudgeguard.delivery.nudges import catalog
from tests.slack.fake_slack import Call
from tests.slack.harness import block_action
from tests.slack.test_slack_end_to_end import KID, TRAJECTORY, Live, live, play, to_kid

__all__ = ["live"]  # the fixture, shared with the end-to-end tests

GERMAN = catalog("de")


def blocks_of(call: Call) -> list[dict[str, Any]]:
    blocks = call.get("blocks")
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks or [])


def buttons_of(call: Call) -> list[dict[str, Any]]:
    return [e for b in blocks_of(call) if b["type"] == "actions" for e in b["elements"]]


def is_german(text: str) -> bool:
    return any(text in variants for variants in GERMAN.copy("teen").values())


async def test_child_whose_slack_is_german_gets_a_german_nudge(live: Live) -> None:
    live.fake.locales[KID] = "de-DE"
    await play(live, TRAJECTORY)
    [nudge, *_] = await live.fake.wait_for("chat.postEphemeral", to_kid)
    assert is_german(nudge.get("text")), nudge.get("text")
    labels = {b["text"]["text"] for b in buttons_of(nudge)}
    assert labels <= set(GERMAN.labels.values()), labels
    asked = [c for c in live.fake.calls_to("users.info") if c.get("user") == KID]
    assert asked and str(asked[0].get("include_locale")) in ("1", "true", "True")

    # "How to block" answers with Slack's own German wording.
    button = next(b for b in buttons_of(nudge) if b["text"]["text"] == "So blockierst du")
    await live.slack.interaction(
        block_action(
            KID,
            button["action_id"],
            button["value"],
            live.fake.response_url(),
            channel="C0GENERAL",
            container_type="message",
        )
    )
    [answer] = await live.fake.wait_for_response()
    assert answer["text"].startswith("In Slack kann man niemanden blockieren")


async def test_child_without_a_locale_gets_english(live: Live) -> None:
    await play(live, TRAJECTORY)
    [nudge, *_] = await live.fake.wait_for("chat.postEphemeral", to_kid)
    assert not is_german(nudge.get("text"))
    assert "Report" in {b["text"]["text"] for b in buttons_of(nudge)}


async def test_nudge_still_goes_out_when_slack_will_not_say_the_language(live: Live) -> None:
    live.fake.locales[KID] = "de-DE"
    live.fake.fail_next("users.info", "missing_scope", times=50)
    await play(live, TRAJECTORY)
    [nudge, *_] = await live.fake.wait_for("chat.postEphemeral", to_kid)
    assert nudge.get("text") and not is_german(nudge.get("text"))
