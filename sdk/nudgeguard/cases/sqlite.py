"""SQLite CaseStore (stdlib sqlite3): the default, a single file in the user's data dir."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from nudgeguard.cases.accounts import SqliteAccounts
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
from nudgeguard.cases.rows import (
    APPENDED_COLUMNS,
    appended,
    case_from_row,
    case_values,
    json_list,
)
from nudgeguard.cases.sqlite_base import SCHEMA_VERSION, StoreVersionError
from nudgeguard.cases.sqlite_outbox import SqliteOutbox
from nudgeguard.cases.sqlite_privacy import SqlitePrivacy
from nudgeguard.cases.store import Announce, CaseClosedError, OutboxItem

__all__ = ["SCHEMA_VERSION", "SqliteCaseStore", "StoreVersionError"]

_OPEN = (CaseStatus.OPEN.value, CaseStatus.ACKNOWLEDGED.value)


def _audit_kind(status: CaseStatus, outcome: Outcome | None) -> str:
    if outcome is Outcome.CONFIRMED:
        return "confirmed"
    if outcome is Outcome.FALSE_POSITIVE or status is CaseStatus.DISMISSED:
        return "dismissed"
    return status.value


class SqliteCaseStore(SqliteOutbox, SqlitePrivacy, SqliteAccounts):
    """A :class:`~nudgeguard.cases.store.CaseStore` in one SQLite file.

    Args:
        path: Database file; created with its folder if missing. ``:memory:`` works too.
        clock: Wall clock used for audit timestamps.
    """

    def _case(self, row: sqlite3.Row, with_evidence: bool) -> Case:
        evidence = (
            self._db.execute(
                "SELECT * FROM evidence WHERE case_id=? ORDER BY ts, pos", (row["id"],)
            ).fetchall()
            if with_evidence
            else ()
        )
        return case_from_row(row, evidence)

    def _insert_evidence(
        self, case_id: str, evidence: Sequence[EvidenceMessage]
    ) -> tuple[int, int]:
        """Upsert evidence rows; return how many were written and the first new position.

        Call inside a transaction, then :meth:`_evidence_digest` for the new digest.
        """
        if not evidence:
            return 0, 0
        row = self._db.execute(
            "SELECT COALESCE(MAX(pos), -1) AS pos FROM evidence WHERE case_id=?", (case_id,)
        ).fetchone()
        first = row["pos"] + 1
        cur = self._db.executemany(
            "INSERT INTO evidence(case_id, pos, message_id, author, ts, text, signals,"
            " attachment_count, edited, deleted) VALUES (?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(case_id, message_id) DO UPDATE SET"
            " edited=MAX(edited, excluded.edited), deleted=MAX(deleted, excluded.deleted),"
            " signals=CASE WHEN excluded.signals != '[]' THEN excluded.signals"
            " ELSE signals END",
            [
                (
                    case_id,
                    pos,
                    e.message_id,
                    e.author,
                    e.ts,
                    e.text,
                    json_list(e.signals),
                    e.attachment_count,
                    int(e.edited),
                    int(e.deleted),
                )
                for pos, e in enumerate(evidence, first)
            ],
        )
        return cur.rowcount, first

    def _evidence_digest(self, case_id: str, first: int) -> str:
        """Return a case's evidence digest once rows from position ``first`` were added."""
        prev = None
        if first > 0:
            details = self._db.execute(
                "SELECT detail FROM audit WHERE case_id=? AND instr(detail, ?) > 0"
                " ORDER BY seq DESC LIMIT 1",
                (case_id, EVIDENCE_KEY),
            )
            prev = latest_evidence_digest(r["detail"] for r in details)
        if prev is None:  # a new case, or one written before digests existed
            prev, first = EMPTY, 0
        rows = self._db.execute(
            "SELECT * FROM evidence WHERE case_id=? AND pos>=? ORDER BY pos", (case_id, first)
        )
        return fold(prev, rows)

    def _announce(self, announce: Announce | None, case: Case) -> None:
        for item in announce(case) if announce else ():
            self._queue(item)

    # -- cases -----------------------------------------------------------------------------
    async def open_case(  # noqa: D102
        self,
        case: Case,
        evidence: Sequence[EvidenceMessage],
        announce: Announce | None = None,
    ) -> Case:
        stored = case.model_copy(update={"evidence": ()}) if case.evidence else case
        with self._tx() as db:
            db.execute(
                "INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", case_values(case)
            )
            self._insert_evidence(case.id, evidence)
            row = db.execute("SELECT * FROM cases WHERE id=?", (case.id,)).fetchone()
            self._audit(
                case.id,
                "opened",
                "system",
                {
                    "severity": case.severity.value,
                    "evidence": len(evidence),
                    **commitments(state_digest(row), self._evidence_digest(case.id, 0)),
                },
            )
            self._announce(announce, stored)
        return stored

    async def _must_get(self, case_id: str) -> Case:
        stored = await self.get(case_id)
        if stored is None:
            raise KeyError(case_id)
        return stored

    async def find_open(  # noqa: D102
        self, platform: str, community_id: str, conversation_id: str, subject: str, target: str
    ) -> Case | None:
        row = self._db.execute(
            "SELECT * FROM cases WHERE platform=? AND community_id=? AND conversation_id=?"
            " AND subject=? AND target=? AND status IN (?, ?) ORDER BY opened_at DESC LIMIT 1",
            (platform, community_id, conversation_id, subject, target, *_OPEN),
        ).fetchone()
        return self._case(row, with_evidence=False) if row else None

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
        with self._tx() as db:
            row = db.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
            if row is None:
                raise KeyError(case_id)
            if open_only and row["status"] not in _OPEN:
                raise CaseClosedError(case_id)
            added, first = self._insert_evidence(case_id, evidence)
            updated = appended(row, severity, score, signals, stages, self._now(), reasons)
            db.execute(
                "UPDATE cases SET severity=?, score=?, signals=?, stages=?, reasons=?,"
                " updated_at=? WHERE id=?",
                (*(updated[c] for c in APPENDED_COLUMNS), case_id),
            )
            if added:
                digest = self._evidence_digest(case_id, first)
                detail = {"messages": added, **commitments(evidence=digest)}
                self._audit(case_id, "evidence_added", "system", detail)
            if updated["severity"] != row["severity"]:
                detail = {"from": row["severity"], "to": updated["severity"]}
                detail |= commitments(state_digest(updated))
                self._audit(case_id, "severity_raised", "system", detail)
            # Without the evidence: re-reading every stored message on each append made
            # long conversations quadratic. ``get`` returns the full case when needed.
            case = case_from_row(updated)
            self._announce(announce, case)
        return case

    async def get(self, case_id: str) -> Case | None:  # noqa: D102
        row = self._db.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
        return self._case(row, with_evidence=True) if row else None

    async def list_cases(  # noqa: D102
        self, status: CaseStatus | None = None, community_id: str | None = None
    ) -> list[Case]:
        sql, args = "SELECT * FROM cases WHERE 1=1", list[str]()
        if status is not None:
            sql, args = sql + " AND status=?", [*args, status.value]
        if community_id is not None:
            sql, args = sql + " AND community_id=?", [*args, community_id]
        rows = self._db.execute(sql + " ORDER BY opened_at DESC, id", args).fetchall()
        return [self._case(r, with_evidence=False) for r in rows]

    async def cases_of(self, pseudonym: str) -> list[Case]:  # noqa: D102
        rows = self._db.execute(
            "SELECT * FROM cases WHERE subject=? OR target=? OR id IN"
            " (SELECT case_id FROM evidence WHERE author=?) ORDER BY opened_at, id",
            (pseudonym, pseudonym, pseudonym),
        ).fetchall()
        return [self._case(r, with_evidence=True) for r in rows]

    async def transition(  # noqa: D102
        self,
        case_id: str,
        status: CaseStatus,
        actor: str,
        outcome: Outcome | None = None,
        note: str | None = None,
    ) -> Case:
        with self._tx() as db:
            row = db.execute("SELECT status FROM cases WHERE id=?", (case_id,)).fetchone()
            if row is None:
                raise KeyError(case_id)
            db.execute(
                "UPDATE cases SET status=?, outcome=COALESCE(?, outcome), updated_at=? WHERE id=?",
                (status.value, outcome.value if outcome else None, self._now(), case_id),
            )
            after = db.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
            detail: dict[str, Any] = {"from": row["status"], "to": status.value}
            detail |= commitments(state_digest(after))
            if outcome is not None:
                detail["outcome"] = outcome.value
            if note:
                detail["note"] = note
            self._audit(case_id, _audit_kind(status, outcome), actor, detail)
            if outcome in (Outcome.CONFIRMED, Outcome.FALSE_POSITIVE):
                assert outcome is not None
                self._write_feedback(case_id, outcome.value)
        return await self._must_get(case_id)

    async def record(  # noqa: D102
        self,
        case_id: str,
        kind: str,
        actor: str,
        detail: dict[str, str | int | float | bool | None] | None = None,
        queue: Sequence[OutboxItem] = (),
    ) -> None:
        with self._tx():
            self._audit(case_id, kind, actor, dict(detail or {}))
            for item in queue:
                self._queue(item)

    async def events(self, case_id: str | None = None) -> list[CaseEvent]:  # noqa: D102
        sql, args = "SELECT * FROM audit", tuple[str, ...]()
        if case_id is not None:
            sql, args = sql + " WHERE case_id=?", (case_id,)
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
            for r in self._db.execute(sql + " ORDER BY seq", args)
        ]

    async def verify_chain(self) -> ChainBreak | None:  # noqa: D102
        return verify_rows(self._audit_rows(), await self.audit_head())

    async def verify_cases(self) -> list[CaseDamage]:
        """Return every case whose rows differ from what the audit chain committed to."""
        try:
            rows = {r["id"]: r for r in self._db.execute("SELECT * FROM cases")}
        except sqlite3.DatabaseError as exc:
            return [CaseDamage("*", f"the cases table cannot be read ({exc})")]

        def evidence_of(case_id: str) -> list[sqlite3.Row]:
            return self._db.execute(
                "SELECT * FROM evidence WHERE case_id=? ORDER BY pos", (case_id,)
            ).fetchall()

        return check_cases(self._audit_rows(), rows, evidence_of, (sqlite3.DatabaseError,))

    async def check_storage(self) -> list[str]:
        """Return SQLite's own findings on the file (``PRAGMA quick_check``); empty if fine."""
        try:
            found = [str(r[0]) for r in self._db.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [] if found == ["ok"] else found

    async def audit_head(self) -> str | None:  # noqa: D102
        head = self._db.execute("SELECT value FROM meta WHERE key='audit_head'").fetchone()
        return str(head["value"]) if head else None

    async def close(self) -> None:  # noqa: D102
        self._db.close()
