"""The case store's schema, written once for SQLite and PostgreSQL, as ordered steps.

Each :class:`Step` has a number, a name and its DDL statements, written once with type
tokens (``{real}``, ``{bool}``, ``{bigint}``, ``{serial}``, ``{if_absent}``) that
:func:`ddl` fills in per dialect. Where the two databases' released schemas really
differed, the statement says so with :func:`only`. A store applies, in order and in one
transaction, every step newer than the highest version recorded in its ``schema_version``
table, and records it there; on PostgreSQL an advisory lock (:data:`MIGRATION_LOCK`) makes
several processes starting at once apply each step exactly once. A database that records a
step this code does not know was written by a newer nudgeguard: the store refuses it with
:class:`SchemaTooNew` instead of guessing.

To change the schema, append a step (never edit a released one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from nudgeguard.cases.sql import Conn
from nudgeguard.cases.store import StoreError

MIGRATION_LOCK = 0x6E756467
"""PostgreSQL advisory lock key ('nudg') held while the schema changes."""

_DDL_TOKENS = {
    "sqlite": {
        "real": "REAL",
        "bool": "INTEGER",
        "bigint": "INTEGER",
        "serial": "INTEGER",
        "if_absent": "",
    },
    "postgres": {
        "real": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "bigint": "BIGINT",
        "serial": "BIGSERIAL",
        "if_absent": "IF NOT EXISTS ",
    },
}


class SchemaTooNew(StoreError):
    """The database was migrated by a newer version of nudgeguard."""


@dataclass(frozen=True, slots=True)
class Only:
    """A statement for one dialect only (the released schemas differed there)."""

    dialect: str
    sql: str


def only(dialect: str, sql: str) -> Only:
    """Return a statement that runs on ``dialect`` only."""
    return Only(dialect, sql)


@dataclass(frozen=True, slots=True)
class Step:
    """One schema change, written once for both databases."""

    version: int
    name: str
    statements: tuple[str | Only, ...]

    def sql(self, dialect: str) -> list[str]:
        """Return this step's statements for ``sqlite`` or ``postgres``."""
        out = []
        for s in self.statements:
            if isinstance(s, Only):
                if s.dialect != dialect:
                    continue
                s = s.sql
            out.append(ddl(s, dialect))
        return out


