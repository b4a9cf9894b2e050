"""Connection, schema, transactions and audit writing shared by the SQLite store's parts.

The store's methods are written as plain sequential code (sqlite3 is synchronous), but
they must not block the event loop while a disk is slow or a lock is held. So every
``async def`` of a :class:`SqliteBase` subclass is wrapped, once, when the class is
defined: a call runs the method's body on the store's own single worker thread (calls keep
their order; one connection, one thread at a time) and the caller awaits the result. A
store method that awaits another one runs it inline on that thread. ``:memory:`` stores do
no I/O and run inline, which keeps ``eval`` and ``bench`` free of thread hops.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import sqlite3
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from nudgeguard.cases.audit import GENESIS, AuditRow, make_row
from nudgeguard.cases.migrations import migrate_sqlite
from nudgeguard.cases.sqlite_schema import SQLITE_SCHEMA
from nudgeguard.cases.store import StoreError

SCHEMA_VERSION = 2


class StoreVersionError(StoreError):
    """The database was written by an incompatible version of nudgeguard."""


T = TypeVar("T")
_on_worker = threading.local()


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


def _off_loop(method: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., Any]:
    """Wrap a store coroutine method to run on the store's worker thread."""

    @functools.wraps(method)
    async def run(self: SqliteBase, *args: Any, **kwargs: Any) -> T:
        if getattr(_on_worker, "active", False) or not self._threaded:
            return await method(self, *args, **kwargs)  # already there, or no I/O
        loop = asyncio.get_running_loop()
        coro = method(self, *args, **kwargs)
        try:
            return await loop.run_in_executor(self._executor(), _drive, coro)
        finally:
            if method.__name__ == "close":
                self._stop_worker()

    run.__sqlite_off_loop__ = True  # type: ignore[attr-defined]
    return run


class SqliteBase:
    """Owns the connection; writes audit rows inside the caller's transaction.

    Args:
        path: Database file; created with its folder if missing. ``:memory:`` works too.
        clock: Wall clock used for audit timestamps.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if inspect.iscoroutinefunction(value) and not hasattr(value, "__sqlite_off_loop__"):
                setattr(cls, name, _off_loop(value))

    def __init__(self, path: str | Path, clock: Any = time.time) -> None:
        self.path = str(path)
        self._clock = clock
        self._threaded = self.path != ":memory:"
        self._worker: ThreadPoolExecutor | None = None  # created on first use
        try:
            if self.path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open the case store ({exc})") from None
        self._db.row_factory = sqlite3.Row
        try:
            self._prepare()
        except StoreError:  # a newer schema: one line, never a traceback
            self._db.close()
            raise
        except (sqlite3.DatabaseError, ValueError) as exc:  # not SQLite, a folder, not ours
            self._db.close()
            raise StoreError(f"{self.path}: not a usable nudgeguard case store ({exc})") from None

    def _prepare(self) -> None:
        """Set the connection up and create or migrate the schema."""
        # Deleted content is overwritten with zeros, not left in free pages.
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        old = self._db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if old is not None:
            row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is not None and int(row["value"]) != SCHEMA_VERSION:
                self._db.close()
                raise StoreVersionError(
                    f"case store schema {row['value']} is not {SCHEMA_VERSION};"
                    " export your cases with the older version and start a new store"
                )
        self._db.executescript(SQLITE_SCHEMA)
        self._db.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        # Ordered steps shared with PostgreSQL, recorded in schema_version.
        migrate_sqlite(self._db)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one immediate (write-locking) transaction."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _executor(self) -> ThreadPoolExecutor:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="nudgeguard-sqlite")
        return self._worker

    def _stop_worker(self) -> None:
        """Let the worker thread end (a later call starts a new one)."""
        if self._worker is not None:
            self._worker.shutdown(wait=False)
            self._worker = None

    def _now(self) -> float:
        return float(self._clock())

    def _audit(self, case_id: str, kind: str, actor: str, detail: dict[str, Any]) -> int:
        """Append one chained audit row (call inside a transaction); return its seq."""
        row = self._db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row["seq"] + 1, row["hash"]) if row else (1, GENESIS)
        r = make_row(prev, seq, case_id, self._now(), kind, actor, detail)
        self._db.execute(
            "INSERT INTO audit(seq, case_id, ts, kind, actor, salt, actor_commit, detail,"
            " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
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
            ),
        )
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES ('audit_head', ?) ON CONFLICT(key)"
            " DO UPDATE SET value=excluded.value",
            (f"{seq}:{r.hash}",),
        )
        return seq

    def _audit_rows(self) -> Iterator[AuditRow]:
        for r in self._db.execute("SELECT * FROM audit ORDER BY seq"):
            yield AuditRow(
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

    def _compact(self) -> None:
        """Make deleted content unreadable in the files: checkpoint the WAL, then VACUUM."""
        if self.path == ":memory:":
            return
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.execute("VACUUM")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
