"""The SQLite dialect (stdlib sqlite3): the default case store, one file in the data dir.

Only what is not the store's SQL lives here: opening the file and its PRAGMAs, the worker
thread that keeps file I/O off the event loop, ``quick_check`` and ``VACUUM``.

sqlite3 is synchronous, so :class:`SqliteConn`'s ``async`` methods never suspend: a store
method written once over :class:`~nudgeguard.cases.sql.Conn` runs, as a whole, on the
store's single worker thread (:meth:`SqliteDatabase.call`; calls keep their order, one
connection, one thread at a time) and the caller awaits its result. A store method that
awaits another one runs it inline on that thread. ``:memory:`` stores do no I/O and run
inline, which keeps ``eval`` and ``bench`` free of thread hops.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from nudgeguard.cases.migrations import migrate
from nudgeguard.cases.sql import Row, render
from nudgeguard.cases.sql_cases import SqlCaseStore
from nudgeguard.cases.store import StoreError

__all__ = ["SCHEMA_VERSION", "SqliteCaseStore", "SqliteDatabase", "StoreVersionError"]

#: The store format recorded in ``meta`` since before numbered migrations existed.
SCHEMA_VERSION = 2

T = TypeVar("T")
_on_worker = threading.local()


class StoreVersionError(StoreError):
    """The database was written by an incompatible version of nudgeguard."""


def _drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a store coroutine that never suspends to completion, on the calling thread."""
    _on_worker.active = True
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    finally:
        _on_worker.active = False
    coro.close()
    raise RuntimeError("an SQLite store method awaited something other than the store")


class SqliteConn:
    """The store's one sqlite3 connection behind :class:`~nudgeguard.cases.sql.Conn`."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return self.raw.execute(render(sql, "sqlite"), args).fetchall()

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return self.raw.execute(render(sql, "sqlite"), args).fetchone()

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = self.raw.execute(render(sql, "sqlite"), args).fetchone()
        return None if row is None else row[0]

    async def execute(self, sql: str, *args: Any) -> int:
        return int(self.raw.execute(render(sql, "sqlite"), args).rowcount)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(render(sql, "sqlite"), rows)

    async def script(self, sql: str) -> None:
        self.raw.execute(sql)


class SqliteDatabase:
    """One SQLite file (or ``:memory:``), its connection and its worker thread.

    Args:
        path: Database file; created with its folder if missing. ``:memory:`` works too.
    """

    dialect = "sqlite"
    unreadable: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._threaded = self.path != ":memory:"
        self._worker: ThreadPoolExecutor | None = None  # created on first use
        try:
            if self.path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            raw = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open the case store ({exc})") from None
        raw.row_factory = sqlite3.Row
        self.conn = SqliteConn(raw)
        try:
            _drive(self._prepare())
        except StoreError:  # a newer schema: one line, never a traceback
            raw.close()
            raise
        except (sqlite3.DatabaseError, ValueError) as exc:  # not SQLite, a folder, not ours
            raw.close()
            raise StoreError(f"{self.path}: not a usable nudgeguard case store ({exc})") from None

    @property
    def raw(self) -> sqlite3.Connection:
        """The sqlite3 connection (for tools and tests that inspect the file)."""
        return self.conn.raw

    async def _prepare(self) -> None:
        """Set the connection up and create or migrate the schema."""
        raw = self.conn.raw
        # Deleted content is overwritten with zeros, not left in free pages.
        raw.execute("PRAGMA secure_delete=ON")
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("PRAGMA busy_timeout=5000")
        old = raw.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'")
        if old.fetchone() is not None:
            row = raw.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is not None and int(row["value"]) != SCHEMA_VERSION:
                raise StoreVersionError(
                    f"case store schema {row['value']} is not {SCHEMA_VERSION};"
                    " export your cases with the older version and start a new store"
                )
        async with self.tx() as con:
            await migrate(con, self.dialect)
            await con.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?)"
                " ON CONFLICT (key) DO NOTHING",
                str(SCHEMA_VERSION),
            )

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[SqliteConn]:
        """Run a block in one immediate (write-locking) transaction."""
        raw = self.conn.raw
        raw.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")

    @asynccontextmanager
    async def con(self) -> AsyncIterator[SqliteConn]:
        """Lend the connection (autocommit)."""
        yield self.conn

    async def call(
        self, method: Callable[..., Coroutine[Any, Any, T]], *args: Any, **kwargs: Any
    ) -> T:
        """Run a store method on the worker thread (inline if already there or in memory)."""
        if getattr(_on_worker, "active", False) or not self._threaded:
            return await method(*args, **kwargs)
        loop = asyncio.get_running_loop()
        coro = method(*args, **kwargs)
        try:
            return await loop.run_in_executor(self._executor(), _drive, coro)
        finally:
            if method.__name__ == "close":
                self._stop_worker()

    def _executor(self) -> ThreadPoolExecutor:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="nudgeguard-sqlite")
        return self._worker

    def _stop_worker(self) -> None:
        """Let the worker thread end (a later call starts a new one)."""
        if self._worker is not None:
            self._worker.shutdown(wait=False)
            self._worker = None

    async def lock(self, con: Any, key: str) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already makes SQLite's writers take turns."""

    def clean(self, text: str) -> str:
        """Return ``text`` unchanged: SQLite stores any string."""
        return text

    async def compact(self, *tables: str) -> None:
        """Make deleted content unreadable in the files: checkpoint the WAL, then VACUUM."""
        if self.path == ":memory:":
            return
        raw = self.conn.raw
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def check_storage(self) -> list[str]:
        """Return SQLite's own findings on the file (``PRAGMA quick_check``); [] if fine."""
        try:
            found = [str(r[0]) for r in self.conn.raw.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [] if found == ["ok"] else found

    async def close(self) -> None:
        """Close the connection."""
        self.conn.raw.close()


def migrate_sqlite(raw: sqlite3.Connection) -> list[int]:
    """Apply pending steps to an SQLite database (autocommit connection); return them."""

    async def run() -> list[int]:
        raw.execute("BEGIN IMMEDIATE")
        try:
            applied = await migrate(SqliteConn(raw), "sqlite")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")
        return applied

    return _drive(run())


class SqliteCaseStore(SqlCaseStore):
    """A :class:`~nudgeguard.cases.store.CaseStore` in one SQLite file.

    Args:
        path: Database file; created with its folder if missing. ``:memory:`` works too.
        clock: Wall clock used for audit timestamps.
    """

    db: SqliteDatabase

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        super().__init__(SqliteDatabase(path), clock)

    @property
    def path(self) -> str:
        """The database file (``:memory:`` for an in-memory store)."""
        return self.db.path
