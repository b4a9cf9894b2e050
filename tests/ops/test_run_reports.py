"""`nudgeguard run` as a real process reports: start-up summary, JSON event lines, metrics."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.slack.conftest import fake_slack  # noqa: F401 - the fixture
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import message_envelope
from tests.slack.test_slack_end_to_end import TRAJECTORY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def status(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


async def wait_ready(port: int, proc: asyncio.subprocess.Process) -> None:
    for _ in range(600):
        if proc.returncode is not None:
            return
        if (await asyncio.to_thread(status, port, "/readyz"))[0] == 200:
            return
        await asyncio.sleep(0.1)


async def test_run_logs_json_events_and_serves_health_and_metrics(
    fake_slack: FakeSlack,  # noqa: F811
    tmp_path: Path,
) -> None:
    port = free_port()
    config = tmp_path / "nudgeguard.yaml"
    config.write_text(
        "policy: default\n"
        f"metrics: {{host: 127.0.0.1, port: {port}}}\n"
        "slack:\n"
        "  mode: socket\n"
        f"  api_base_url: {fake_slack.base_url}\n"
        "  moderator_channel: C0MODS\n"
        "  moderator_users: [U0MOD]\n"
        "  ages: {minor: {users: [U0KID]}}\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUDGEGUARD_PSEUDONYM_KEY"}
    env |= {"SLACK_BOT_TOKEN": fake_slack.bot_token, "SLACK_APP_TOKEN": fake_slack.app_token}
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "nudgeguard", "run", "--config", str(config)),
        *("--store", str(tmp_path / "cases.sqlite3"), "--log-format", "json"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_slack.wait_for_socket(timeout=60)
        await wait_ready(port, proc)
        assert await asyncio.to_thread(status, port, "/healthz") == (200, "ok\n")
        assert (await asyncio.to_thread(status, port, "/readyz"))[0] == 200
        for i, (user, text) in enumerate(TRAJECTORY):
            envelope = {
                "envelope_id": f"run-{i}",
                "type": "events_api",
                "accepts_response_payload": False,
                "payload": message_envelope(user, text, f"{1700004000 + 60 * i}.000100"),
            }
            await fake_slack.push_socket(envelope)
            await fake_slack.wait_for_ack(f"run-{i}", timeout=30)
        await fake_slack.wait_for("chat.postEphemeral", lambda c: c.get("user") == "U0KID")
        await fake_slack.wait_for("chat.postMessage", lambda c: c.get("channel") == "C0MODS")
        _, metrics = await asyncio.to_thread(status, port, "/metrics")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert 'nudgeguard_nudges_total{audience="child"}' in metrics
    assert "nudgeguard_handle_seconds_count" in metrics
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    events = {line.get("event") for line in lines}
    assert {"startup", "nudge", "case_opened", "alert"} <= events, events
    startup = next(line for line in lines if line.get("event") == "startup")
    assert startup["adapters"] == "slack" and f"127.0.0.1:{port}" in startup["metrics"]
    assert "NUDGEGUARD_PSEUDONYM_KEY is not set" in startup["warnings"]
    everything = out.decode() + err.decode() + metrics
    for secret in (
        fake_slack.bot_token,
        fake_slack.app_token,
        "U0KID",
        *(t for _, t in TRAJECTORY),
    ):
        assert secret not in everything
