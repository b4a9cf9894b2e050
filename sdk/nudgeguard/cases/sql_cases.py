"""Cases and their evidence, written once for every database (see :mod:`nudgeguard.cases.sql`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nudgeguard.cases.integrity import (
    EMPTY,
    EVIDENCE_KEY,
    commitments,
    fold,
    latest_evidence_digest,
    state_digest,
)
from nudgeguard.cases.model import Case, CaseStatus, EvidenceMessage, Outcome, Severity
from nudgeguard.cases.rows import (
    APPENDED_COLUMNS,
    appended,
    case_from_row,
    case_values,
    json_list,
)
from nudgeguard.cases.sql import Conn
from nudgeguard.cases.sql_outbox import SqlOutbox
from nudgeguard.cases.sql_privacy import SqlPrivacy
from nudgeguard.cases.store import Announce, CaseClosedError, OutboxItem

_OPEN = (CaseStatus.OPEN.value, CaseStatus.ACKNOWLEDGED.value)

_UPSERT_EVIDENCE = (
    "INSERT INTO evidence(case_id, pos, message_id, author, ts, text, signals,"
    " attachment_count, edited, deleted) VALUES (?,?,?,?,?,?,?,?,?,?)"
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


class SqlCaseStore(SqlOutbox, SqlPrivacy):
    """A :class:`~nudgeguard.cases.store.CaseStore` on any :class:`~nudgeguard.cases.sql.Database`.

    Cases and their evidence windows live here; the outbox, observations and settings in
    :class:`SqlOutbox`; feedback, purges, erasure and accounts in :class:`SqlPrivacy`.
    """

    async def _insert_evidence(
        self, con: Conn, case_id: str, evidence: Sequence[EvidenceMessage]
    ) -> tuple[int, int]:
        """Upsert evidence rows; return how many were written and the first new position.

        Call inside a transaction, then :meth:`_evidence_digest` for the new digest.
        """
        if not evidence:
            return 0, 0
        rows = _merged(evidence)
        first = int(
            await con.fetchval(
                "SELECT COALESCE(MAX(pos), -1) + 1 FROM evidence WHERE case_id=?", case_id
            )
        )
        clean = self.db.clean
        await con.executemany(
            _UPSERT_EVIDENCE,
            [
                (
                    case_id,
                    pos,
                    clean(e.message_id),
                    e.author,
                    e.ts,
                    clean(e.text),
                    json_list(e.signals),
                    e.attachment_count,
                    e.edited,
                    e.deleted,
                )
                for pos, e in enumerate(rows, first)
            ],
        )
        return len(rows), first

    async def _evidence_digest(self, con: Conn, case_id: str, first: int) -> str:
        """Return a case's evidence digest once rows from position ``first`` were added."""
        prev = None
        if first > 0:
            details = await con.fetch(
                "SELECT detail FROM audit WHERE case_id=? AND {find}(detail, ?) > 0"
                " ORDER BY seq DESC LIMIT 1",
                case_id,
                EVIDENCE_KEY,
            )
            prev = latest_evidence_digest(r["detail"] for r in details)
        if prev is None:  # a new case, or one written before digests existed
            prev, first = EMPTY, 0
        rows = await con.fetch(
            "SELECT * FROM evidence WHERE case_id=? AND pos>=? ORDER BY pos", case_id, first
        )
        return fold(prev, rows)

    async def _announce(self, con: Conn, announce: Announce | None, case: Case) -> None:
        for item in announce(case) if announce else ():
            await self._queue(con, item)

    @staticmethod
    async def _fetch_case(con: Conn, case_id: str) -> Case | None:
        row = await con.fetchrow("SELECT * FROM cases WHERE id=?", case_id)
        if row is None:
            return None
        evidence = await con.fetch(
            "SELECT * FROM evidence WHERE case_id=? ORDER BY ts, pos", case_id
        )
        return case_from_row(row, evidence)

    # -- cases -----------------------------------------------------------------------------
    async def open_case(  # noqa: D102
        self,
        case: Case,
        evidence: Sequence[EvidenceMessage],
        announce: Announce | None = None,
    ) -> Case:
        stored = case.model_copy(
            update={"conversation_id": self.db.clean(case.conversation_id), "evidence": ()}
        )
        async with self.db.tx() as con:
            await con.execute(
                "INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", *case_values(stored)
            )
            await self._insert_evidence(con, case.id, evidence)
            row = await con.fetchrow("SELECT * FROM cases WHERE id=?", case.id)
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
        async with self.db.con() as con:
            row = await con.fetchrow(
                "SELECT * FROM cases WHERE platform=? AND community_id=? AND conversation_id=?"
                " AND subject=? AND target=? AND status IN (?, ?)"
                " ORDER BY opened_at DESC LIMIT 1",
                platform,
                community_id,
                self.db.clean(conversation_id),
                subject,
                target,
                *_OPEN,
            )
        return case_from_row(row) if row else None

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
        async with self.db.tx() as con:
            row = await con.fetchrow("SELECT * FROM cases WHERE id=?{lock}", case_id)
            if row is None:
                raise KeyError(case_id)
            if open_only and row["status"] not in _OPEN:
                raise CaseClosedError(case_id)
            added, first = await self._insert_evidence(con, case_id, evidence)
            updated = appended(row, severity, score, signals, stages, self._now(), reasons)
            await con.execute(
                "UPDATE cases SET severity=?, score=?, signals=?, stages=?, reasons=?,"
                " updated_at=? WHERE id=?",
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
            # Without the evidence: re-reading every stored message on each append made
            # long conversations quadratic. ``get`` returns the full case when needed.
            case = case_from_row(updated)
            await self._announce(con, announce, case)
        return case

    async def get(self, case_id: str, *, evidence: bool = True) -> Case | None:  # noqa: D102
        async with self.db.con() as con:
            if evidence:
                return await self._fetch_case(con, case_id)
            row = await con.fetchrow("SELECT * FROM cases WHERE id=?", case_id)
            return None if row is None else case_from_row(row)

    async def list_cases(  # noqa: D102
        self, status: CaseStatus | None = None, community_id: str | None = None
    ) -> list[Case]:
        sql, args = "SELECT * FROM cases WHERE 1=1", list[str]()
        if status is not None:
            sql, args = sql + " AND status=?", [*args, status.value]
        if community_id is not None:
            sql, args = sql + " AND community_id=?", [*args, community_id]
        async with self.db.con() as con:
            rows = await con.fetch(sql + " ORDER BY opened_at DESC, id", *args)
        return [case_from_row(r) for r in rows]

    async def cases_of(self, pseudonym: str) -> list[Case]:  # noqa: D102
        async with self.db.con() as con:
            rows = await con.fetch(
                "SELECT * FROM cases WHERE subject=? OR target=? OR id IN"
                " (SELECT case_id FROM evidence WHERE author=?) ORDER BY opened_at, id",
                pseudonym,
                pseudonym,
                pseudonym,
            )
            return [
                case_from_row(
                    r,
                    await con.fetch(
                        "SELECT * FROM evidence WHERE case_id=? ORDER BY ts, pos", r["id"]
                    ),
                )
                for r in rows
            ]

    async def transition(  # noqa: D102
        self,
        case_id: str,
        status: CaseStatus,
        actor: str,
        outcome: Outcome | None = None,
        note: str | None = None,
        announce: Announce | None = None,
    ) -> Case:
        async with self.db.tx() as con:
            row = await con.fetchrow("SELECT status FROM cases WHERE id=?{lock}", case_id)
            if row is None:
                raise KeyError(case_id)
            await con.execute(
                "UPDATE cases SET status=?, outcome=COALESCE(?, outcome), updated_at=? WHERE id=?",
                status.value,
                outcome.value if outcome else None,
                self._now(),
                case_id,
            )
            after = await con.fetchrow("SELECT * FROM cases WHERE id=?", case_id)
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
            case = await self._fetch_case(con, case_id)
            assert case is not None
            await self._announce(con, announce, case)
        return case

    async def record(  # noqa: D102
        self,
        case_id: str,
        kind: str,
        actor: str,
        detail: dict[str, str | int | float | bool | None] | None = None,
        queue: Sequence[OutboxItem] = (),
    ) -> None:
        async with self.db.tx() as con:
            await self._audit(con, case_id, kind, actor, dict(detail or {}))
            for item in queue:
                await self._queue(con, item)
