"""SQLite CaseStore (stdlib sqlite3): the default, a single file in the user's data dir."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nudgeguard.cases.model import (
    Case,
    CaseEvent,
    CaseStatus,
    EvidenceMessage,
    Outcome,
    Severity,
    severity_rank,
)
from nudgeguard.cases.store import ChainBreak, Observation, OutboxItem

SCHEMA_VERSION = 1
GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY, platform TEXT NOT NULL, community_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL, subject TEXT NOT NULL, target TEXT NOT NULL,
    severity TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT, score REAL NOT NULL,
    signals TEXT NOT NULL, stages TEXT NOT NULL, reasons TEXT NOT NULL,
    opened_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS cases_pair
    ON cases(platform, community_id, conversation_id, subject, target, status);
CREATE TABLE IF NOT EXISTS evidence (
    case_id TEXT NOT NULL REFERENCES cases(id), pos INTEGER NOT NULL, message_id TEXT NOT NULL,
    author TEXT NOT NULL, ts REAL NOT NULL, text TEXT NOT NULL, signals TEXT NOT NULL,
    attachment_count INTEGER NOT NULL, edited INTEGER NOT NULL, deleted INTEGER NOT NULL,
    PRIMARY KEY (case_id, message_id));
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, case_id TEXT NOT NULL, ts REAL NOT NULL, kind TEXT NOT NULL,
    actor TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, case_id TEXT, target TEXT NOT NULL, kind TEXT NOT NULL,
    payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
    next_at REAL NOT NULL, created_at REAL NOT NULL, done_at REAL, last_error TEXT, ref TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_at);
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY, ts REAL NOT NULL, platform TEXT NOT NULL,
    community_id TEXT NOT NULL, level TEXT NOT NULL, signals TEXT NOT NULL,
    actions TEXT NOT NULL, mode TEXT NOT NULL);
"""

_OPEN = (CaseStatus.OPEN.value, CaseStatus.ACKNOWLEDGED.value)


