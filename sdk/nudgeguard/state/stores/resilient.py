"""ResilientCaseStore: a shared case store that survives its server going away.

While PostgreSQL is unreachable, every write the engine makes while handling messages
(opening cases, adding evidence, audit events, outbox items, observations) goes to a local
SQLite *spool*, so nudges keep going out and no case is lost. Every ``retry_interval``
seconds a background probe tries the server again (handling never waits for it); once it
answers, the spool is replayed into it (cases with the same ids and evidence, their audit
events, pending outbox items, observations) and emptied. Moderator-side operations
(transitions, exports, erasure) go to the server only and raise while it is down: a
person can retry those.

A case the server already held cannot be read during the outage, so new evidence about
that pair opens a second, spooled case (with its own alert); both reach moderators.

The same wrapper guards the default SQLite store against failing writes (a full disk, an
I/O error, a read-only or locked file: :func:`is_outage`): the case is written to the
spool (by default in memory, or ``cases.spool`` on another disk) with its alert, and
replayed into the store file once writes succeed again. Reads still work on a full disk,
so new evidence about a case the file already holds is added to a spooled copy of its
head and merged into the case on replay. Here moderators are told once the case lands
(``hold_alerts``): its alert waits in the spool and is queued in the file with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nudgeguard.cases.model import Case, EvidenceMessage, Severity
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import Announce, CaseStore, Observation, OutboxItem

log = logging.getLogger(__name__)

#: Errors that mean "the server is not there", as opposed to a bad request.
OUTAGES: tuple[type[BaseException], ...] = (OSError, asyncio.TimeoutError, ConnectionError)
#: A database server's own refusals (no such database, role or schema) and driver errors
#: that are not an OSError: what a command line reports as a plain error. (An OSError,
#: an unreachable server included, is reported by the command group itself.)
REFUSALS: tuple[type[BaseException], ...] = ()
try:  # pragma: no branch - asyncpg is the postgres extra
    import asyncpg  # type: ignore[import-untyped]

    OUTAGES += (asyncpg.PostgresConnectionError, asyncpg.InterfaceError)
    REFUSALS = (asyncpg.PostgresError, asyncpg.InterfaceError)
except ImportError:  # pragma: no cover
    pass

#: SQLite result codes of a store that cannot write now but may later: busy, locked,
#: read-only, I/O error, full, cannot open, locking protocol.
_SQLITE_OUTAGE_CODES = {5, 6, 8, 10, 13, 14, 15}
_SQLITE_OUTAGE_TEXT = (
    "database or disk is full",
    "disk i/o error",
    "database is locked",
    "readonly database",
    "unable to open database file",
)


def is_outage(exc: BaseException) -> bool:
    """Return True when an error means "the store cannot be written now", not a bad call."""
    if isinstance(exc, OUTAGES):
        return True
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_OUTAGE_CODES
    text = str(exc).lower()
    return any(t in text for t in _SQLITE_OUTAGE_TEXT)


#: Audit kinds the server writes itself when a spooled case is replayed.
_REPLAYED_BY_STORE = {"opened", "evidence_added", "severity_raised"}
#: Settings that must never silently diverge between the server and a spool.
_SERVER_ONLY_SETTINGS = {"pseudonym_key"}


class _AlreadyThere(Exception):
    """The spooled case is already in the primary store."""


class ResilientCaseStore:
    """Wraps a shared :class:`~nudgeguard.cases.store.CaseStore` with a local spool.

    Args:
        primary: The shared store (PostgreSQL), or the SQLite store file.
        spool_path: SQLite file for writes made while the primary is down (``:memory:``
            keeps them in this process only).
        retry_interval: Seconds between attempts to reach the primary again.
        hold_alerts: Keep spooled alerts until their case lands in the primary (they are
            replayed with it, then delivered), so a moderator's buttons work on every alert
            they get. Nudges always go out from the spool at once.
    """

    def __init__(
        self,
        primary: CaseStore,
        spool_path: str | Path,
        retry_interval: float = 5.0,
        *,
        hold_alerts: bool = False,
    ) -> None:
        self.primary = primary
        self.hold_alerts = hold_alerts
        self._in_memory = str(spool_path) == ":memory:"
        self.spool_path = Path(spool_path)
        self.spool = SqliteCaseStore(":memory:" if self._in_memory else self.spool_path)
        self.retry_interval = retry_interval
        self.degraded = False
        self.last_error: str | None = None
        self._retry_at = 0.0
        self._replaying = asyncio.Lock()
        self._prober: asyncio.Task[None] | None = None

    def __getattr__(self, name: str) -> Any:
        # Everything not wrapped below (moderation, exports, privacy) needs the server.
        return getattr(self.primary, name)

    # -- routing ---------------------------------------------------------------------------
    def _down(self, exc: BaseException) -> None:
        if not self.degraded:
            log.warning("case store unreachable (%s); spooling locally", type(exc).__name__)
        self.degraded = True
        self.last_error = type(exc).__name__
        self._retry_at = time.monotonic() + self.retry_interval

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.degraded and self._replaying.locked():
            async with self._replaying:  # a replay is under way: write after it, in order
                pass
        if self.degraded:
            if time.monotonic() >= self._retry_at and self._prober is None:
                # Probe in the background: handling never waits on a server that may hang.
                self._retry_at = time.monotonic() + self.retry_interval
                self._prober = asyncio.create_task(self._probe())
            return await getattr(self.spool, name)(*args, **kwargs)
        try:
            return await getattr(self.primary, name)(*args, **kwargs)
        except Exception as exc:
            if not is_outage(exc):
                raise
            self._down(exc)
            return await getattr(self.spool, name)(*args, **kwargs)

    async def _probe(self) -> None:
        """Ask the primary for a sign of life; replay the spool when it answers."""
        try:
            ping = getattr(self.primary, "ping", None)
            alive = True
            if ping is not None:
                try:
                    alive = bool(await ping())
                except OUTAGES as exc:
                    self._down(exc)
                    alive = False
            if alive:
                await self.recover()
        except Exception as exc:  # a probe must never take the bot down; the next one retries
            log.warning("case store probe failed (%s); retrying later", type(exc).__name__)
        finally:
            self._prober = None

    async def recover(self) -> bool:
        """Replay the spool into the primary if it answers; return True when it did."""
        async with self._replaying:
            try:
                await self.replay()
            except Exception as exc:
                if not is_outage(exc):
                    raise
                self._down(exc)
                return False
            if self.degraded:
                log.warning("case store reachable again; spooled writes replayed")
            self.degraded = False
            return True

    async def replay(self) -> int:
        """Copy everything in the spool into the primary, then empty it; return cases moved."""
        cases = await self.spool.list_cases()
        for summary in reversed(cases):
            case = await self.spool.get(summary.id)
            if case is None:
                continue
            try:
                if await self.primary.get(case.id) is not None:
                    raise _AlreadyThere
                head = case.model_copy(update={"evidence": ()})
                await self.primary.open_case(head, case.evidence)
            except Exception as exc:
                if is_outage(exc):
                    raise
                # Already copied (by an earlier, interrupted replay or another process
                # sharing this spool): extend it; evidence is de-duplicated by message id.
                await self.primary.add_evidence(
                    case.id, case.evidence, case.severity, case.score, case.signals, case.stages
                )
            for event in await self.spool.events(case.id):
                if event.kind not in _REPLAYED_BY_STORE:
                    detail = {**event.detail, "spooled_at": event.ts}
                    await self.primary.record(case.id, event.kind, event.actor, detail)
        for item in await self.spool.due(float("inf"), limit=1_000_000):
            await self.primary.enqueue(item)
        for obs in await self.spool.observations():
            await self.primary.observe(obs)
        if self._in_memory:  # a fresh, empty spool (observations must not replay twice)
            await self.spool.close()
            self.spool = SqliteCaseStore(":memory:")
        elif cases or self.spool_path.exists():
            await self.spool.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.spool_path) + suffix).unlink(missing_ok=True)
            self.spool = SqliteCaseStore(self.spool_path)
        return len(cases)

    # -- what the engine writes while handling messages ------------------------------------
    async def open_case(  # noqa: D102
        self,
        case: Case,
        evidence: Sequence[EvidenceMessage],
        announce: Announce | None = None,
    ) -> Case:
        result: Case = await self._call("open_case", case, evidence, announce)
        return result

    async def find_open(  # noqa: D102
        self, platform: str, community_id: str, conversation_id: str, subject: str, target: str
    ) -> Case | None:
        args = (platform, community_id, conversation_id, subject, target)
        found: Case | None = await self._call("find_open", *args)
        if found is None and self.degraded:
            found = await self.spool.find_open(*args)
        return found

    async def add_evidence(  # noqa: D102
        self,
        case_id: str,
        evidence: Sequence[EvidenceMessage],
        severity: Severity | None = None,
        score: float | None = None,
        signals: Sequence[str] = (),
        stages: Sequence[str] = (),
        open_only: bool = False,
        reasons: Sequence[str] = (),
        announce: Announce | None = None,
    ) -> Case:
        args = (case_id, evidence, severity, score, signals, stages, open_only, reasons, announce)
        try:
            result: Case = await self._call("add_evidence", *args)
        except KeyError:
            if not self.degraded or not await self._copy_head(case_id):
                raise
            result = await self.spool.add_evidence(*args)
        return result

    async def _copy_head(self, case_id: str) -> bool:
        """Copy a case the store holds (readable, not writable) into the spool's head."""
        try:
            held = await self.primary.get(case_id)
        except Exception as exc:  # a server that cannot be reached cannot be read either
            if is_outage(exc):
                return False
            raise
        if held is None or await self.spool.get(case_id) is not None:
            return False
        await self.spool.open_case(held.model_copy(update={"evidence": ()}), ())
        return True

    async def get(self, case_id: str, *, evidence: bool = True) -> Case | None:  # noqa: D102
        found: Case | None = await self._call("get", case_id, evidence=evidence)
        if found is None and self.degraded:
            found = await self.spool.get(case_id, evidence=evidence)
        return found

    async def record(  # noqa: D102
        self,
        case_id: str,
        kind: str,
        actor: str,
        detail: dict[str, str | int | float | bool | None] | None = None,
        queue: Sequence[OutboxItem] = (),
    ) -> None:
        await self._call("record", case_id, kind, actor, detail, queue)

    async def enqueue(self, item: OutboxItem) -> bool:  # noqa: D102
        done: bool = await self._call("enqueue", item)
        return done

    async def due(self, now: float, limit: int = 50) -> list[OutboxItem]:  # noqa: D102
        items: list[OutboxItem] = await self._call("due", now, limit)
        if self.degraded and self.hold_alerts:  # from the spool: nudges only
            items = [i for i in items if i.kind != "alert"]
        return items

    async def claim(self, item_id: str, now: float, lease: float) -> bool:  # noqa: D102
        done: bool = await self._call("claim", item_id, now, lease)
        return done

    async def mark_sent(self, item_id: str, ref: str | None, now: float) -> None:  # noqa: D102
        await self._call("mark_sent", item_id, ref, now)

    async def sent_ref(self, case_id: str, target: str) -> str | None:  # noqa: D102
        found: str | None = await self._call("sent_ref", case_id, target)
        return found

    async def overtaken(self, item_id: str) -> bool:  # noqa: D102
        found: bool = await self._call("overtaken", item_id)
        return found

    async def mark_retry(self, item_id: str, attempts: int, next_at: float, error: str) -> None:  # noqa: D102
        await self._call("mark_retry", item_id, attempts, next_at, error)

    async def mark_failed(self, item_id: str, status: str, error: str, now: float) -> None:  # noqa: D102
        await self._call("mark_failed", item_id, status, error, now)

    async def observe(self, obs: Observation) -> None:  # noqa: D102
        await self._call("observe", obs)

    async def get_setting(self, key: str) -> str | None:  # noqa: D102
        if key in _SERVER_ONLY_SETTINGS:
            value: str | None = await self.primary.get_setting(key)
            return value
        found: str | None = await self._call("get_setting", key)
        return found

    async def set_setting(self, key: str, value: str) -> None:  # noqa: D102
        if key in _SERVER_ONLY_SETTINGS:
            await self.primary.set_setting(key, value)
            return
        await self._call("set_setting", key, value)

    async def close(self) -> None:
        """Try a last replay, then close both stores."""
        if self._prober is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._prober
        if self.degraded:
            await self.recover()
        if self.degraded and self._in_memory:
            lost = len(await self.spool.list_cases())
            if lost:
                log.error(
                    "%d spooled cases could not be written to the case store before exit"
                    " (set cases.spool to a file on another disk to keep them)",
                    lost,
                )
        await self.spool.close()
        await self.primary.close()
