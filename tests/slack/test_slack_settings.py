"""The slack: config section is validated with errors that name the field, not secrets."""

from __future__ import annotations

import pytest

from nudgeguard_slack.settings import SlackSecrets, parse_settings


def test_defaults_are_socket_mode_on_loopback() -> None:
    s = parse_settings({})
    assert s.mode == "socket"
    assert s.host == "127.0.0.1"


def test_full_section_is_accepted_and_normalised() -> None:
    s = parse_settings(
        {
            "mode": "http",
            "host": "0.0.0.0",
            "port": 8080,
            "api_base_url": "http://127.0.0.1:9/api",
            "moderator_channel": "C0MODS",
            "moderator_usergroup": "@safety-team",
            "helpline_country": "gb",
            "ages": {"minor": {"groups": ["students", "S0KIDS"]}, "adult": {"users": ["U0ADMIN"]}},
        }
    )
    assert s.api_base_url == "http://127.0.0.1:9/api/"
    assert s.moderator_usergroup == "safety-team"
    assert s.helpline_country == "GB"
    assert s.ages["minor"].groups == ("students", "S0KIDS")


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ({"mode": "webhook"}, "slack.mode"),
        ({"port": 70000}, "slack.port"),
        ({"moderator_channel": "#mods"}, "slack.moderator_channel"),
        ({"moderator_usergroup": "Safety Team!"}, "slack.moderator_usergroup"),
        ({"moderator_users": ["@bob"]}, "slack.moderator_users"),
        ({"ages": {"teen": {"users": ["U1"]}}}, "slack.ages"),
        ({"ages": {"minor": {"users": ["bob"]}}}, "slack.ages.minor.users"),
        ({"api_base_url": "ftp://x"}, "slack.api_base_url"),
        ({"bot_token": "xoxb-should-not-be-here"}, "slack.bot_token"),
    ],
)
def test_bad_sections_name_the_field(section: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field) as err:
        parse_settings(section)
    assert "xoxb-should-not-be-here" not in str(err.value)


def test_secrets_come_from_the_environment_and_never_print() -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-secret-1", "SLACK_APP_TOKEN": "xapp-secret-2"}
    secrets = SlackSecrets.from_env("socket", env)
    assert secrets.bot_token.get_secret_value() == "xoxb-secret-1"
    shown = f"{secrets!r} {secrets}"
    assert "secret-1" not in shown and "secret-2" not in shown


@pytest.mark.parametrize(
    ("mode", "env", "missing"),
    [
        ("socket", {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
        ("http", {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ("http", {"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ],
)
def test_missing_secret_names_the_variable(mode: str, env: dict[str, str], missing: str) -> None:
    with pytest.raises(ValueError, match=missing) as err:
        SlackSecrets.from_env(mode, env)  # type: ignore[arg-type]
    assert "xoxb-1" not in str(err.value)


def test_http_mode_without_a_signing_secret_is_refused() -> None:
    from pydantic import SecretStr

    from nudgeguard_slack import SlackAdapter, SlackSettings

    with pytest.raises(ValueError, match="SLACK_SIGNING_SECRET"):
        SlackAdapter(SlackSettings(mode="http"), SlackSecrets(bot_token=SecretStr("xoxb-1")))
