"""The dialect seam: what the case store's SQL, written once, needs from a database.

Every query of the case store is written once (:mod:`nudgeguard.cases.sql_cases` and its
siblings) in the SQL both SQLite and PostgreSQL understand, with ``?`` parameters. The
few places the two differ are named tokens, filled in per dialect by :func:`render`:

- ``{find}``: the position of a substring (``instr`` / ``strpos``, same argument order);
- ``{lock}``: row locking of a read that a write follows (nothing / ``FOR UPDATE``);
- ``{skip_locked}``: batch claims skip rows another process holds (nothing /
  ``FOR UPDATE SKIP LOCKED``);
- ``{row_order}``: insertion order of outbox rows (``rowid`` / ``row_no``).

A :class:`Database` (:mod:`nudgeguard.cases.sqlite`, :mod:`nudgeguard.cases.postgres`)
lends :class:`Conn` connections and owns what is not SQL: connecting, timeouts, where the
I/O runs, reclaiming space and the database's own integrity checks.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from functools import lru_cache
from typing import Any, Protocol

#: One result row: readable by column name (``row["id"]``) and position, and ``dict(row)``.
Row = Any

_TOKENS: dict[str, Mapping[str, str]] = {
    "sqlite": {
        "find": "instr",
        "lock": "",
        "skip_locked": "",
        "row_order": "rowid",
    },
    "postgres": {
        "find": "strpos",
        "lock": " FOR UPDATE",
        "skip_locked": " FOR UPDATE SKIP LOCKED",
        "row_order": "row_no",
    },
}


@lru_cache(maxsize=1024)
def render(sql: str, dialect: str) -> str:
    """Return ``sql`` for ``dialect``: tokens filled in, ``?`` numbered ``$1..`` for PG.

    Args:
        sql: A query written once, with ``?`` parameters and ``{token}`` placeholders
            (no ``?``, ``{`` or ``}`` inside string literals).
        dialect: ``sqlite`` or ``postgres``.
    """
    text = sql.format_map(_TOKENS[dialect])
    if dialect != "postgres":
        return text
    parts = text.split("?")
    out = [parts[0]]
    for n, part in enumerate(parts[1:], 1):
        out.append(f"${n}{part}")
    return "".join(out)


def placeholders(n: int) -> str:
    """Return ``?,?,...`` for an ``IN`` list of ``n`` values."""
    return ",".join("?" * n)


class Conn(Protocol):
    """A connection lent by a :class:`Database`; every method takes SQL written once."""

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """Return every row of a query."""
        ...

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        """Return the first row of a query, or None."""
        ...

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """Return the first column of the first row, or None."""
        ...

    async def execute(self, sql: str, *args: Any) -> int:
        """Run one statement; return the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per parameter row."""
        ...

    async def script(self, sql: str) -> None:
        """Run DDL (one statement, no parameters, no tokens)."""
        ...


class Database(Protocol):
    """What a dialect provides to the store: connections, and what is not SQL."""

    #: ``sqlite`` or ``postgres``.
    dialect: str
    #: Driver errors meaning rows cannot be read (damaged storage).
    unreadable: tuple[type[BaseException], ...]

    def tx(self) -> AbstractAsyncContextManager[Conn]:
        """Lend a connection inside one write transaction (committed on success)."""
        ...

    def con(self) -> AbstractAsyncContextManager[Conn]:
        """Lend a connection for reads and single statements (each commits by itself)."""
        ...

    async def call(
        self, method: Callable[..., Coroutine[Any, Any, Any]], *args: Any, **kwargs: Any
    ) -> Any:
        """Run one store method where this database's I/O belongs (off the event loop)."""
        ...

    async def lock(self, con: Conn, key: str) -> None:
        """Serialise transactions on ``key`` until this one ends (no-op on one writer)."""
        ...

    def clean(self, text: str) -> str:
        """Return ``text`` as the database can store it."""
        ...

    async def compact(self, *tables: str) -> None:
        """Make deleted rows of ``tables`` unreadable in the files (as far as possible)."""
        ...

    async def check_storage(self) -> list[str]:
        """Return the database's own findings on its files; [] if fine."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
