"""`nudgeguard run --config FILE` as a real process, in Socket Mode against the fake Slack."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import message_envelope
from tests.slack.test_slack_end_to_end import TRAJECTORY


async def test_nudgeguard_run_connects_over_socket_mode_and_stops_cleanly(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    config = tmp_path / "nudgeguard.yaml"
    config.write_text(
        "policy: default\n"
        "slack:\n"
        "  mode: socket\n"
        f"  api_base_url: {fake_slack.base_url}\n"
        "  moderator_channel: C0MODS\n"
        "  moderator_users: [U0MOD]\n"
        "  ages: {minor: {users: [U0KID]}}\n"
    )
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_APP_TOKEN": fake_slack.app_token,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "nudgeguard",
        "run",
        "--config",
        str(config),
        "--store",
        str(tmp_path / "cases.sqlite3"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_slack.wait_for_socket(timeout=60)
        for i, (user, text) in enumerate(TRAJECTORY):
            envelope_id = f"run-{i}"
            ts = f"{1700004000 + 60 * i}.000100"
            envelope = {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "payload": message_envelope(user, text, ts),
            }
            await fake_slack.push_socket(envelope)
            await fake_slack.wait_for_ack(envelope_id, timeout=30)
        # the process scored the conversation: a private nudge and a moderator alert went out
        await fake_slack.wait_for("chat.postEphemeral", lambda c: c.get("user") == "U0KID")
        await fake_slack.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert "running: slack" in out.decode()
    for secret in (fake_slack.bot_token, fake_slack.app_token):
        assert secret not in out.decode() + err.decode()
