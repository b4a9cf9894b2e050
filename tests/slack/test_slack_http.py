"""HTTP Events API mode over real loopback HTTP: signed requests in, Web API calls out."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from nudgeguard import Delivery, ModeratorAction, Nudge, NudgeAction, NudgeButton
from nudgeguard.cases.model import EvidenceMessage
from nudgeguard_slack.alerts import alert_blocks
from tests.slack.conftest import HttpSetup, make_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import block_action, message_envelope, message_shortcut, slash_command
from tests.slack.payloads import load
from tests.slack.recording_engine import Check
from tests.slack.test_slack_blocks import make_alert


async def test_url_verification_echoes_the_challenge(http_setup: HttpSetup) -> None:
    body = load("url_verification")
    reply = await http_setup.slack.event(body)
    assert reply.status == 200
    assert body["challenge"] in reply.text


async def test_ssl_check_is_answered(http_setup: HttpSetup) -> None:
    reply = await http_setup.slack.form({"ssl_check": "1", "token": "unused"})
    assert reply.status == 200


async def test_bad_signature_is_refused_and_nothing_reaches_the_engine(
    http_setup: HttpSetup,
) -> None:
    envelope = message_envelope("U0ADULT", "hello there", "1700000201.000100")
    reply = await http_setup.slack.event(envelope, signature="v0=" + "0" * 64)
    assert reply.status == 401
    forged = await http_setup.slack.interaction(
        block_action("U0MOD", "ng_mod_dismiss", "case-1", http_setup.fake.response_url()),
        signature="v0=deadbeef",
    )
    assert forged.status == 401
    other_secret = type(http_setup.slack)(http_setup.slack.url, secret="not-the-secret")
    assert (await other_secret.event(envelope)).status == 401
    # a correctly signed request afterwards is the only thing the engine sees
    await http_setup.slack.event(message_envelope("U0ADULT", "signed", "1700000201.000200"))
    events = await http_setup.engine.wait("events")
    assert [e.text for e in events] == ["signed"]
    assert http_setup.engine.moderations == []


async def test_stale_timestamp_is_refused(http_setup: HttpSetup) -> None:
    envelope = message_envelope("U0ADULT", "hello there", "1700000202.000100")
    reply = await http_setup.slack.event(envelope, timestamp=int(time.time()) - 10 * 60)
    assert reply.status == 401
    ok = await http_setup.slack.event(envelope)
    assert ok.status == 200
    events = await http_setup.engine.wait("events")
    assert [e.message_id for e in events] == ["1700000202.000100"]


async def test_messages_reach_the_engine_but_own_and_bot_messages_do_not(
    http_setup: HttpSetup,
) -> None:
    for name in ("own_message", "bot_message", "app_bot_message"):
        assert (await http_setup.slack.event(load(name))).status == 200
    await http_setup.slack.event(load("thread_reply"))
    events = await http_setup.engine.wait("events")
    assert len(events) == 1
    assert events[0].conversation_id == "C0GENERAL/1700000101.000200"


async def test_malformed_event_is_refused_and_ignored(http_setup: HttpSetup) -> None:
    reply = await http_setup.slack.post(b'{"type": "event_callback", "event": ', "application/json")
    assert reply.status == 400
    envelope = message_envelope("U0ADULT", "x", "1700000203.000100")
    envelope["event"]["ts"] = {"nested": True}
    assert (await http_setup.slack.event(envelope)).status == 400
    await http_setup.slack.event(message_envelope("U0ADULT", "fine", "1700000204.000100"))
    events = await http_setup.engine.wait("events")
    assert [e.text for e in events] == ["fine"]


async def _posted_alert(setup: HttpSetup) -> dict[str, object]:
    ref = await setup.adapter.send_alert(make_alert())
    assert ref is not None
    channel, ts = ref.split("/")
    return {"ts": ts, "blocks": alert_blocks(make_alert()), "channel": channel}


async def test_moderator_click_updates_the_alert(http_setup: HttpSetup) -> None:
    message = await _posted_alert(http_setup)
    click = block_action(
        "U0MOD", "ng_mod_acknowledge", "case-7", http_setup.fake.response_url(), message=message
    )
    assert (await http_setup.slack.interaction(click)).status == 200
    update = (await http_setup.fake.wait_for("chat.update"))[0]
    assert update.get("ts") == message["ts"]
    assert "Acknowledged" in json.dumps(update.get("blocks"))
    assert http_setup.engine.moderations == [("case-7", ModeratorAction.ACKNOWLEDGE, "U0MOD", True)]


async def test_non_moderator_click_is_refused_recorded_and_answered_privately(
    http_setup: HttpSetup,
) -> None:
    message = await _posted_alert(http_setup)
    click = block_action(
        "U0ADULT", "ng_mod_dismiss", "case-7", http_setup.fake.response_url(), message=message
    )
    await http_setup.slack.interaction(click)
    refusal = (await http_setup.fake.wait_for("chat.postEphemeral"))[0]
    assert refusal.get("user") == "U0ADULT"
    assert "safety team" in refusal.get("text")
    assert http_setup.engine.moderations == [("case-7", ModeratorAction.DISMISS, "U0ADULT", False)]
    assert http_setup.fake.calls_to("chat.update") == []


async def test_show_evidence_goes_only_to_the_moderator_who_asked(
    http_setup: HttpSetup,
) -> None:
    http_setup.engine.evidence = (
        EvidenceMessage(message_id="1", author="p_1", ts=1700000100, text="keep it quiet ok"),
    )
    message = await _posted_alert(http_setup)
    posts_before = len(http_setup.fake.calls_to("chat.postMessage"))
    click = block_action(
        "U0MOD", "ng_mod_show_evidence", "case-7", http_setup.fake.response_url(), message=message
    )
    await http_setup.slack.interaction(click)
    shown = (await http_setup.fake.wait_for("chat.postEphemeral"))[0]
    assert shown.get("user") == "U0MOD"
    assert "keep it quiet ok" in json.dumps(shown.get("blocks"))
    assert len(http_setup.fake.calls_to("chat.postMessage")) == posts_before
    alert_post = http_setup.fake.calls_to("chat.postMessage")[0]
    assert "keep it quiet" not in json.dumps(alert_post.params)


async def test_nudge_button_answers_the_child_privately(http_setup: HttpSetup) -> None:
    nudge = Nudge(
        nudge_id="n1",
        audience="child",
        recipient_id="U0KID",
        platform="slack",
        community_id="T0TEAM",
        conversation_id="C0GENERAL",
        delivery=(Delivery.EPHEMERAL,),
        text="Check in",
        buttons=(NudgeButton(action=NudgeAction.SAFETY_TIPS, label="Safety tips"),),
        family="generic",
        followup={"safety_tips": "Here are some tips."},
    )
    await http_setup.adapter.send_nudge(nudge)
    sent = (await http_setup.fake.wait_for("chat.postEphemeral"))[0]
    button = sent.get("blocks")[1]["elements"][0]
    click = block_action(
        "U0KID",
        button["action_id"],
        button["value"],
        http_setup.fake.response_url("kid"),
        channel="C0GENERAL",
        container_type="message",
    )
    await http_setup.slack.interaction(click)
    (answer,) = await http_setup.fake.wait_for_response()
    assert answer["text"] == "engine answer to safety_tips"
    assert answer["response_type"] == "ephemeral"
    [(nudge_id, action, user, where)] = http_setup.engine.presses
    assert (nudge_id, action, user) == ("n1", "safety_tips", "U0KID")
    assert where == {
        "platform": "slack",
        "community_id": "T0TEAM",
        "case_id": None,
        "locale": "en",
        "conversation_id": "C0GENERAL",
    }


async def test_safety_status_and_mode_permissions(http_setup: HttpSetup) -> None:
    fake = http_setup.fake
    await http_setup.slack.form(slash_command("U0KID", "status", fake.response_url("a")))
    (status,) = await fake.wait_for_response(1)
    assert "observe" in status["text"] and "Open safety cases: *2*" in status["text"]
    assert status["response_type"] == "ephemeral"

    await http_setup.slack.form(slash_command("U0KID", "mode live", fake.response_url("b")))
    refused = (await fake.wait_for_response(2))[1]
    assert "safety team can change the mode" in refused["text"]
    assert http_setup.engine.modes == {}

    await http_setup.slack.form(slash_command("U0MOD", "mode live", fake.response_url("c")))
    done = (await fake.wait_for_response(3))[2]
    assert "live" in done["text"]
    assert http_setup.engine.modes == {"T0TEAM": "live"}


async def test_check_this_message_shortcut_answers_privately_with_context(
    http_setup: HttpSetup,
) -> None:
    fake = http_setup.fake
    fake.history["C0GENERAL"] = [
        {"type": "message", "user": "U0ADULT", "text": "earlier one", "ts": "1700000300.000100"},
        {"type": "message", "user": "U0KID", "text": "earlier two", "ts": "1700000301.000100"},
    ]
    http_setup.engine.check_result = Check("review", None, "case-9", ("secrecy request",))
    message = {"type": "message", "user": "U0ADULT", "text": "the one", "ts": "1700000302.000100"}
    await http_setup.slack.interaction(message_shortcut("U0KID", message, fake.response_url()))
    (answer,) = await fake.wait_for_response()
    event, context, requester = http_setup.engine.checks[0]
    assert (event.text, requester) == ("the one", "U0KID")
    assert [c.text for c in context] == ["earlier one", "earlier two"]
    assert answer["response_type"] == "ephemeral"
    assert "moderator" in answer["text"] and "secrecy request" in answer["text"]


async def test_listed_moderator_without_group_may_act(fake_slack: FakeSlack) -> None:
    adapter = make_adapter(fake_slack, moderator_usergroup=None, moderator_users=["U0LEAD"])
    assert await adapter.is_moderator("U0LEAD")
    assert not await adapter.is_moderator("U0MOD")
    assert fake_slack.calls_to("usergroups.users.list") == []


async def test_slack_retries_of_the_same_event_are_scored_once(http_setup: HttpSetup) -> None:
    envelope = message_envelope("U0ADULT", "first", "1700000501.000100")
    await http_setup.slack.event(envelope)
    await http_setup.slack.event(envelope)  # Slack retried: same event_id
    await http_setup.slack.event(message_envelope("U0ADULT", "second", "1700000502.000100"))
    await http_setup.engine.wait("events", 2)
    for _ in range(100):
        if http_setup.adapter.received == 3:
            break
        await asyncio.sleep(0.01)
    assert http_setup.adapter.received == 3
    assert [e.text for e in http_setup.engine.events] == ["first", "second"]


async def test_check_shortcut_in_a_thread_reads_the_thread_for_context(
    http_setup: HttpSetup,
) -> None:
    fake = http_setup.fake
    fake.history["C0GENERAL"] = [
        {"type": "message", "user": "U0KID", "text": "parent", "ts": "1700000600.000100"},
        {
            "type": "message",
            "user": "U0ADULT",
            "text": "in thread",
            "ts": "1700000601.000100",
            "thread_ts": "1700000600.000100",
        },
        {"type": "message", "user": "U0OTHER", "text": "elsewhere", "ts": "1700000601.000200"},
    ]
    message = {
        "type": "message",
        "user": "U0ADULT",
        "text": "the one",
        "ts": "1700000602.000100",
        "thread_ts": "1700000600.000100",
    }
    await http_setup.slack.interaction(message_shortcut("U0KID", message, fake.response_url()))
    (answer,) = await fake.wait_for_response()
    event, context, _ = http_setup.engine.checks[0]
    assert event.conversation_id == "C0GENERAL/1700000600.000100"
    assert "elsewhere" not in [c.text for c in context]
    assert [c.text for c in context] == ["parent", "in thread"]
    assert fake.calls_to("conversations.replies")
    assert "didn't find warning signs" in answer["text"]


async def test_check_shortcut_on_a_bot_message_says_so(http_setup: HttpSetup) -> None:
    fake = http_setup.fake
    message = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B0X",
        "text": "beep",
        "ts": "1700000700.000100",
    }
    await http_setup.slack.interaction(message_shortcut("U0KID", message, fake.response_url()))
    (answer,) = await fake.wait_for_response()
    assert "people wrote" in answer["text"]
    assert http_setup.engine.checks == []


async def test_check_shortcut_on_a_bot_message_answers_in_the_askers_language(
    http_setup: HttpSetup,
) -> None:
    fake = http_setup.fake
    fake.locales["U0KID"] = "fr-FR"
    message = {"type": "message", "subtype": "bot_message", "bot_id": "B0X", "text": "beep"}
    message["ts"] = "1700000700.000100"
    await http_setup.slack.interaction(message_shortcut("U0KID", message, fake.response_url()))
    (answer,) = await fake.wait_for_response()
    assert answer["text"] == "Je peux seulement vérifier les messages écrits par des personnes."
    assert http_setup.engine.checks == []


def _nudge_with(*buttons: NudgeButton, case_id: str | None = None) -> Nudge:
    return Nudge(
        nudge_id="n2",
        audience="child",
        recipient_id="U0KID",
        platform="slack",
        community_id="T0TEAM",
        conversation_id="C0GENERAL/1700000101.000200",
        delivery=(Delivery.EPHEMERAL,),
        text="Check in",
        buttons=buttons,
        family="generic",
        case_id=case_id,
        followup={"how_to_block": "Open their profile and choose Block."},
    )


async def _click(setup: HttpSetup, index: int, user: str = "U0KID") -> dict[str, object]:
    sent = setup.fake.calls_to("chat.postEphemeral")[-1]
    button = sent.get("blocks")[1]["elements"][index]
    before = len(setup.fake.responses)
    click = block_action(
        user,
        button["action_id"],
        button["value"],
        setup.fake.response_url("kid"),
        channel="C0GENERAL",
    )
    await setup.slack.interaction(click)
    return (await setup.fake.wait_for_response(before + 1))[-1]


async def test_report_goes_to_the_engine_and_nothing_is_posted_directly(
    http_setup: HttpSetup,
) -> None:
    await http_setup.adapter.send_nudge(
        _nudge_with(NudgeButton(action=NudgeAction.REPORT, label="Report"), case_id="case-3")
    )
    answer = await _click(http_setup, 0)
    assert answer["text"] == "engine answer to report"
    assert answer["response_type"] == "ephemeral"
    [(nudge_id, action, user, where)] = http_setup.engine.presses
    assert (nudge_id, action, user, where["case_id"]) == ("n2", "report", "U0KID", "case-3")
    # Moderators hear of it only through the engine (the case's alert, via the outbox).
    assert http_setup.fake.calls_to("chat.postMessage") == []


async def test_a_malformed_button_value_is_ignored(http_setup: HttpSetup) -> None:
    for value in ("not json", "[]", '{"a": 1}', "", "{" * 5000):
        click = block_action(
            "U0KID",
            "ng_nudge_report",
            value,
            http_setup.fake.response_url("kid"),
            channel="C0GENERAL",
        )
        assert (await http_setup.slack.interaction(click)).status == 200
    # Still answering: a good press after the bad ones reaches the engine first.
    await http_setup.adapter.send_nudge(
        _nudge_with(NudgeButton(action=NudgeAction.REPORT, label="Report"))
    )
    await _click(http_setup, 0)
    assert [p[1] for p in http_setup.engine.presses] == ["report"]
    assert http_setup.fake.calls_to("chat.postMessage") == []


async def test_busy_slack_on_update_still_tells_the_moderator(http_setup: HttpSetup) -> None:
    message = await _posted_alert(http_setup)
    http_setup.fake.ratelimit_next("chat.update")
    click = block_action(
        "U0MOD", "ng_mod_acknowledge", "case-7", http_setup.fake.response_url(), message=message
    )
    await http_setup.slack.interaction(click)
    told = await http_setup.fake.wait_for("chat.postEphemeral", lambda c: c.get("user") == "U0MOD")
    assert "Recorded on the case" in told[0].get("text")
    assert http_setup.engine.moderations[0][3] is True


async def test_a_slow_message_is_not_overtaken_by_the_next_one(
    http_setup: HttpSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = http_setup.adapter
    translate = adapter.translate

    async def slow_first(body: Any) -> Any:
        if body["event"]["text"] == "line 0":
            await asyncio.sleep(0.2)  # e.g. a user-group lookup waiting on Slack
        return await translate(body)

    monkeypatch.setattr(adapter, "translate", slow_first)
    for i in range(3):
        await http_setup.slack.event(
            message_envelope("U0ADULT", f"line {i}", f"17000008{i:02d}.000100")
        )
    events = await http_setup.engine.wait("events", 3)
    assert [e.text for e in events] == ["line 0", "line 1", "line 2"]


async def test_check_shortcut_answers_in_the_askers_slack_language(http_setup: HttpSetup) -> None:
    fake = http_setup.fake
    fake.locales["U0KID"] = "pt-BR"
    message = {"type": "message", "user": "U0ADULT", "text": "gg", "ts": "1700000700.000100"}
    await http_setup.slack.interaction(message_shortcut("U0KID", message, fake.response_url()))
    (answer,) = await fake.wait_for_response()
    assert answer["text"].startswith("Não encontrei sinais de alerta")
