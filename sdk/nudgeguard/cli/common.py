"""Options and helpers shared by subcommands."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

from nudgeguard.cases.store import StoreError
from nudgeguard.config import STORE_ENV
from nudgeguard.state.stores.resilient import REFUSALS
from nudgeguard.yamlfile import YamlModelError

T = TypeVar("T")

store_option = click.option(
    "--store",
    "store",
    metavar="PATH|URL",
    envvar=STORE_ENV,
    help=(
        f"Case store: an SQLite file, or postgresql://host/db (password from PGPASSWORD or"
        f" ~/.pgpass, never the command line). Default: ${STORE_ENV} or the user data dir."
    ),
)


class BadFileError(click.ClickException):
    """A config file or policy pack that cannot be used: ``file:line: field: problem``, exit 2."""

    exit_code = 2

    def __init__(self, error: YamlModelError) -> None:
        super().__init__(error.one_line())


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine from a click command; an unusable ``--store`` is a clear error.

    So is a database server that refuses (no such database or role): the message is the
    server's, which names neither a password nor message text. An unreachable server is an
    OSError, which the command group reports.
    """
    try:
        return asyncio.run(factory())
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:  # pages a failing disk damaged
        raise click.ClickException(
            f"the case store is damaged ({exc}); run: nudgeguard cases verify"
        ) from None
    except REFUSALS as exc:
        raise click.ClickException(f"{exc} ({type(exc).__name__})") from None
