"""The PostgreSQL dialect (asyncpg, extra ``postgres``): one database for many bot processes.

Only what is not the store's SQL lives here: the connection pool and its timeouts, the
schema (``search_path``) and the advisory locks, text PostgreSQL cannot store, and
``VACUUM``. The store itself (:class:`~nudgeguard.cases.sql_cases.SqlCaseStore`) is the
same code as on SQLite. What matters at scale: every process shares the cases, the audit
chain (writers are serialised on the chain head row) and the outbox (leased claims,
``FOR UPDATE SKIP LOCKED`` batches); the schema is migrated in order under an advisory
lock when the first connection opens (:mod:`nudgeguard.cases.migrations`).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]

from nudgeguard.cases.migrations import MIGRATION_LOCK, migrate
from nudgeguard.cases.sql import Row, render
from nudgeguard.cases.sql_cases import SqlCaseStore

__all__ = ["PostgresCaseStore", "PostgresDatabase", "clean_text", "migrate_postgres"]

#: Default seconds to open one connection.
DEFAULT_CONNECT_TIMEOUT = 3.0
#: Default seconds to wait for a pooled connection (and to return it).
DEFAULT_ACQUIRE_TIMEOUT = 3.0
#: Default seconds one statement may take.
DEFAULT_COMMAND_TIMEOUT = 5.0

T = TypeVar("T")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Return text PostgreSQL can store: NUL and lone surrogates become U+FFFD."""
    if value.isascii() and "\x00" not in value:
        return value
    return _UNSTORABLE.sub("\ufffd", value)


def _affected(status: str) -> int:
    """Return the row count of an asyncpg command status such as ``UPDATE 3``."""
    try:
        return int(status.rsplit(" ", 1)[-1])
    except ValueError:
        return 0


