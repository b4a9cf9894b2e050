"""``nudgeguard console``: serve the moderators' web console and manage its accounts."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from nudgeguard.app import open_store
from nudgeguard.cases.audit import STORE_WIDE
from nudgeguard.cases.store import StoreError
from nudgeguard.cli.common import run_async, store_option
from nudgeguard.config import ConfigError, load_config
from nudgeguard.locales import LanguageSettings

_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
_COMMUNITY = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
_NEEDS = "the console needs: pip install 'nudgeguard[console]'"


@click.group()
def console() -> None:
    """The moderators' web console (docs/console.md)."""


@console.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the communities' languages (languages:) from this config.",
)
def serve(store: str | None, host: str, port: int, config_path: Path | None) -> None:
    """Serve the console (cookies are marked Secure unless the address is loopback).

    Anywhere but loopback, put it behind a TLS reverse proxy: the browser then only sends
    the session cookie over HTTPS. With --config, what the console says about a case is
    worded in the language of the case's community, as its chat alerts are.
    """
    languages = LanguageSettings()
    if config_path is not None:
        try:
            languages = load_config(config_path).languages
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    try:
        import uvicorn

        from nudgeguard.console.app import is_loopback
        from nudgeguard.console.server import create_app
    except ImportError:
        raise click.ClickException(_NEEDS) from None
    probe = open_store_or_fail(store)  # a bad --store is a clear error now, not later
    run_async(probe.close)
    app = create_app(
        lambda: open_store(store), secure_cookies=not is_loopback(host), languages=languages
    )
    click.echo(f"nudgeguard console on http://{host}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False)


def open_store_or_fail(store: str | None) -> Any:
    """Open the store; an unusable one is a one-line error."""
    try:
        return open_store(store)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


@console.group()
def users() -> None:
    """Console accounts."""


@users.command("add")
@store_option
@click.argument("name")
@click.option("--community", required=True, help="Community id the role holds in.")
@click.option("--admin", is_flag=True, help="Admin (audit chain, dry-run decisions) too.")
def add_user(store: str | None, name: str, community: str, admin: bool) -> None:
    """Add an account, or give an existing one a role in another community.

    The password is read from standard input (one line; asked twice on a terminal) and
    stored as an argon2id hash; it is never an argument, so it stays out of shell history.
    """
    try:
        from nudgeguard.console.security import MAX_PASSWORD, MIN_PASSWORD, hash_password
    except ImportError:
        raise click.ClickException(_NEEDS) from None
    if not _NAME.fullmatch(name):
        raise click.BadParameter("1-64 letters, digits or . _ @ -", param_hint="NAME")
    if not _COMMUNITY.fullmatch(community):
        raise click.BadParameter("1-200 printable characters", param_hint="--community")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline(MAX_PASSWORD + 2).rstrip("\r\n")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise click.ClickException(
            f"the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"
        )
    role = "admin" if admin else "moderator"
    hashed = hash_password(password)

    async def go() -> bool:
        s: Any = open_store_or_fail(store)
        try:
            if not hasattr(s, "save_account"):
                raise click.ClickException("this case store has no console accounts")
            new = bool(await s.save_account(name, hashed, community, role))
            await s.record(
                STORE_WIDE,
                "console_account",
                "cli",
                {"name": name, "community": community, "role": role, "new": new},
            )
            return new
        finally:
            await s.close()

    new = run_async(go)
    click.echo(f"{'added' if new else 'updated'} {name}: {role} of {community}")


COMMANDS = [console]