def link_hash(
    prev: str, seq: int, case_id: str, ts: float, kind: str, actor: str, detail: str
) -> str:
    """Return the hash of one audit row chained to the previous row's hash."""
    body = json.dumps([prev, seq, case_id, repr(ts), kind, actor, detail], separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


class SqliteCaseStore:
    """A :class:`~nudgeguard.cases.store.CaseStore` in one SQLite file.

    Args:
        path: Database file; created with its folder if missing. ``:memory:`` works too.
        clock: Wall clock used for audit timestamps.
    """

    def __init__(self, path: str | Path, clock: Any = time.time) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self._clock = clock
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    # -- helpers ---------------------------------------------------------------------------
    def _tx(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def _audit(self, case_id: str, kind: str, actor: str, detail: dict[str, Any]) -> None:
        row = self._db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row["seq"] + 1, row["hash"]) if row else (1, GENESIS)
        ts = float(self._clock())
        body = json.dumps(detail, sort_keys=True, separators=(",", ":"))
        digest = link_hash(prev, seq, case_id, ts, kind, actor, body)
        self._db.execute(
            "INSERT INTO audit(seq, case_id, ts, kind, actor, detail, prev_hash, hash)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (seq, case_id, ts, kind, actor, body, prev, digest),
        )
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES ('audit_head', ?) ON CONFLICT(key)"
            " DO UPDATE SET value=excluded.value",
            (f"{seq}:{digest}",),
        )

    def _case(self, row: sqlite3.Row, with_evidence: bool) -> Case:
        evidence: tuple[EvidenceMessage, ...] = ()
        if with_evidence:
            evidence = tuple(
                EvidenceMessage(
                    message_id=e["message_id"],
                    author=e["author"],
                    ts=e["ts"],
                    text=e["text"],
                    signals=tuple(json.loads(e["signals"])),
                    attachment_count=e["attachment_count"],
                    edited=bool(e["edited"]),
                    deleted=bool(e["deleted"]),
                )
                for e in self._db.execute(
                    "SELECT * FROM evidence WHERE case_id=? ORDER BY ts, pos", (row["id"],)
                )
            )
        return Case(
            id=row["id"],
            platform=row["platform"],
            community_id=row["community_id"],
            conversation_id=row["conversation_id"],
            subject=row["subject"],
            target=row["target"],
            severity=Severity(row["severity"]),
            status=CaseStatus(row["status"]),
            outcome=Outcome(row["outcome"]) if row["outcome"] else None,
            score=row["score"],
            signals=tuple(json.loads(row["signals"])),
            stages=tuple(json.loads(row["stages"])),
            reasons=tuple(json.loads(row["reasons"])),
            opened_at=row["opened_at"],
            updated_at=row["updated_at"],
            evidence=evidence,
        )

    def _insert_evidence(self, case_id: str, evidence: Sequence[EvidenceMessage]) -> int:
        row = self._db.execute(
            "SELECT COALESCE(MAX(pos), -1) AS pos FROM evidence WHERE case_id=?", (case_id,)
        ).fetchone()
        pos = row["pos"] + 1
        added = 0
        for e in evidence:
            cur = self._db.execute(
                "INSERT INTO evidence(case_id, pos, message_id, author, ts, text, signals,"
                " attachment_count, edited, deleted) VALUES (?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(case_id, message_id) DO UPDATE SET"
                " edited=MAX(edited, excluded.edited), deleted=MAX(deleted, excluded.deleted),"
                " signals=CASE WHEN excluded.signals != '[]' THEN excluded.signals"
                " ELSE signals END",
                (
                    case_id,
                    pos,
                    e.message_id,
                    e.author,
                    e.ts,
                    e.text,
                    json.dumps(list(e.signals)),
                    e.attachment_count,
                    int(e.edited),
                    int(e.deleted),
                ),
            )
            added += cur.rowcount
            pos += 1
        return added

    # -- cases -----------------------------------------------------------------------------
    async def open_case(self, case: Case, evidence: Sequence[EvidenceMessage]) -> Case:  # noqa: D102
        db = self._tx()
        try:
            db.execute(
                "INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    case.id,
                    case.platform,
                    case.community_id,
                    case.conversation_id,
                    case.subject,
                    case.target,
                    case.severity.value,
                    case.status.value,
                    case.outcome.value if case.outcome else None,
                    case.score,
                    json.dumps(list(case.signals)),
                    json.dumps(list(case.stages)),
                    json.dumps(list(case.reasons)),
                    case.opened_at,
                    case.updated_at,
                ),
            )
            self._insert_evidence(case.id, evidence)
            self._audit(
                case.id,
                "opened",
                "system",
                {"severity": case.severity.value, "evidence": len(evidence)},
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        stored = await self.get(case.id)
        assert stored is not None
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
    ) -> Case:
        db = self._tx()
        try:
            row = db.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
            if row is None:
                raise KeyError(case_id)
            added = self._insert_evidence(case_id, evidence)
            current = Severity(row["severity"])
            new_sev = current
            if severity is not None and severity_rank(severity) > severity_rank(current):
                new_sev = severity
            all_signals = sorted({*json.loads(row["signals"]), *signals})
            all_stages = sorted({*json.loads(row["stages"]), *stages})
            db.execute(
                "UPDATE cases SET severity=?, score=MAX(score, ?), signals=?, stages=?,"
                " updated_at=? WHERE id=?",
                (
                    new_sev.value,
                    score or 0.0,
                    json.dumps(all_signals),
                    json.dumps(all_stages),
                    float(self._clock()),
                    case_id,
                ),
            )
            if added:
                self._audit(case_id, "evidence_added", "system", {"messages": added})
            if new_sev != current:
                self._audit(
                    case_id,
                    "severity_raised",
                    "system",
                    {"from": current.value, "to": new_sev.value},
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        # Without the evidence: re-reading every stored message on each append made long
        # conversations quadratic. ``get`` returns the full case when it is needed.
        row = self._db.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
        return self._case(row, with_evidence=False)

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

    async def transition(  # noqa: D102
        self,
        case_id: str,
        status: CaseStatus,
        actor: str,
        outcome: Outcome | None = None,
        note: str | None = None,
    ) -> Case:
        db = self._tx()
        try:
            row = db.execute("SELECT status FROM cases WHERE id=?", (case_id,)).fetchone()
            if row is None:
                raise KeyError(case_id)
            db.execute(
                "UPDATE cases SET status=?, outcome=COALESCE(?, outcome), updated_at=? WHERE id=?",
                (status.value, outcome.value if outcome else None, float(self._clock()), case_id),
            )
            detail: dict[str, Any] = {"from": row["status"], "to": status.value}
            if outcome is not None:
                detail["outcome"] = outcome.value
            if note:
                detail["note"] = note
            self._audit(case_id, status.value, actor, detail)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        stored = await self.get(case_id)
        assert stored is not None
        return stored

    async def record(  # noqa: D102
        self,
        case_id: str,
        kind: str,
        actor: str,
        detail: dict[str, str | int | float | bool | None] | None = None,
    ) -> None:
        db = self._tx()
        try:
            self._audit(case_id, kind, actor, dict(detail or {}))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

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
        prev, expected = GENESIS, 1
        for r in self._db.execute("SELECT * FROM audit ORDER BY seq"):
            if r["seq"] != expected:
                return ChainBreak(expected, f"row {expected} is missing")
            if r["prev_hash"] != prev:
                return ChainBreak(r["seq"], "does not link to the previous row")
            digest = link_hash(
                prev, r["seq"], r["case_id"], r["ts"], r["kind"], r["actor"], r["detail"]
            )
            if digest != r["hash"]:
                return ChainBreak(r["seq"], "content was altered")
            prev, expected = r["hash"], expected + 1
        head = self._db.execute("SELECT value FROM meta WHERE key='audit_head'").fetchone()
        if head is not None and head["value"] != f"{expected - 1}:{prev}":
            return ChainBreak(expected, "rows after this point were removed")
        return None

    # -- outbox ----------------------------------------------------------------------------
    async def enqueue(self, item: OutboxItem) -> bool:  # noqa: D102
        cur = self._db.execute(
            "INSERT OR IGNORE INTO outbox(id, case_id, target, kind, payload, status, attempts,"
            " next_at, created_at) VALUES (?,?,?,?,?,'pending',?,?,?)",
            (
                item.id,
                item.case_id,
                item.target,
                item.kind,
                item.payload,
                item.attempts,
                item.next_at,
                float(self._clock()),
            ),
        )
        return cur.rowcount == 1

    async def due(self, now: float, limit: int = 50) -> list[OutboxItem]:  # noqa: D102
        rows = self._db.execute(
            "SELECT * FROM outbox WHERE status='pending' AND next_at<=? ORDER BY next_at, rowid"
            " LIMIT ?",
            (now, limit),
        ).fetchall()
        return [
            OutboxItem(
                r["id"],
                r["case_id"],
                r["target"],
                r["kind"],
                r["payload"],
                r["attempts"],
                r["next_at"],
            )
            for r in rows
        ]

    async def mark_sent(self, item_id: str, ref: str | None, now: float) -> None:  # noqa: D102
        self._db.execute(
            "UPDATE outbox SET status='sent', payload='', ref=?, done_at=?,"
            " attempts=attempts+1 WHERE id=?",
            (ref, now, item_id),
        )

    async def mark_retry(  # noqa: D102
        self, item_id: str, attempts: int, next_at: float, error: str
    ) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts=?, next_at=?, last_error=? WHERE id=?",
            (attempts, next_at, error, item_id),
        )

    async def mark_failed(self, item_id: str, status: str, error: str, now: float) -> None:  # noqa: D102
        self._db.execute(
            "UPDATE outbox SET status=?, payload='', last_error=?, done_at=? WHERE id=?",
            (status, error, now, item_id),
        )

    async def outbox_status(self) -> dict[str, int]:
        """Return outbox item counts by status."""
        rows = self._db.execute("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: r["n"] for r in rows}

    # -- observations and settings ---------------------------------------------------------
    async def observe(self, obs: Observation) -> None:  # noqa: D102
        self._db.execute(
            "INSERT INTO observations(ts, platform, community_id, level, signals, actions, mode)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                obs.ts,
                obs.platform,
                obs.community_id,
                obs.level,
                json.dumps(list(obs.signals)),
                json.dumps(list(obs.actions)),
                obs.mode,
            ),
        )

    async def get_setting(self, key: str) -> str | None:  # noqa: D102
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (f"setting:{key}",)).fetchone()
        return row["value"] if row else None

    async def set_setting(self, key: str, value: str) -> None:  # noqa: D102
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET"
            " value=excluded.value",
            (f"setting:{key}", value),
        )

    async def close(self) -> None:  # noqa: D102
        self._db.close()
