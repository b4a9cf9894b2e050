"""``nudgeguard keys generate``: a new pseudonym key for ``NUDGEGUARD_PSEUDONYM_KEY``."""

from __future__ import annotations

import secrets

import click

from nudgeguard.config import KEY_ENV


@click.group()
def keys() -> None:
    """Keys the bot needs (kept in the environment, never in the config file)."""


@keys.command()
@click.option("--env", "as_env", is_flag=True, help=f"Print as {KEY_ENV}=... for an env file.")
def generate(as_env: bool) -> None:
    """Print a new random pseudonym key (256 bits, URL-safe base64).

    Set it once as NUDGEGUARD_PSEUDONYM_KEY and keep it: a new key gives everyone new
    pseudonyms, so old cases no longer link to the same people.
    """
    key = secrets.token_urlsafe(32)
    click.echo(f"{KEY_ENV}={key}" if as_env else key)


COMMANDS = [keys]