def ddl(sql: str, dialect: str) -> str:
    """Return DDL written once with type tokens, for ``dialect``."""
    return sql.format_map(_DDL_TOKENS[dialect])


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "baseline: cases, evidence, audit chain, outbox, observations, feedback",
        (
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO meta(key, value) VALUES ('audit_head', '') ON CONFLICT (key) DO NOTHING",
            "CREATE TABLE IF NOT EXISTS cases (id TEXT PRIMARY KEY, platform TEXT NOT NULL,"
            " community_id TEXT NOT NULL, conversation_id TEXT NOT NULL, subject TEXT NOT NULL,"
            " target TEXT NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT,"
            " score {real} NOT NULL, signals TEXT NOT NULL, stages TEXT NOT NULL,"
            " reasons TEXT NOT NULL, opened_at {real} NOT NULL, updated_at {real} NOT NULL)",
            "CREATE INDEX IF NOT EXISTS cases_pair"
            " ON cases(platform, community_id, conversation_id, subject, target, status)",
            "CREATE TABLE IF NOT EXISTS evidence ("
            " case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
            " pos INTEGER NOT NULL, message_id TEXT NOT NULL, author TEXT NOT NULL,"
            " ts {real} NOT NULL, text TEXT NOT NULL, signals TEXT NOT NULL,"
            " attachment_count INTEGER NOT NULL, edited {bool} NOT NULL,"
            " deleted {bool} NOT NULL, PRIMARY KEY (case_id, message_id))",
            "CREATE INDEX IF NOT EXISTS evidence_author ON evidence(author)",
            "CREATE TABLE IF NOT EXISTS audit (seq {bigint} PRIMARY KEY,"
            " case_id TEXT NOT NULL, ts {real} NOT NULL, kind TEXT NOT NULL,"
            " actor TEXT NOT NULL, salt TEXT NOT NULL, actor_commit TEXT NOT NULL,"
            " detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, case_id TEXT,"
            " target TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,"
            " status TEXT NOT NULL, attempts INTEGER NOT NULL, next_at {real} NOT NULL,"
            " created_at {real} NOT NULL, done_at {real}, last_error TEXT, ref TEXT)",
            # SQLite orders outbox rows by its implicit rowid; PostgreSQL has none.
            only("postgres", "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS row_no BIGSERIAL"),
            "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_at)",
            "CREATE TABLE IF NOT EXISTS observations (id {serial} PRIMARY KEY,"
            " ts {real} NOT NULL, platform TEXT NOT NULL, community_id TEXT NOT NULL,"
            " level TEXT NOT NULL, signals TEXT NOT NULL, actions TEXT NOT NULL,"
            " mode TEXT NOT NULL, family TEXT NOT NULL DEFAULT '')",
            "CREATE INDEX IF NOT EXISTS observations_ts ON observations(ts)",
            "CREATE TABLE IF NOT EXISTS feedback (case_id TEXT NOT NULL,"
            " community_id TEXT NOT NULL, signal TEXT NOT NULL, verdict TEXT NOT NULL,"
            " ts {real} NOT NULL, PRIMARY KEY (case_id, signal))",
        ),
    ),
    Step(
        2,
        "outbox: index by case; claim owner for leased deliveries",
        (
            "CREATE INDEX IF NOT EXISTS outbox_case ON outbox(case_id)",
            only("postgres", "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS claimed_by TEXT"),
        ),
    ),
    Step(
        3,
        "evidence: index by case and position (appending finds the next position at once)",
        ("CREATE INDEX IF NOT EXISTS evidence_pos ON evidence(case_id, pos)",),
    ),
    Step(
        4,
        "console: web console accounts and their role per community",
        (
            "CREATE TABLE IF NOT EXISTS console_accounts (name TEXT PRIMARY KEY,"
            " password_hash TEXT NOT NULL, created_at {real} NOT NULL)",
            "CREATE TABLE IF NOT EXISTS console_roles ("
            " name TEXT NOT NULL REFERENCES console_accounts(name) ON DELETE CASCADE,"
            " community_id TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (name, community_id))",
        ),
    ),
    Step(
        5,
        "outbox: in-flight lease per item (alerts of one case go out in order);"
        " audit: index by case (integrity digests)",
        (
            "ALTER TABLE outbox ADD COLUMN {if_absent}claimed_until {real}",
            "CREATE INDEX IF NOT EXISTS audit_case ON audit(case_id, seq)",
        ),
    ),
    Step(
        6,
        "observations: what a decision would have sent, to whom (pseudonyms) and why",
        ("ALTER TABLE observations ADD COLUMN {if_absent}detail TEXT NOT NULL DEFAULT ''",),
    ),
    Step(
        7,
        "outbox: claim owner on SQLite too (batch claims are written once for both databases)",
        (only("sqlite", "ALTER TABLE outbox ADD COLUMN claimed_by TEXT"),),
    ),
)


def latest() -> int:
    """Return the newest schema version this code knows."""
    return STEPS[-1].version


async def migrate(con: Conn, dialect: str) -> list[int]:
    """Apply pending steps; return the versions applied.

    Call inside one transaction (on PostgreSQL holding :data:`MIGRATION_LOCK`).
    """
    await con.script(
        ddl(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at {real} NOT NULL)",
            dialect,
        )
    )
    current = int(await con.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
    if current > latest():
        raise SchemaTooNew(
            f"case store schema {current} is newer than this nudgeguard knows ({latest()});"
            " upgrade nudgeguard"
        )
    applied: list[int] = []
    for step in STEPS:
        if step.version <= current:
            continue
        for statement in step.sql(dialect):
            await con.script(statement)
        await con.execute(
            "INSERT INTO schema_version(version, name, applied_at) VALUES (?,?,?)",
            step.version,
            step.name,
            time.time(),
        )
        applied.append(step.version)
    return applied
