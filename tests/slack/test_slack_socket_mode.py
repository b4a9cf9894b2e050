"""Socket Mode: the real SocketModeClient connects to the fake and receives envelopes."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator

import pytest

from nudgeguard_slack import SlackAdapter
from nudgeguard_slack.alerts import alert_blocks
from tests.payload_mutations import mutate
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import block_action, message_envelope, slash_command
from tests.slack.recording_engine import RecordingEngine
from tests.slack.test_slack_blocks import make_alert


@contextlib.asynccontextmanager
async def connected(fake_slack: FakeSlack) -> AsyncIterator[tuple[SlackAdapter, RecordingEngine]]:
    """The real adapter in Socket Mode, connected to the fake; stopped afterwards."""
    adapter = make_adapter(fake_slack, mode="socket")
    engine = RecordingEngine()
    adapter.bind(engine)  # type: ignore[arg-type]
    await adapter.start()
    try:
        await fake_slack.wait_for_socket()
        yield adapter, engine
    finally:
        await adapter.stop()


async def test_socket_mode_delivers_events_and_clicks(fake_slack: FakeSlack) -> None:
    fake_slack.usergroups["S0MODS"] = ["U0MOD"]
    async with connected(fake_slack) as (adapter, engine):
        assert {c.token for c in fake_slack.calls_to("apps.connections.open")} == {
            fake_slack.app_token
        }

        await fake_slack.push_socket(
            {
                "envelope_id": "env-1",
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
                "payload": message_envelope("U0ADULT", "over the socket", "1700000401.000100"),
            }
        )
        assert (await fake_slack.wait_for_ack("env-1"))["envelope_id"] == "env-1"
        (event,) = await engine.wait("events")
        assert event.text == "over the socket"

        ref = await adapter.send_alert(make_alert())
        assert ref is not None
        message = {"ts": ref.split("/")[1], "blocks": alert_blocks(make_alert())}
        await fake_slack.push_socket(
            {
                "envelope_id": "env-2",
                "type": "interactive",
                "accepts_response_payload": False,
                "payload": block_action(
                    "U0MOD", "ng_mod_confirm", "case-7", fake_slack.response_url(), message=message
                ),
            }
        )
        await fake_slack.wait_for_ack("env-2")
        await fake_slack.wait_for("chat.update")
        assert engine.moderations[0][3] is True

        command = slash_command("U0MOD", "mode live", fake_slack.response_url("cmd"))
        await fake_slack.push_socket(
            {
                "envelope_id": "env-3",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command,
            }
        )
        await fake_slack.wait_for_ack("env-3")
        (answer,) = await fake_slack.wait_for_response()
        assert "live" in answer["text"]
        assert engine.modes == {"T0TEAM": "live"}


async def test_refused_app_token_is_a_clear_start_error(fake_slack: FakeSlack) -> None:
    adapter = make_adapter(fake_slack, mode="socket")
    adapter.bind(RecordingEngine())  # type: ignore[arg-type]
    fake_slack.app_token = "xapp-rotated"
    with pytest.raises(ValueError, match="invalid_auth") as err:
        await adapter.start()
    assert "xapp-rotated" not in str(err.value)
    assert "xapp-fake-app-token" not in str(err.value)
    await adapter.stop()


async def test_damaged_envelopes_never_stop_the_socket(fake_slack: FakeSlack) -> None:
    async with connected(fake_slack) as (_adapter, engine):
        good = {
            "envelope_id": "env-ok",
            "type": "events_api",
            "accepts_response_payload": False,
            "payload": message_envelope("U0ADULT", "still listening", "1700000402.000100"),
        }
        rng = random.Random(5)
        for frame in ("not json", "[]", "null", '{"type": "events_api"}', '"x"'):
            await fake_slack.push_raw(frame)
        for n in range(40):
            await fake_slack.push_socket(mutate({**good, "envelope_id": f"env-{n}"}, rng))
        await fake_slack.push_socket(good)
        await fake_slack.wait_for_ack("env-ok")
        for count in range(1, 50):  # damaged envelopes may have made events of their own
            events = await engine.wait("events", count)
            if "still listening" in [e.text for e in events]:
                break
        else:
            raise AssertionError("the valid envelope never reached the engine")
