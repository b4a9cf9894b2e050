"""``nudgeguard slack ...``: helper commands for workspace admins.

Loaded by the core CLI through the ``nudgeguard.cli`` entry point; exposes
:data:`cli_group`. Nothing here prints a token or a secret.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click
from slack_sdk.web.async_client import AsyncWebClient

from nudgeguard_slack.delivery import SlackCallError, call_slack
from nudgeguard_slack.directory import GroupDirectory, GroupLookupError
from nudgeguard_slack.manifest import APP_TOKEN_SCOPE, BOT_SCOPES, manifest_yaml
from nudgeguard_slack.settings import (
    BOT_TOKEN_ENV,
    SlackSecrets,
    SlackSettings,
    parse_settings,
)


@click.group(name="slack")
def cli_group() -> None:
    """Slack adapter helpers."""


@cli_group.command(name="manifest")
@click.option(
    "--http-url",
    help="Public HTTPS URL of the events endpoint (HTTP mode); omit for Socket Mode.",
)
def manifest_command(http_url: str | None) -> None:
    """Print the app manifest to paste into https://api.slack.com/apps."""
    if http_url is not None and not http_url.startswith("https://"):
        raise click.BadParameter("Slack only calls https:// URLs", param_hint="--http-url")
    click.echo(manifest_yaml(http_url), nl=False)


@cli_group.command(name="doctor")
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Config file whose slack: section to check (default: an empty section).",
)
def doctor_command(config_path: Path | None) -> None:
    """Check tokens, granted scopes and user groups against Slack. Exit 1 on problems."""
    try:
        settings = parse_settings(_section(config_path))
        secrets = SlackSecrets.from_env(settings.mode)
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    problems = asyncio.run(_doctor(settings, secrets))
    if problems:
        raise click.ClickException(f"{problems} problem(s) found")
    click.echo("all checks passed")


def _section(config_path: Path | None) -> dict[str, Any]:
    if config_path is None:
        return {}
    from nudgeguard import load_config

    return load_config(config_path).adapter_sections.get("slack", {})


async def _doctor(settings: SlackSettings, secrets: SlackSecrets) -> int:
    kwargs: dict[str, Any] = {"token": secrets.bot_token.get_secret_value()}
    if settings.api_base_url:
        kwargs["base_url"] = settings.api_base_url
    client = AsyncWebClient(**kwargs)
    problems = 0

    def report(ok: bool, text: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        click.echo(("ok      " if ok else "PROBLEM ") + text)

    try:
        resp = await call_slack("auth.test", client.auth_test)
    except Exception as err:
        reason = err.error if isinstance(err, SlackCallError) else type(err).__name__
        report(False, f"{BOT_TOKEN_ENV} was refused by Slack ({reason})")
        return problems
    report(True, f"bot token accepted for workspace {resp.get('team')!s}")
    granted = _granted_scopes(resp)
    if granted is not None:
        missing = [s for s in BOT_SCOPES if s not in granted]
        report(
            not missing,
            "all scopes granted"
            if not missing
            else f"missing scopes {missing}: update the app from the manifest and reinstall",
        )
    if settings.mode == "socket":
        click.echo(f"note    the app-level token needs the {APP_TOKEN_SCOPE} scope")
    report(
        settings.moderator_channel is not None,
        "moderator channel configured"
        if settings.moderator_channel
        else "slack.moderator_channel is not set: alerts cannot be delivered",
    )
    groups = GroupDirectory(client, ttl=0)
    refs = [("moderator", settings.moderator_usergroup)] if settings.moderator_usergroup else []
    refs += [(f"{band} age", ref) for band, sel in settings.ages.items() for ref in sel.groups]
    for what, ref in refs:
        try:
            members = await groups.members(ref)
            report(bool(members), f"{what} group {ref}: {len(members)} member(s)")
        except GroupLookupError as err:
            report(False, f"{what} group {ref}: {err}")
    if not settings.moderator_usergroup and not settings.moderator_users:
        report(False, "no moderators configured: nobody can act on cases")
    return problems


def _granted_scopes(resp: Any) -> set[str] | None:
    headers = getattr(resp, "headers", None) or {}
    for key, value in dict(headers).items():
        if str(key).lower() == "x-oauth-scopes":
            return {s.strip() for s in str(value).split(",") if s.strip()}
    return None


__all__ = ["cli_group"]
