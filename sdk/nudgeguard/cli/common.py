"""Options and helpers shared by subcommands."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from nudgeguard.config import STORE_ENV

T = TypeVar("T")

store_option = click.option(
    "--store",
    "store",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=STORE_ENV,
    help=f"SQLite case store (default: ${STORE_ENV} or the user data dir).",
)


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine from a click command."""
    return asyncio.run(factory())
