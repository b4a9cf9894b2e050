"""Schema migrations for the case stores: ordered steps recorded in ``schema_version``.

Each :class:`Step` has a number, a name and the SQL for each backend. A store applies, in
order and each in its own transaction, every step newer than the highest version recorded
in its ``schema_version`` table, and records it there. On PostgreSQL an advisory lock makes
several processes starting at once apply each step exactly once. A database that records
a step this code does not know was written by a newer nudgeguard: the store refuses it
with :class:`SchemaTooNew` instead of guessing.

To change the schema, append a step (never edit a released one).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nudgeguard.cases.sqlite_schema import SQLITE_SCHEMA
from nudgeguard.cases.store import StoreError

MIGRATION_LOCK = 0x6E756467
"""PostgreSQL advisory lock key ('nudg') held while the schema changes."""


class SchemaTooNew(StoreError):
    """The database was migrated by a newer version of nudgeguard."""


@dataclass(frozen=True, slots=True)
class Step:
    """One schema change, for both backends (SQL text, or a function returning it)."""

    version: int
    name: str
    sqlite: str | Callable[[], str]
    postgres: str

    def sql(self, backend: str) -> str:
        """Return this step's SQL for ``sqlite`` or ``postgres``."""
        if backend == "postgres":
            return self.postgres
        return self.sqlite if isinstance(self.sqlite, str) else self.sqlite()


_PG_BASELINE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta(key, value) VALUES ('audit_head', '') ON CONFLICT (key) DO NOTHING;
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY, platform TEXT NOT NULL, community_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL, subject TEXT NOT NULL, target TEXT NOT NULL,
    severity TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT,
    score DOUBLE PRECISION NOT NULL, signals TEXT NOT NULL, stages TEXT NOT NULL,
    reasons TEXT NOT NULL, opened_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL);
CREATE INDEX IF NOT EXISTS cases_pair
    ON cases(platform, community_id, conversation_id, subject, target, status);
CREATE TABLE IF NOT EXISTS evidence (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE, pos INTEGER NOT NULL,
    message_id TEXT NOT NULL, author TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL,
    text TEXT NOT NULL, signals TEXT NOT NULL, attachment_count INTEGER NOT NULL,
    edited BOOLEAN NOT NULL, deleted BOOLEAN NOT NULL, PRIMARY KEY (case_id, message_id));
CREATE INDEX IF NOT EXISTS evidence_author ON evidence(author);
CREATE TABLE IF NOT EXISTS audit (
    seq BIGINT PRIMARY KEY, case_id TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL,
    kind TEXT NOT NULL, actor TEXT NOT NULL, salt TEXT NOT NULL, actor_commit TEXT NOT NULL,
    detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_case ON audit(case_id, seq);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, case_id TEXT, target TEXT NOT NULL, kind TEXT NOT NULL,
    payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
    next_at DOUBLE PRECISION NOT NULL, created_at DOUBLE PRECISION NOT NULL,
    done_at DOUBLE PRECISION, last_error TEXT, ref TEXT, row_no BIGSERIAL);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_at);
CREATE TABLE IF NOT EXISTS observations (
    id BIGSERIAL PRIMARY KEY, ts DOUBLE PRECISION NOT NULL, platform TEXT NOT NULL,
    community_id TEXT NOT NULL, level TEXT NOT NULL, signals TEXT NOT NULL,
    actions TEXT NOT NULL, mode TEXT NOT NULL, family TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS observations_ts ON observations(ts);
CREATE TABLE IF NOT EXISTS feedback (
    case_id TEXT NOT NULL, community_id TEXT NOT NULL, signal TEXT NOT NULL,
    verdict TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL, PRIMARY KEY (case_id, signal));
"""

_SQLITE_OUTBOX_CLAIMS = """
CREATE INDEX IF NOT EXISTS outbox_case ON outbox(case_id);
"""

_PG_OUTBOX_CLAIMS = """
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS claimed_by TEXT;
CREATE INDEX IF NOT EXISTS outbox_case ON outbox(case_id);
"""


_CONSOLE_ACCOUNTS = """
CREATE TABLE IF NOT EXISTS console_accounts (
    name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at {real} NOT NULL);
CREATE TABLE IF NOT EXISTS console_roles (
    name TEXT NOT NULL REFERENCES console_accounts(name) ON DELETE CASCADE,
    community_id TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (name, community_id));
"""


def sqlite_baseline() -> str:
    """Return the SQLite baseline (the SQLite store's own schema, written idempotently)."""
    return SQLITE_SCHEMA


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "baseline: cases, evidence, audit chain, outbox, observations, feedback",
        sqlite_baseline,
        _PG_BASELINE,
    ),
    Step(
        2,
        "outbox: index by case; claim owner for leased deliveries",
        _SQLITE_OUTBOX_CLAIMS,
        _PG_OUTBOX_CLAIMS,
    ),
    Step(
        3,
        "evidence: index by case and position (appending finds the next position at once)",
        "CREATE INDEX IF NOT EXISTS evidence_pos ON evidence(case_id, pos)",
        "CREATE INDEX IF NOT EXISTS evidence_pos ON evidence(case_id, pos)",
    ),
    Step(
        4,
        "console: web console accounts and their role per community",
        _CONSOLE_ACCOUNTS.format(real="REAL"),
        _CONSOLE_ACCOUNTS.format(real="DOUBLE PRECISION"),
    ),
    Step(
        5,
        "outbox: in-flight lease per item (alerts of one case go out in order);"
        " audit: index by case (integrity digests)",
        "ALTER TABLE outbox ADD COLUMN claimed_until REAL;"
        " CREATE INDEX IF NOT EXISTS audit_case ON audit(case_id, seq)",
        "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS claimed_until DOUBLE PRECISION",
    ),
    Step(
        6,
        "observations: what a decision would have sent, to whom (pseudonyms) and why",
        "ALTER TABLE observations ADD COLUMN detail TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE observations ADD COLUMN IF NOT EXISTS detail TEXT NOT NULL DEFAULT ''",
    ),
)


def latest() -> int:
    """Return the newest schema version this code knows."""
    return STEPS[-1].version


def migrate_sqlite(db: sqlite3.Connection) -> list[int]:
    """Apply pending steps to an SQLite database (autocommit connection); return them."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL, applied_at REAL NOT NULL)"
    )
    applied: list[int] = []
    db.execute("BEGIN IMMEDIATE")
    try:
        current = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
        _check(int(current))
        for step in STEPS:
            if step.version <= current:
                continue
            for statement in _statements(step.sql("sqlite")):
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_version(version, name, applied_at) VALUES (?,?,?)",
                (step.version, step.name, time.time()),
            )
            applied.append(step.version)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return applied


async def migrate_postgres(con: Any) -> list[int]:
    """Apply pending steps over an asyncpg connection; return the versions applied."""
    applied: list[int] = []
    async with con.transaction():
        await con.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
        )
        current = int(await con.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        _check(current)
        for step in STEPS:
            if step.version <= current:
                continue
            await con.execute(step.sql("postgres"))
            await con.execute(
                "INSERT INTO schema_version(version, name, applied_at) VALUES ($1, $2, $3)",
                step.version,
                step.name,
                time.time(),
            )
            applied.append(step.version)
    return applied


def _check(current: int) -> None:
    if current > latest():
        raise SchemaTooNew(
            f"case store schema {current} is newer than this nudgeguard knows ({latest()});"
            " upgrade nudgeguard"
        )


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
