"""Choosing the working-memory and case backends from the config's ``state:`` and ``cases:``.

Secrets come from the environment: ``NUDGEGUARD_REDIS_URL`` and ``NUDGEGUARD_POSTGRES_DSN``
take precedence over the file's ``url``/``dsn``, and a file value that carries a password
is refused. Errors name the setting to fix, never the URL (it may hold a password).
Unreachable servers do not stop the bot: Redis state degrades to the process's own memory
and retries; PostgreSQL writes are spooled locally and replayed (see
:mod:`nudgeguard.state.stores.resilient`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import CaseStore
from nudgeguard.config import CaseSettings, Secrets, StateSettings, default_store_path
from nudgeguard.state.store import MemoryStateStore, StateStore

log = logging.getLogger(__name__)

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class BackendError(ValueError):
    """A backend is misconfigured or its extra is not installed."""


def _from_file(value: str | None, setting: str, env: str) -> str | None:
    try:
        url = urlparse(value) if value else None
        if url is not None:
            url.port  # noqa: B018 - parsing the port is what rejects a malformed one
    except ValueError as exc:
        raise BackendError(f"{setting} is not a valid URL ({exc})") from None
    if url is not None and url.password:
        raise BackendError(f"{setting} must not contain a password; set {env} instead")
    return value


def state_url(settings: StateSettings) -> str:
    """Return the Redis URL: environment first, then the file, then loopback."""
    secret = Secrets().redis_url
    if secret is not None:
        return secret.get_secret_value()
    return _from_file(settings.url, "state.url", "NUDGEGUARD_REDIS_URL") or DEFAULT_REDIS_URL


def cases_dsn(settings: CaseSettings) -> str:
    """Return the PostgreSQL DSN: environment first, then the file."""
    secret = Secrets().postgres_dsn
    if secret is not None:
        return secret.get_secret_value()
    dsn = _from_file(settings.dsn, "cases.dsn", "NUDGEGUARD_POSTGRES_DSN")
    if not dsn:
        raise BackendError("cases.backend is postgres: set cases.dsn or NUDGEGUARD_POSTGRES_DSN")
    return dsn


def open_state(settings: StateSettings) -> StateStore:
    """Return the configured working-memory store (nothing connects until first use)."""
    if settings.backend == "memory":
        return MemoryStateStore()
    try:
        from nudgeguard.state.stores.redis_state import RedisStateStore
    except ImportError:
        raise BackendError("state.backend redis needs: pip install 'nudgeguard[redis]'") from None
    url = state_url(settings)
    try:
        return RedisStateStore(
            url,
            prefix=settings.prefix,
            connect_timeout=settings.connect_timeout,
            command_timeout=settings.command_timeout,
        )
    except ValueError as exc:  # the client's own URL checks (scheme, database number)
        raise BackendError(f"state.url or NUDGEGUARD_REDIS_URL: {exc}") from None


def open_cases(settings: CaseSettings, store_path: str | Path | None = None) -> CaseStore:
    """Return the configured case store, wrapped with a spool for failed writes.

    PostgreSQL spools to a local file; SQLite (whose writes fail on a full disk) to
    ``cases.spool`` if set (put it on another disk), else to memory.
    """
    from nudgeguard.state.stores.resilient import ResilientCaseStore

    if settings.backend == "sqlite":
        store = SqliteCaseStore(Path(store_path or settings.path or default_store_path()))
        return ResilientCaseStore(store, settings.spool or ":memory:", hold_alerts=True)
    try:
        from nudgeguard.cases.postgres import PostgresCaseStore
    except ImportError:
        raise BackendError(
            "cases.backend postgres needs: pip install 'nudgeguard[postgres]'"
        ) from None
    spool = settings.spool or default_store_path().with_name("postgres-spool.sqlite3")
    primary = PostgresCaseStore(
        cases_dsn(settings),
        connect_timeout=settings.connect_timeout,
        acquire_timeout=settings.acquire_timeout,
        command_timeout=settings.command_timeout,
    )
    return ResilientCaseStore(primary, spool, retry_interval=settings.retry_interval)


async def check(state: StateStore, cases: CaseStore) -> list[str]:
    """Return plain-words problems with the servers (empty when both answer)."""
    problems: list[str] = []
    ping = getattr(state, "ping", None)
    if ping is not None and not await ping():
        problems.append(
            "Redis is unreachable: working memory stays in this process until it is back"
        )
    recover = getattr(cases, "recover", None)
    if recover is not None and not await recover():
        problems.append(
            "PostgreSQL is unreachable: cases are spooled locally and replayed when it is back"
        )
    for problem in problems:
        log.warning("%s", problem)
    return problems


async def close_state(state: StateStore) -> None:
    """Flush and close a shared state store (no-op for memory)."""
    aclose = getattr(state, "aclose", None)
    if aclose is not None:
        await aclose()
