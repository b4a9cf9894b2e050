"""What every part of the case store shares: its database, the clock and the audit chain.

The store's SQL is written once (see :mod:`nudgeguard.cases.sql`). Every public ``async``
method of a :class:`SqlBase` subclass is wrapped, once, when the class is defined, so that
a call runs where its database's I/O belongs (:meth:`~nudgeguard.cases.sql.Database.call`):
on SQLite, the whole method on the store's own worker thread, never on the event loop; on
PostgreSQL, on the loop over asyncpg's non-blocking sockets.
"""

from __future__ import annotations

import functools
import inspect
import json
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from nudgeguard.cases.audit import GENESIS, AuditRow, ChainBreak, make_row, verify_rows
from nudgeguard.cases.integrity import CaseDamage, check_cases
from nudgeguard.cases.model import CaseEvent
from nudgeguard.cases.sql import Conn, Database, Row

T = TypeVar("T")

_AUDIT_INSERT = (
    "INSERT INTO audit(seq, case_id, ts, kind, actor, salt, actor_commit, detail, prev_hash,"
    " hash) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_HEAD_WRITE = (
    "INSERT INTO meta(key, value) VALUES ('audit_head', ?)"
    " ON CONFLICT (key) DO UPDATE SET value=excluded.value"
)


def _event(r: Row) -> CaseEvent:
    """Return an audit row as the event the store's readers get."""
    return CaseEvent(
        seq=r["seq"],
        case_id=r["case_id"],
        ts=r["ts"],
        kind=r["kind"],
        actor=r["actor"],
        detail=json.loads(r["detail"]),
        hash=r["hash"],
    )


def _in_db(method: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., Any]:
    """Wrap a public store method to run where its database's I/O belongs."""

    @functools.wraps(method)
    async def run(self: SqlBase, *args: Any, **kwargs: Any) -> T:
        return await self.db.call(method, self, *args, **kwargs)  # type: ignore[no-any-return]

    run.__in_db__ = True  # type: ignore[attr-defined]
    return run


class SqlBase:
    """Owns the database; writes audit rows inside the caller's transaction.

    Args:
        db: The dialect (:class:`~nudgeguard.cases.sqlite.SqliteDatabase` or
            :class:`~nudgeguard.cases.postgres.PostgresDatabase`).
        clock: Wall clock used for audit timestamps.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _route_public_methods(cls)

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self._clock = clock

    def _now(self) -> float:
        return float(self._clock())

    async def _audit(
        self, con: Conn, case_id: str, kind: str, actor: str, detail: dict[str, Any]
    ) -> int:
        """Append one chained audit row (inside a transaction); return its seq.

        The chain head row is read with a lock: audit writers of every process take turns,
        so the chain has one order and no gaps.
        """
        head = await con.fetchval("SELECT value FROM meta WHERE key='audit_head'{lock}")
        if head:
            last, prev = str(head).split(":", 1)
            seq = int(last) + 1
        else:
            seq, prev = 1, GENESIS
        r = make_row(prev, seq, case_id, self._now(), kind, actor, detail)
        await con.execute(
            _AUDIT_INSERT,
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
        await con.execute(_HEAD_WRITE, f"{seq}:{r.hash}")
        return seq

    @staticmethod
    async def _audit_rows(con: Conn) -> list[AuditRow]:
        rows = await con.fetch("SELECT * FROM audit ORDER BY seq")
        return [
            AuditRow(
                int(r["seq"]),
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
        async with self.db.con() as con:
            head = await con.fetchval("SELECT value FROM meta WHERE key='audit_head'")
        return str(head) if head else None

    async def events(self, case_id: str | None = None) -> list[CaseEvent]:
        """Return audit events, oldest first."""
        sql, args = "SELECT * FROM audit", list[str]()
        if case_id is not None:
            sql, args = sql + " WHERE case_id=?", [case_id]
        async with self.db.con() as con:
            rows = await con.fetch(sql + " ORDER BY seq", *args)
        return [_event(r) for r in rows]

    async def last_event(self, case_id: str, kinds: Sequence[str]) -> CaseEvent | None:
        """Return a case's newest audit event of one of ``kinds`` (the case index, backwards)."""
        if not kinds:
            return None
        marks = ",".join("?" * len(kinds))
        async with self.db.con() as con:
            rows = await con.fetch(
                f"SELECT * FROM audit WHERE case_id=? AND kind IN ({marks})"
                " ORDER BY seq DESC LIMIT 1",
                case_id,
                *kinds,
            )
        return _event(rows[0]) if rows else None

    async def verify_chain(self) -> ChainBreak | None:
        """Return the first broken audit link, or None when the chain is intact."""
        async with self.db.con() as con:
            rows = await self._audit_rows(con)
            head = await con.fetchval("SELECT value FROM meta WHERE key='audit_head'")
        return verify_rows(rows, str(head) if head else None)

    async def verify_cases(self) -> list[CaseDamage]:
        """Return every case whose rows differ from what the audit chain committed to."""
        unreadable = self.db.unreadable
        async with self.db.con() as con:
            try:
                cases = {r["id"]: r for r in await con.fetch("SELECT * FROM cases")}
            except unreadable as exc:
                return [CaseDamage("*", f"the cases table cannot be read ({exc})")]
            evidence: dict[str, list[Row] | BaseException] = {}
            try:  # one read; case by case only when the table is damaged
                for r in await con.fetch("SELECT * FROM evidence ORDER BY case_id, pos"):
                    evidence.setdefault(r["case_id"], []).append(r)  # type: ignore[union-attr]
            except unreadable:
                evidence = {}
                for case_id in cases:
                    try:
                        evidence[case_id] = await con.fetch(
                            "SELECT * FROM evidence WHERE case_id=? ORDER BY pos", case_id
                        )
                    except unreadable as exc:
                        evidence[case_id] = exc
            audit = await self._audit_rows(con)

        def evidence_of(case_id: str) -> list[Row]:
            found = evidence.get(case_id, [])
            if isinstance(found, BaseException):
                raise found
            return found

        return check_cases(audit, cases, evidence_of, unreadable)

    async def check_storage(self) -> list[str]:
        """Return the database's own integrity findings (SQLite ``quick_check``); [] if fine."""
        return await self.db.check_storage()

    async def close(self) -> None:
        """Release the database."""
        await self.db.close()


def _route_public_methods(cls: type) -> None:
    """Make each public coroutine method ``cls`` defines run where its database's I/O belongs.

    On SQLite that is the store's one worker thread, in call order: ``close`` then waits
    for a call still running there (one whose caller was cancelled, say) instead of closing
    the connection under it, which crashed the process.
    """
    for name, value in list(vars(cls).items()):
        if (
            not name.startswith("_")
            and inspect.iscoroutinefunction(value)
            and not hasattr(value, "__in_db__")
        ):
            setattr(cls, name, _in_db(value))


_route_public_methods(SqlBase)  # its own methods too (close, verify, events, audit_head)
