"""Finding the loopback Redis and PostgreSQL servers for the scale tests.

Set ``NUDGEGUARD_REQUIRE_SERVICES=1`` (CI does) to turn an unreachable server into a
failure instead of a skip.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

REDIS_URL = os.environ.get("NUDGEGUARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_DSN = os.environ.get(
    "NUDGEGUARD_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def reachable(url: str, default_port: int) -> bool:
    """Return True when a TCP connection to the URL's host and port succeeds."""
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1.0
        ):
            return True
    except OSError:
        return False


def require(url: str, default_port: int, what: str) -> None:
    """Skip (or, with NUDGEGUARD_REQUIRE_SERVICES=1, fail) when the server is not there."""
    if reachable(url, default_port):
        return
    message = f"{what} is not reachable on loopback (start it as .ci/run does)"
    if os.environ.get("NUDGEGUARD_REQUIRE_SERVICES") == "1":
        pytest.fail(message + "; NUDGEGUARD_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(message)


def closed_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
