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


def _write_config(fake_slack: FakeSlack, tmp_path: Path) -> Path:
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
    return config


async def _start(fake_slack: FakeSlack, tmp_path: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_APP_TOKEN": fake_slack.app_token,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "nudgeguard",
        "run",
        "--config",
        str(_write_config(fake_slack, tmp_path)),
        "--store",
        str(tmp_path / "cases.sqlite3"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_nudgeguard_run_connects_over_socket_mode_and_stops_cleanly(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    proc = await _start(fake_slack, tmp_path)
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


async def test_a_crash_in_native_code_leaves_a_stack_without_secrets(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """A segfault (here: sent as a signal) prints where the bot was, never a token."""
    proc = await _start(fake_slack, tmp_path)
    try:
        await fake_slack.wait_for_socket(timeout=60)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGSEGV)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == -signal.SIGSEGV
    assert "Fatal Python error: Segmentation fault" in err.decode()
    assert "File " in err.decode()  # the Python stack, for the bug report
    for secret in (fake_slack.bot_token, fake_slack.app_token):
        assert secret not in out.decode() + err.decode()
