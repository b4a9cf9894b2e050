"""``nudgeguard -v run`` on Slack (Socket Mode, a real process) logs no text, ids or tokens.

slack-sdk's Socket Mode client logs every frame it receives at DEBUG (message text, user,
channel and team ids), and the Web API client logs request bodies; the command line's
logging setup must keep all of it out of the log at every verbosity.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import message_envelope

KID, ADULT = "U07KIDQ3XP", "U07ADLT9ZQ"
BOT_TOKEN = "xoxb-2718281828-3141592653-AbCdEfGhIjKlMnOpQrStUvWx"
APP_TOKEN = "xapp-1-A01B2C3D4E5-6789012345-0123456789abcdef0123456789abcdef"
LINES = [
    (ADULT, f"hey <@{KID}> marmalade comet, how old are you?"),
    (KID, "im 12 said the lighthouse"),
    (ADULT, "this stays just between us ok, dont tell anyone"),
    (ADULT, "add me on snap so we can talk privately"),
    (ADULT, "we could meet at the park, dont bring anyone"),
]


async def test_verbose_slack_run_logs_no_text_ids_or_tokens(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.bot_token, fake_slack.app_token = BOT_TOKEN, APP_TOKEN
    config = tmp_path / "nudgeguard.yaml"
    config.write_text(
        "policy: default\n"
        "slack:\n"
        "  mode: socket\n"
        f"  api_base_url: {fake_slack.base_url}\n"
        "  moderator_channel: C0MODS\n"
        "  moderator_users: [U0MOD]\n"
        f"  ages: {{minor: {{users: [{KID}]}}}}\n"
    )
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "nudgeguard",
        "-v",
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
        for i, (user, text) in enumerate(LINES):
            envelope_id = f"logs-{i}"
            envelope = {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "payload": message_envelope(user, text, f"{1700004000 + 60 * i}.000100"),
            }
            await fake_slack.push_socket(envelope)
            await fake_slack.wait_for_ack(envelope_id, timeout=30)
        await fake_slack.wait_for("chat.postEphemeral", lambda c: c.get("user") == KID)
        await fake_slack.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()[-2000:]
    logged = out.decode() + err.decode()
    assert "running: slack" in logged
    for secret in [text for _, text in LINES] + [KID, ADULT, BOT_TOKEN, APP_TOKEN]:
        assert secret not in logged, "the verbose log carries a payload"
    for word in ("marmalade", "lighthouse", "2718281828", "0123456789abcdef"):
        assert word not in logged
