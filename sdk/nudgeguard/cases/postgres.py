"""PostgreSQL CaseStore (asyncpg, extra ``postgres``): one database for many bot processes.

Behaves exactly like :class:`~nudgeguard.cases.sqlite.SqliteCaseStore` (both pass
``tests/cases/contract.py``). Differences that matter at scale: every process shares the
cases, the audit chain (writers are serialised on the chain head row) and the outbox
(leased claims, ``FOR UPDATE SKIP LOCKED`` batches); the schema is migrated in order under
an advisory lock when the first connection opens (:mod:`nudgeguard.cases.migrations`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from nudgeguard.cases.audit import ChainBreak, verify_rows
from nudgeguard.cases.integrity import (
    EMPTY,
    EVIDENCE_KEY,
    CaseDamage,
    check_cases,
    commitments,
    fold,
    latest_evidence_digest,
    state_digest,
)
from nudgeguard.cases.model import (
    Case,
    CaseEvent,
    CaseStatus,
    EvidenceMessage,
    Outcome,
    Severity,
)
from nudgeguard.cases.postgres_accounts import PostgresAccounts
from nudgeguard.cases.postgres_base import affected, clean_text
from nudgeguard.cases.postgres_outbox import PostgresOutbox
from nudgeguard.cases.postgres_privacy import PostgresPrivacy
from nudgeguard.cases.rows import APPENDED_COLUMNS, appended, case_from_row, case_values
from nudgeguard.cases.store import Announce, CaseClosedError, OutboxItem

__all__ = ["PostgresCaseStore"]

_OPEN = [CaseStatus.OPEN.value, CaseStatus.ACKNOWLEDGED.value]

_UPSERT_EVIDENCE = (
    "INSERT INTO evidence(case_id, pos, message_id, author, ts, text, signals,"
    " attachment_count, edited, deleted)"
    " SELECT $1, $2 + u.i - 1, u.m, u.a, u.t, u.x, u.s, u.c, u.e, u.d FROM unnest("
    "$3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::int[], $9::bool[],"
    " $10::bool[]) WITH ORDINALITY AS u(m, a, t, x, s, c, e, d, i)"
    " ON CONFLICT (case_id, message_id) DO UPDATE SET"
    " edited = evidence.edited OR excluded.edited,"
    " deleted = evidence.deleted OR excluded.deleted,"
    " signals = CASE WHEN excluded.signals <> '[]' THEN excluded.signals"
    " ELSE evidence.signals END"
)


def _audit_kind(status: CaseStatus, outcome: Outcome | None) -> str:
    if outcome is Outcome.CONFIRMED:
        return "confirmed"
    if outcome is Outcome.FALSE_POSITIVE or status is CaseStatus.DISMISSED:
        return "dismissed"
    return status.value


def _merged(evidence: Sequence[EvidenceMessage]) -> list[EvidenceMessage]:
    """Fold repeated message ids into one row, as successive upserts would."""
    rows: dict[str, EvidenceMessage] = {}
    for e in evidence:
        prior = rows.get(e.message_id)
        if prior is not None:
            e = prior.model_copy(
                update={
                    "edited": prior.edited or e.edited,
                    "deleted": prior.deleted or e.deleted,
                    "signals": e.signals or prior.signals,
                }
            )
        rows[e.message_id] = e
    return list(rows.values())


class PostgresCaseStore(PostgresOutbox, PostgresPrivacy, PostgresAccounts):
    """A :class:`~nudgeguard.cases.store.CaseStore` on PostgreSQL.

    Args:
        dsn: ``postgresql://user[:password]@host:port/database``.
        schema: Schema to use (created if missing); ``public`` if omitted.
        clock: Wall clock used for audit timestamps.
    """

    @staticmethod
    def _case(row: Any, evidence: Sequence[Any] = ()) -> Case:
        return case_from_row(row, evidence)

    async def _insert_evidence(
        self, con: Any, case_id: str, evidence: Sequence[EvidenceMessage]
    ) -> tuple[int, int]:
        """Upsert evidence rows; return how many were written and the first new position."""
        if not evidence:
            return 0, 0
        rows = _merged(evidence)
        pos = await con.fetchval(
            "SELECT COALESCE(MAX(pos), -1) + 1 FROM evidence WHERE case_id=$1", case_id
        )
        status = await con.execute(
            _UPSERT_EVIDENCE,
            case_id,
            pos,
            [clean_text(e.message_id) for e in rows],
            [e.author for e in rows],
            [e.ts for e in rows],
            [clean_text(e.text) for e in rows],
            [json.dumps(list(e.signals)) for e in rows],
            [e.attachment_count for e in rows],
            [e.edited for e in rows],
            [e.deleted for e in rows],
        )
        return affected(status), int(pos)

    async def _evidence_digest(self, con: Any, case_id: str, first: int) -> str:
        """Return a case's evidence digest once rows from position ``first`` were added."""
        prev = None
        if first > 0:
            details = await con.fetch(
                "SELECT detail FROM audit WHERE case_id=$1 AND strpos(detail, $2) > 0"
                " ORDER BY seq DESC LIMIT 1",
                case_id,
                EVIDENCE_KEY,
            )
            prev = latest_evidence_digest(r["detail"] for r in details)
        if prev is None:  # a new case, or one written before digests existed
            prev, first = EMPTY, 0
        rows = await con.fetch(
            "SELECT * FROM evidence WHERE case_id=$1 AND pos>=$2 ORDER BY pos", case_id, first
        )
        return fold(prev, rows)

    async def _announce(self, con: Any, announce: Announce | None, case: Case) -> None:
        for item in announce(case) if announce else ():
            await self._queue(con, item)

    async def _fetch_case(self, con: Any, case_id: str) -> Case | None:
        row = await con.fetchrow("SELECT * FROM cases WHERE id=$1", case_id)
        if row is None:
            return None
        evidence = await con.fetch(
            "SELECT * FROM evidence WHERE case_id=$1 ORDER BY ts, pos", case_id
        )
        return self._case(row, evidence)

    async def _must_get(self, con: Any, case_id: str) -> Case:
        case = await self._fetch_case(con, case_id)
        if case is None:
            raise KeyError(case_id)
        return case

    # -- cases -----------------------------------------------------------------------------
    async def open_case(  # noqa: D102
        self,
        case: Case,
        evidence: Sequence[EvidenceMessage],
        announce: Announce | None = None,
    ) -> Case:
        async with self._tx() as con:
            stored = case.model_copy(
                update={"conversation_id": clean_text(case.conversation_id), "evidence": ()}
            )
            await con.execute(
                "INSERT INTO cases VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
                *case_values(stored),
            )
            await self._insert_evidence(con, case.id, evidence)
            row = await con.fetchrow("SELECT * FROM cases WHERE id=$1", case.id)
            digest = await self._evidence_digest(con, case.id, 0)
            await self._audit(
                con,
                case.id,
                "opened",
                "system",
                {
                    "severity": case.severity.value,
                    "evidence": len(evidence),
                    **commitments(state_digest(row), digest),
                },
            )
            await self._announce(con, announce, stored)
            return stored

    async def find_open(  # noqa: D102
        self, platform: str, community_id: str, conversation_id: str, subject: str, target: str
    ) -> Case | None:
        async with self._con() as con:
            row = await con.fetchrow(
                "SELECT * FROM cases WHERE platform=$1 AND community_id=$2"
                " AND conversation_id=$3 AND subject=$4 AND target=$5"
                " AND status = ANY($6::text[]) ORDER BY opened_at DESC LIMIT 1",
                platform,
                community_id,
                clean_text(conversation_id),
                subject,
                target,
                _OPEN,
            )
        return self._case(row) if row else None

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
        async with self._tx() as con:
            row = await con.fetchrow("SELECT * FROM cases WHERE id=$1 FOR UPDATE", case_id)
            if row is None:
                raise KeyError(case_id)
            if open_only and row["status"] not in _OPEN:
                raise CaseClosedError(case_id)
            added, first = await self._insert_evidence(con, case_id, evidence)
            updated = appended(row, severity, score, signals, stages, self._now(), reasons)
            await con.execute(
                "UPDATE cases SET severity=$1, score=$2, signals=$3, stages=$4, reasons=$5,"
                " updated_at=$6 WHERE id=$7",
                *(updated[c] for c in APPENDED_COLUMNS),
                case_id,
            )
            if added:
                digest = await self._evidence_digest(con, case_id, first)
                detail = {"messages": added, **commitments(evidence=digest)}
                await self._audit(con, case_id, "evidence_added", "system", detail)
            if updated["severity"] != row["severity"]:
                detail = {"from": row["severity"], "to": updated["severity"]}
                detail |= commitments(state_digest(updated))
                await self._audit(con, case_id, "severity_raised", "system", detail)
            # Without the evidence, as the SQLite store: re-reading every stored message on
            # each append made long conversations quadratic. ``get`` returns it all.
            case = self._case(updated)
            await self._announce(con, announce, case)
            return case

    async def get(self, case_id: str) -> Case | None:  # noqa: D102
        async with self._con() as con:
            return await self._fetch_case(con, case_id)

    async def list_cases(  # noqa: D102
        self, status: CaseStatus | None = None, community_id: str | None = None
    ) -> list[Case]:
        sql = "SELECT * FROM cases WHERE ($1::text IS NULL OR status=$1)"
        sql += " AND ($2::text IS NULL OR community_id=$2) ORDER BY opened_at DESC, id"
        async with self._con() as con:
            rows = await con.fetch(sql, status.value if status else None, community_id)
        return [self._case(r) for r in rows]

    async def cases_of(self, pseudonym: str) -> list[Case]:  # noqa: D102
        async with self._con() as con:
            ids = await con.fetch(
                "SELECT id FROM cases WHERE subject=$1 OR target=$1 OR id IN"
                " (SELECT case_id FROM evidence WHERE author=$1) ORDER BY opened_at, id",
                pseudonym,
            )
            found = [await self._fetch_case(con, r["id"]) for r in ids]
        return [c for c in found if c is not None]

    async def transition(  # noqa: D102
        self,
        case_id: str,
        status: CaseStatus,
        actor: str,
        outcome: Outcome | None = None,
        note: str | None = None,
    ) -> Case:
        async with self._tx() as con:
            row = await con.fetchrow("SELECT status FROM cases WHERE id=$1 FOR UPDATE", case_id)
            if row is None:
                raise KeyError(case_id)
            await con.execute(
                "UPDATE cases SET status=$1, outcome=COALESCE($2, outcome), updated_at=$3"
                " WHERE id=$4",
                status.value,
                outcome.value if outcome else None,
                self._now(),
                case_id,
            )
            after = await con.fetchrow("SELECT * FROM cases WHERE id=$1", case_id)
            detail: dict[str, Any] = {"from": row["status"], "to": status.value}
            detail |= commitments(state_digest(after))
            if outcome is not None:
                detail["outcome"] = outcome.value
            if note:
                detail["note"] = note
            await self._audit(con, case_id, _audit_kind(status, outcome), actor, detail)
            if outcome in (Outcome.CONFIRMED, Outcome.FALSE_POSITIVE):
                assert outcome is not None
                await self._write_feedback(con, case_id, outcome.value)
            return await self._must_get(con, case_id)

    async def record(  # noqa: D102
        self,
        case_id: str,
        kind: str,
        actor: str,
        detail: dict[str, str | int | float | bool | None] | None = None,
        queue: Sequence[OutboxItem] = (),
    ) -> None:
        async with self._tx() as con:
            await self._audit(con, case_id, kind, actor, dict(detail or {}))
            for item in queue:
                await self._queue(con, item)

    async def events(self, case_id: str | None = None) -> list[CaseEvent]:  # noqa: D102
        async with self._con() as con:
            rows = await con.fetch(
                "SELECT * FROM audit WHERE ($1::text IS NULL OR case_id=$1) ORDER BY seq", case_id
            )
        return [
            CaseEvent(
                seq=r["seq"],
                case_id=r["case_id"],
                ts=r["ts"],
                kind=r["kind"],
                actor=r["actor"],
                detail=json.loads(r["detail"]),
                hash=r["hash"],
            )
            for r in rows
        ]

    async def verify_chain(self) -> ChainBreak | None:  # noqa: D102
        return verify_rows(await self._audit_rows(), await self.audit_head())

    async def verify_cases(self) -> list[CaseDamage]:
        """Return every case whose rows differ from what the audit chain committed to."""
        async with self._con() as con:
            cases = {r["id"]: r for r in await con.fetch("SELECT * FROM cases")}
            evidence: dict[str, list[Any]] = {}
            for r in await con.fetch("SELECT * FROM evidence ORDER BY case_id, pos"):
                evidence.setdefault(r["case_id"], []).append(r)
        audit = await self._audit_rows()
        return check_cases(audit, cases, lambda case_id: evidence.get(case_id, []))

    async def check_storage(self) -> list[str]:
        """Return the server's findings on its files: none (PostgreSQL checks its own pages)."""
        return []
