"""Pool, migrations, transactions and audit writing shared by the PostgreSQL store's parts."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from nudgeguard.cases.audit import GENESIS, AuditRow, make_row
from nudgeguard.cases.migrations import MIGRATION_LOCK, migrate_postgres

#: Default seconds to open one connection.
DEFAULT_CONNECT_TIMEOUT = 3.0
#: Default seconds to wait for a pooled connection (and to return it).
DEFAULT_ACQUIRE_TIMEOUT = 3.0
#: Default seconds one statement may take.
DEFAULT_COMMAND_TIMEOUT = 5.0

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Return text PostgreSQL can store: NUL and lone surrogates become U+FFFD."""
    if value.isascii() and "\x00" not in value:
        return value
    return _UNSTORABLE.sub("\ufffd", value)


def affected(status: str) -> int:
    """Return the row count of an asyncpg command status such as ``UPDATE 3``."""
    try:
        return int(status.rsplit(" ", 1)[-1])
    except ValueError:
        return 0


class PostgresBase:
    """Owns the connection pool; writes audit rows inside the caller's transaction.

    Args:
        dsn: ``postgresql://user[:password]@host:port/database``.
        schema: Schema to use (created if missing); ``public`` if omitted.
        clock: Wall clock used for audit timestamps.
        min_size: Pool minimum.
        max_size: Pool maximum.
        connect_timeout: Seconds to open one connection (TCP, TLS, startup) before failing.
        acquire_timeout: Seconds to wait for a free pooled connection, and to hand it back.
        command_timeout: Seconds one statement (BEGIN and COMMIT included) may take.

    A server that stops answering without closing its connections (a silent network
    partition) therefore fails every call within about ``acquire_timeout +
    command_timeout`` seconds with :class:`TimeoutError`, which
    :class:`~nudgeguard.stores.resilient.ResilientCaseStore` treats as an outage.
    """

    def __init__(
        self,
        dsn: str,
        *,
        schema: str | None = None,
        clock: Callable[[], float] = time.time,
        min_size: int = 1,
        max_size: int = 8,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        acquire_timeout: float = DEFAULT_ACQUIRE_TIMEOUT,
        command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
    ) -> None:
        self.dsn = dsn
        self.schema = schema
        self._clock = clock
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

    async def open(self) -> PostgresBase:
        """Connect and migrate now (otherwise the first call does it); return self."""
        await self._get_pool()
        return self

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[Any]:
        """Run a block in one transaction on a pooled connection."""
        pool = await self._get_pool()
        async with pool.acquire(timeout=self._acquire_timeout) as con:
            try:
                async with con.transaction():
                    yield con
            except (TimeoutError, OSError):
                con.terminate()  # no ROLLBACK or cancel to wait for: the server aborts it
                raise

    @asynccontextmanager
    async def _con(self) -> AsyncIterator[Any]:
        """Lend a pooled connection (autocommit) for reads and single statements."""
        pool = await self._get_pool()
        async with pool.acquire(timeout=self._acquire_timeout) as con:
            try:
                yield con
            except (TimeoutError, OSError):
                con.terminate()  # a timed-out connection is not worth a cancel round trip
                raise

    async def ping(self) -> bool:
        """Return True when the server answers a trivial query within the timeouts."""
        async with self._con() as con:
            return bool(await con.fetchval("SELECT 1") == 1)

    def _now(self) -> float:
        return float(self._clock())

    async def _audit(
        self, con: Any, case_id: str, kind: str, actor: str, detail: dict[str, Any]
    ) -> int:
        """Append one chained audit row (inside a transaction); return its seq.

        Locking the head row serialises audit writers of every process, so the chain has
        one order and no gaps.
        """
        head = await con.fetchval("SELECT value FROM meta WHERE key='audit_head' FOR UPDATE")
        if head:
            last, prev = head.split(":", 1)
            seq = int(last) + 1
        else:
            seq, prev = 1, GENESIS
        r = make_row(prev, seq, case_id, self._now(), kind, actor, detail)
        await con.execute(
            "INSERT INTO audit(seq, case_id, ts, kind, actor, salt, actor_commit, detail,"
            " prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
            r.seq,
            r.case_id,
            r.ts,
            r.kind,
            r.actor,
            r.salt,
            r.actor_commit,
            r.detail,
            prev,
            r.hash,
        )
        await con.execute("UPDATE meta SET value=$1 WHERE key='audit_head'", f"{seq}:{r.hash}")
        return seq

    async def _audit_rows(self) -> list[AuditRow]:
        async with self._con() as con:
            rows = await con.fetch("SELECT * FROM audit ORDER BY seq")
        return [
            AuditRow(
                r["seq"],
                r["case_id"],
                r["ts"],
                r["kind"],
                r["actor"],
                r["salt"],
                r["actor_commit"],
                r["detail"],
                r["prev_hash"],
                r["hash"],
            )
            for r in rows
        ]

    async def audit_head(self) -> str | None:
        """Return ``"seq:hash"`` of the newest audit row, None before the first."""
        async with self._con() as con:
            head = await con.fetchval("SELECT value FROM meta WHERE key='audit_head'")
        return str(head) if head else None

    async def close(self) -> None:
        """Close the pool."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
