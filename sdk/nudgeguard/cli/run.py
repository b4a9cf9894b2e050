"""``nudgeguard init`` and ``nudgeguard run``."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

import click

from nudgeguard.app import build_engine, is_postgres_url
from nudgeguard.cli.common import BadFileError, run_async, store_option
from nudgeguard.config import EXAMPLE, ConfigError, load_config
from nudgeguard.policy import PolicyError
from nudgeguard.stores.backends import close_state


@click.command()
@click.argument("path", default="nudgeguard.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a commented example config (secrets stay in the environment)."""
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; use --force to overwrite")
    path.write_text(EXAMPLE, encoding="utf-8")
    click.echo(f"wrote {path}; edit it, then: nudgeguard run --config {path}")


@click.command()
@click.option(
    "--config", "config_path", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@store_option
def run(config_path: Path, store: str | None) -> None:
    """Start the configured adapters and run until interrupted."""
    try:
        settings = load_config(config_path)
    except ConfigError as exc:
        raise BadFileError(exc) from None
    if is_postgres_url(store):
        raise click.ClickException(
            "--store for run is an SQLite file; for PostgreSQL set cases.backend: postgres"
        )
    if not settings.adapter_sections:
        raise click.ClickException("no adapter section (discord:, slack:) in the config")

    async def go() -> None:
        try:
            engine = await build_engine(settings, store)
        except PolicyError as exc:
            raise BadFileError(exc) from None
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await engine.start()
        except Exception as exc:
            await engine.stop()
            raise click.ClickException(
                f"could not start the adapters ({type(exc).__name__}: {exc}); check the"
                " tokens in the environment and the config"
            ) from None
        click.echo(f"running: {', '.join(engine.adapters)} (policy {settings.policy})")
        await stop.wait()
        await engine.stop()
        await close_state(engine.state)
        await engine.cases.close()

    run_async(go)


COMMANDS = [init, run]