class PgConn:
    """An asyncpg connection behind :class:`~nudgeguard.cases.sql.Conn`."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self.raw.fetch(render(sql, "postgres"), *args))

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self.raw.fetchrow(render(sql, "postgres"), *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self.raw.fetchval(render(sql, "postgres"), *args)

    async def execute(self, sql: str, *args: Any) -> int:
        return _affected(await self.raw.execute(render(sql, "postgres"), *args))

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self.raw.executemany(render(sql, "postgres"), rows)

    async def script(self, sql: str) -> None:
        await self.raw.execute(sql)


class PostgresDatabase:
    """A connection pool with timeouts, the schema migrated when the first one opens.

    Args:
        dsn: ``postgresql://user[:password]@host:port/database``.
        schema: Schema to use (created if missing); ``public`` if omitted.
        min_size: Pool minimum.
        max_size: Pool maximum.
        connect_timeout: Seconds to open one connection (TCP, TLS, startup) before failing.
        acquire_timeout: Seconds to wait for a free pooled connection, and to hand it back.
        command_timeout: Seconds one statement (BEGIN and COMMIT included) may take.

    A server that stops answering without closing its connections (a silent network
    partition) therefore fails every call within about ``acquire_timeout +
    command_timeout`` seconds with :class:`TimeoutError`, which
    :class:`~nudgeguard.state.stores.resilient.ResilientCaseStore` treats as an outage.
    """

    dialect = "postgres"
    unreadable: tuple[type[BaseException], ...] = (asyncpg.DataCorruptedError,)

    def __init__(
        self,
        dsn: str,
        *,
        schema: str | None = None,
        min_size: int = 1,
        max_size: int = 8,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        acquire_timeout: float = DEFAULT_ACQUIRE_TIMEOUT,
        command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
    ) -> None:
        self.dsn = dsn
        self.schema = schema
        self._min, self._max, self._timeout = min_size, max_size, connect_timeout
        self._acquire_timeout, self._command_timeout = acquire_timeout, command_timeout
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def _get_pool(self) -> asyncpg.Pool:
        if self._pool is not None:
            return self._pool
        async with self._opening:
            if self._pool is None:
                settings = {"search_path": self.schema} if self.schema else {}
                if self.schema:
                    con = await asyncpg.connect(
                        self.dsn, timeout=self._timeout, command_timeout=self._command_timeout
                    )
                    try:
                        async with con.transaction():
                            # Processes starting together would race on the catalog.
                            await con.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                            quoted = self.schema.replace('"', '""')
                            await con.execute(f'CREATE SCHEMA IF NOT EXISTS "{quoted}"')
                    finally:
                        await con.close()
                pool = await asyncpg.create_pool(
                    self.dsn,
                    min_size=self._min,
                    max_size=self._max,
                    timeout=self._timeout,
                    command_timeout=self._command_timeout,
                    server_settings=settings,
                )
                async with pool.acquire(timeout=self._acquire_timeout) as con:
                    await migrate_postgres(con)
                self._pool = pool
        return self._pool

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[PgConn]:
        """Run a block in one transaction on a pooled connection."""
        pool = await self._get_pool()
        async with pool.acquire(timeout=self._acquire_timeout) as con:
            try:
                async with con.transaction():
                    yield PgConn(con)
            except (TimeoutError, OSError):
                con.terminate()  # no ROLLBACK or cancel to wait for: the server aborts it
                raise

    @asynccontextmanager
    async def con(self) -> AsyncIterator[PgConn]:
        """Lend a pooled connection (autocommit) for reads and single statements."""
        pool = await self._get_pool()
        async with pool.acquire(timeout=self._acquire_timeout) as con:
            try:
                yield PgConn(con)
            except (TimeoutError, OSError):
                con.terminate()  # a timed-out connection is not worth a cancel round trip
                raise

    async def call(
        self, method: Callable[..., Coroutine[Any, Any, T]], *args: Any, **kwargs: Any
    ) -> T:
        """Run a store method on the loop: asyncpg's sockets do not block it."""
        return await method(*args, **kwargs)

    async def lock(self, con: Any, key: str) -> None:
        """Take a transaction-scoped advisory lock on ``key``."""
        await con.execute("SELECT pg_advisory_xact_lock(hashtext(?))", key)

    def clean(self, text: str) -> str:
        """Return ``text`` as PostgreSQL can store it (see :func:`clean_text`)."""
        return clean_text(text)

    async def compact(self, *tables: str) -> None:
        """Vacuum ``tables`` so freed rows are reused (see :mod:`nudgeguard.cases.sql_privacy`)."""
        async with self.con() as con:
            await con.script("VACUUM " + ", ".join(tables))

    async def check_storage(self) -> list[str]:
        """Return the server's findings on its files: none (PostgreSQL checks its own pages)."""
        return []

    async def close(self) -> None:
        """Close the pool."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def migrate_postgres(con: Any) -> list[int]:
    """Apply pending steps over an asyncpg connection; return the versions applied."""
    async with con.transaction():
        await con.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        return await migrate(PgConn(con), "postgres")


class PostgresCaseStore(SqlCaseStore):
    """A :class:`~nudgeguard.cases.store.CaseStore` on PostgreSQL.

    Args:
        dsn: ``postgresql://user[:password]@host:port/database``.
        schema: Schema to use (created if missing); ``public`` if omitted.
        clock: Wall clock used for audit timestamps.
        **pool: Pool size and timeouts (see :class:`PostgresDatabase`).
    """

    db: PostgresDatabase

    def __init__(
        self,
        dsn: str,
        *,
        schema: str | None = None,
        clock: Callable[[], float] = time.time,
        **pool: Any,
    ) -> None:
        super().__init__(PostgresDatabase(dsn, schema=schema, **pool), clock)

    async def open(self) -> PostgresCaseStore:
        """Connect and migrate now (otherwise the first call does it); return self."""
        await self.db._get_pool()
        return self

    async def ping(self) -> bool:
        """Return True when the server answers a trivial query within the timeouts."""
        async with self.db.con() as con:
            return bool(await con.fetchval("SELECT 1") == 1)
