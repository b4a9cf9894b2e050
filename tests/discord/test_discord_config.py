"""Config validation, the token from the environment, role mapping, and the invite URL."""

from __future__ import annotations

import base64

import pytest
from click.testing import CliRunner

import discord
from nudgeguard.inbox.events import AgeBand
from nudgeguard_discord import DiscordAdapter, DiscordSettings, required_permissions
from nudgeguard_discord.cli import cli_group, client_id_from_token

GUILD = "123456789012345678"
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.secret-part.more-secret"


def test_token_comes_from_the_environment_and_stays_hidden() -> None:
    settings = DiscordSettings.from_section({}, environ={"DISCORD_TOKEN": TOKEN})
    assert settings.token is not None
    assert settings.token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())


def test_token_in_the_file_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="DISCORD_TOKEN") as caught:
        DiscordSettings.from_section({"token": TOKEN}, environ={})
    assert TOKEN not in str(caught.value)


def test_custom_token_variable() -> None:
    settings = DiscordSettings.from_section({"token_env": "MY_BOT"}, environ={"MY_BOT": "abc"})
    assert settings.token is not None and settings.token.get_secret_value() == "abc"


def test_from_config_builds_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    adapter = DiscordAdapter.from_config({"guilds": {GUILD: {"moderator_channel_id": 1}}})
    assert adapter.settings.guild(GUILD).moderator_channel_id == 1
    assert adapter.capabilities.direct_message and not adapter.capabilities.ephemeral


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ({"guilds": {"my-server": {}}}, "guilds"),
        ({"guilds": {GUILD: {"country": "Narnia"}}}, "country"),
        ({"guilds": {GUILD: {"age_roles": {"Kids": "child"}}}}, "age_roles"),
        ({"guilds": {GUILD: {"moderator_channel": 5}}}, "moderator_channel"),
        ({"dedupe_size": 3}, "dedupe_size"),
        ({"ready_timeout": float("inf")}, "ready_timeout"),
    ],
)
def test_invalid_sections_name_the_field(section: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        DiscordSettings.from_section(section, environ={})


def test_role_mapping_by_name_or_id_minor_wins() -> None:
    settings = DiscordSettings.from_section(
        {
            "guilds": {
                GUILD: {
                    "age_roles": {"Under 18": "minor", 555: "adult", "Verified Adult": "ADULT"},
                    "country": "uk",
                }
            }
        },
        environ={},
    )
    guild = settings.guild(GUILD)
    assert guild.country == "GB"
    assert guild.age_for_roles([], ["under 18"]) is AgeBand.MINOR
    assert guild.age_for_roles([555], ["Gamers"]) is AgeBand.ADULT
    assert guild.age_for_roles([555], ["Under 18"]) is AgeBand.MINOR
    assert guild.age_for_roles([1], ["Gamers"]) is AgeBand.UNKNOWN
    assert settings.guild("999999999999999999").age_for_roles([555], []) is AgeBand.UNKNOWN


def test_moderator_roles_by_name_or_id() -> None:
    settings = DiscordSettings.from_section(
        {"guilds": {GUILD: {"moderator_roles": ["Mods", 777]}}}, environ={}
    )
    guild = settings.guild(GUILD)
    assert guild.is_moderator_role([], ["mods"])
    assert guild.is_moderator_role([777], [])
    assert not guild.is_moderator_role([1], ["Members"])


def test_required_permissions_are_exactly_what_is_used() -> None:
    perms = required_permissions()
    enabled = {name for name, on in perms if on}
    assert enabled == {
        "read_messages",
        "read_message_history",
        "send_messages",
        "send_messages_in_threads",
        "embed_links",
        "manage_messages",
        "moderate_members",
    }
    assert not perms.administrator and not perms.ban_members and not perms.kick_members


def test_invite_url_command() -> None:
    runner = CliRunner()
    result = runner.invoke(cli_group, ["invite-url", "--client-id", GUILD], env={})
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("https://discord.com/oauth2/authorize?")
    assert f"client_id={GUILD}" in url
    assert f"permissions={required_permissions().value}" in url
    assert "scope=bot+applications.commands" in url
    assert discord.Permissions(required_permissions().value).moderate_members


def test_invite_url_reads_the_id_from_the_token_without_printing_it() -> None:
    token = base64.b64encode(GUILD.encode()).decode().rstrip("=") + ".x.y"
    assert client_id_from_token(token) == GUILD
    result = CliRunner().invoke(cli_group, ["invite-url"], env={"DISCORD_TOKEN": token})
    assert result.exit_code == 0
    assert f"client_id={GUILD}" in result.output
    assert token not in result.output


def test_invite_url_without_any_id_explains_what_to_do() -> None:
    env = {"DISCORD_TOKEN": "", "DISCORD_CLIENT_ID": "", "DISCORD_APPLICATION_ID": ""}
    result = CliRunner().invoke(cli_group, ["invite-url"], env=env)
    assert result.exit_code != 0
    assert "--client-id" in result.output


def test_core_cli_lists_the_discord_group() -> None:
    from nudgeguard.cli import main

    result = CliRunner().invoke(main, ["discord", "--help"])
    assert result.exit_code == 0
    assert "invite-url" in result.output
