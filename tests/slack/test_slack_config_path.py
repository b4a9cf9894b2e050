"""`nudgeguard run`'s path: the config file's slack: section builds a working adapter."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from nudgeguard.app import build_engine, load_adapter
from nudgeguard.config import load_config
from nudgeguard_slack import SlackAdapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SIGNING_SECRET, SlackSender, message_envelope


async def test_config_file_to_running_http_adapter(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake_slack.bot_token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    config = tmp_path / "nudgeguard.yaml"
    config.write_text(
        "policy: default\n"
        "slack:\n"
        "  mode: http\n"
        "  host: 127.0.0.1\n"
        "  port: 0\n"
        f"  api_base_url: {fake_slack.base_url}\n"
        "  moderator_channel: C0MODS\n"
        "  moderator_users: [U0MOD]\n"
    )
    engine = await build_engine(load_config(config), tmp_path / "cases.sqlite3")
    adapter = engine.adapters["slack"]
    assert isinstance(adapter, SlackAdapter)
    await engine.start(background=False)
    try:
        sender = SlackSender(f"http://127.0.0.1:{adapter.http_port}/slack/events")
        reply = await sender.event(message_envelope("U0ADULT", "hello all", "1700003000.000100"))
        assert reply.status == 200
        for _ in range(500):
            if engine.stats.events:
                break
            await asyncio.sleep(0.01)
        assert engine.stats.events == 1  # the event went through the configured adapter
    finally:
        await engine.stop()


def test_missing_secret_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    with pytest.raises(ValueError, match="SLACK_BOT_TOKEN"):
        load_adapter("slack", {"mode": "socket"})


def test_bad_section_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-x")
    with pytest.raises(ValueError, match=r"slack\.moderator_channel"):
        load_adapter("slack", {"moderator_channel": "#mods"})
