"""``nudgeguard discord ...``: helper commands for community admins.

Loaded by the core CLI through the ``nudgeguard.cli`` entry point (only when discord.py is
installed); exposes :data:`cli_group`.
"""

from __future__ import annotations

import base64
import binascii
import os

import click

from nudgeguard_discord.permissions import SCOPES, invite_url, required_permissions

_ID_ENVS = ("DISCORD_CLIENT_ID", "DISCORD_APPLICATION_ID")


def client_id_from_token(token: str) -> str | None:
    """Return the application id encoded in a bot token's first segment, if it has one.

    The token itself is never printed or logged.
    """
    head = token.strip().split(".", 1)[0]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4), validate=False).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if decoded.isdigit() and 15 <= len(decoded) <= 21 else None


@click.group(name="discord")
def cli_group() -> None:
    """Discord adapter helpers."""


@cli_group.command(name="invite-url")
@click.option(
    "--client-id",
    help="Application (client) id; default: $DISCORD_CLIENT_ID, else read from $DISCORD_TOKEN.",
)
@click.option("--explain", is_flag=True, help="Also list each permission and why it is needed.")
def invite_url_command(client_id: str | None, explain: bool) -> None:
    """Print the link that adds the bot with exactly the permissions it needs."""
    client_id = client_id or next((os.environ[e] for e in _ID_ENVS if os.environ.get(e)), None)
    if not client_id and os.environ.get("DISCORD_TOKEN"):
        client_id = client_id_from_token(os.environ["DISCORD_TOKEN"])
    if not client_id or not client_id.strip().isdigit():
        raise click.UsageError(
            "give --client-id (the Application ID from the Discord developer portal), "
            "or set DISCORD_CLIENT_ID"
        )
    perms = required_permissions()
    click.echo(invite_url(client_id.strip(), perms))
    if explain:
        names = [name for name, enabled in perms if enabled]
        click.echo(f"permissions ({perms.value}): " + ", ".join(names), err=True)
        click.echo(f"scopes: {' '.join(SCOPES)}", err=True)
        click.echo(
            "also enable the privileged intents MESSAGE CONTENT and SERVER MEMBERS "
            "in the developer portal (Bot page)",
            err=True,
        )
