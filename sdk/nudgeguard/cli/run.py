"""``nudgeguard init`` and ``nudgeguard run``."""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import json
import logging
import signal
import socket
from pathlib import Path

import click

from nudgeguard import logformat
from nudgeguard.app import build_engine, is_postgres_url
from nudgeguard.cli.common import BadFileError, run_async, store_option
from nudgeguard.config import EXAMPLE, ConfigError, load_config
from nudgeguard.config_check import locate_adapter_error
from nudgeguard.policy import PolicyError
from nudgeguard.startup import summarise
from nudgeguard.state.stores.backends import close_state
from nudgeguard.telemetry import emit
from nudgeguard.yamlfile import read_yaml_text


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
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log lines as text or JSON (default: log_format in the config).",
)
def run(config_path: Path, store: str | None, log_format: str | None) -> None:
    """Start the configured adapters and run until interrupted.

    Logs one line per nudge, alert, case change and failed delivery (pseudonyms, never
    message text) at log_level INFO; with metrics: in the config, serves /healthz, /readyz
    and Prometheus /metrics.
    """
    try:
        settings = load_config(config_path)
    except ConfigError as exc:
        raise BadFileError(exc) from None
    # A crash in native code leaves the Python stack on stderr (file, line and function
    # names only: no values, so no message text or ids).
    with contextlib.suppress(ValueError, OSError):  # stderr is not a file (embedded, tests)
        faulthandler.enable()
    fmt = log_format or settings.log_format
    verbose = logging.getLogger().level == logging.DEBUG
    logformat.configure(
        "json" if fmt == "json" else "text",
        logging.DEBUG if verbose else getattr(logging, settings.log_level),
    )
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
            located = locate_adapter_error(str(config_path), read_yaml_text(config_path), str(exc))
            if located is not None:
                raise BadFileError(located) from None
            raise click.ClickException(str(exc)) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        metrics = None
        if settings.metrics is not None:
            from nudgeguard.metrics import MetricsServer

            metrics = MetricsServer(engine, settings.metrics)
            try:
                await metrics.start()
            except OSError as exc:
                raise click.ClickException(
                    f"metrics: cannot listen on {settings.metrics.host}:{settings.metrics.port}"
                    f" ({exc.strerror or exc})"
                ) from None
        try:
            await engine.start()
        except Exception as exc:
            await engine.stop()
            if metrics is not None:
                await metrics.stop()
            raise click.ClickException(start_failure(exc)) from None
        if metrics is not None:
            metrics.started = True
        click.echo(f"running: {', '.join(engine.adapters)} (policy {settings.policy})")
        summary = summarise(settings, engine, store)
        if fmt == "json":
            emit(
                "startup",
                adapters=",".join(summary.adapters),
                policy=summary.policy,
                modes=json.dumps(summary.modes),
                store=summary.store,
                state=summary.state,
                metrics=summary.metrics,
                warnings=json.dumps(list(summary.warnings)),
            )
        else:
            click.echo("\n".join(summary.lines()), err=True)
        await stop.wait()
        if metrics is not None:
            await metrics.stop()
        await engine.stop()
        await close_state(engine.state)
        await engine.cases.close()

    run_async(go)


def start_failure(exc: BaseException) -> str:
    """Return why the adapters did not start, telling network failures from bad tokens."""
    name = type(exc).__name__
    chain: list[BaseException] = [exc]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        nxt = chain[-1].__cause__ or chain[-1].__context__
        if nxt is None or nxt in chain or len(chain) > 10:
            break
        chain.append(nxt)
    for e in chain:
        if isinstance(e, socket.gaierror):
            return (
                f"could not start the adapters: network failure, the platform's host name did"
                f" not resolve ({name}); check DNS and the network, not the token"
            )
        if isinstance(e, ConnectionError | TimeoutError) or (
            isinstance(e, OSError) and e.errno is not None
        ):
            return (
                f"could not start the adapters: network failure ({type(e).__name__});"
                " check the network, a proxy or firewall, not the token"
            )
    return (
        f"could not start the adapters ({name}: {exc}); check the tokens in the environment"
        " and the config"
    )


COMMANDS = [init, run]
