"""`nudgeguard slack manifest` and `nudgeguard slack doctor` as an admin runs them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from nudgeguard_slack.cli import cli_group
from nudgeguard_slack.manifest import BOT_SCOPES
from tests.slack.fake_slack import FakeSlack


def test_manifest_socket_mode_by_default() -> None:
    result = CliRunner().invoke(cli_group, ["manifest"])
    assert result.exit_code == 0
    data = yaml.safe_load(result.output)
    assert data["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in data["settings"]["event_subscriptions"]


def test_manifest_for_http_mode_sets_every_url() -> None:
    url = "https://safety.example.org/slack/events"
    result = CliRunner().invoke(cli_group, ["manifest", "--http-url", url])
    data = yaml.safe_load(result.output)
    assert data["settings"]["socket_mode_enabled"] is False
    assert data["settings"]["event_subscriptions"]["request_url"] == url
    assert data["settings"]["interactivity"]["request_url"] == url
    assert data["features"]["slash_commands"][0]["url"] == url
    bad = CliRunner().invoke(cli_group, ["manifest", "--http-url", "http://plain.example"])
    assert bad.exit_code != 0 and "https" in bad.output


async def doctor(fake: FakeSlack, tmp_path: Path, section: str, env: dict[str, str]) -> Result:
    config = tmp_path / "nudgeguard.yaml"
    config.write_text(f"slack:\n  api_base_url: {fake.base_url}\n{section}")
    runner = CliRunner()
    return await asyncio.to_thread(
        runner.invoke, cli_group, ["doctor", "--config", str(config)], env=env
    )


ENV = {"SLACK_BOT_TOKEN": "xoxb-fake-bot-token", "SLACK_APP_TOKEN": "xapp-fake-app-token"}


async def test_doctor_passes_on_a_complete_setup(fake_slack: FakeSlack, tmp_path: Path) -> None:
    fake_slack.granted_scopes = list(BOT_SCOPES)
    fake_slack.usergroup_handles["safety-team"] = "S0MODS"
    fake_slack.usergroups["S0MODS"] = ["U0MOD"]
    section = "  moderator_channel: C0MODS\n  moderator_usergroup: safety-team\n"
    result = await doctor(fake_slack, tmp_path, section, ENV)
    assert result.exit_code == 0, result.output
    assert "all scopes granted" in result.output
    assert "moderator group safety-team: 1 member(s)" in result.output
    assert "xoxb-fake-bot-token" not in result.output


async def test_doctor_names_missing_scopes_groups_and_channel(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.granted_scopes = ["chat:write", "channels:history"]
    section = "  moderator_usergroup: nobody-here\n"
    result = await doctor(fake_slack, tmp_path, section, ENV)
    assert result.exit_code == 1
    assert "usergroups:read" in result.output and "im:write" in result.output
    assert "moderator_channel is not set" in result.output
    assert "PROBLEM moderator group nobody-here" in result.output


async def test_doctor_reports_a_refused_token_without_printing_it(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = {**ENV, "SLACK_BOT_TOKEN": "xoxb-revoked-123"}
    result = await doctor(fake_slack, tmp_path, "", env)
    assert result.exit_code == 1
    assert "invalid_auth" in result.output
    assert "xoxb-revoked-123" not in result.output


def test_doctor_names_a_missing_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(cli_group, ["doctor"], env={"SLACK_BOT_TOKEN": ""})
    assert result.exit_code != 0
    assert "SLACK_BOT_TOKEN" in result.output
