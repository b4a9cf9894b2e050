"""Stores written by the per-dialect code (schema step 6) open, upgrade and keep working.

The fixtures are databases made by nudgeguard 91427f5, the last release whose SQLite and
PostgreSQL stores were written separately: an ``.dump`` of the SQLite file, and the
PostgreSQL steps 1-6 as released followed by that store's rows.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from nudgeguard.cases.migrations import latest
from nudgeguard.cases.model import CaseStatus, EvidenceMessage, Severity
from nudgeguard.cases.store import OutboxItem

from ..scale.services import POSTGRES_DSN, require

FIXTURES = Path(__file__).parent / "fixtures"
T1 = 1_700_000_100.0


async def _still_works(store) -> None:
    """The upgraded store holds what the old one wrote, verifies, and takes new writes."""
    assert await store.verify_chain() is None
    assert await store.verify_cases() == []
    ng1 = await store.get("NG-1")
    assert ng1 is not None and ng1.severity is Severity.HIGH
    assert [m.message_id for m in ng1.evidence] == ["m1", "m2", "m3"]
    assert [c.id for c in await store.list_cases(CaseStatus.RESOLVED)] == ["NG-2"]
    assert (await store.account("alice")).roles == {"guild-1": "admin"}
    assert await store.get_setting("mode:guild-1") == "live"
    [obs] = await store.observations()
    assert obs.detail == '{"to":"p_target"}'
    assert [f.signal for f in await store.feedback()] == ["age_probe"]
    assert await store.outbox_status() == {"pending": 2, "superseded": 1}

    later = EvidenceMessage(message_id="m4", author="p_subject", ts=T1, text="send a pic")
    await store.add_evidence("NG-1", [later], severity=Severity.CRITICAL)
    assert await store.enqueue(OutboxItem("nudge:new", "NG-1", "fake", "nudge", "{}"))
    taken = await store.claim_due(T1 + 10, 30.0, 10, "p1")  # needs step 7 on SQLite
    assert {i.id for i in taken} == {"alert:NG-1:high", "nudge:abc", "nudge:new"}
    erased = await store.erase_person("p_other", "123456789", "privacy-officer")
    assert erased.cases == 1 and erased.messages == 1
    assert await store.verify_chain() is None
    assert await store.verify_cases() == []
    await store.close()


async def test_a_step_6_sqlite_store_upgrades_and_keeps_working(tmp_path):
    from nudgeguard.cases.sqlite import SqliteCaseStore

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript((FIXTURES / "step6.sqlite.sql").read_text())
        assert db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 6
    store = SqliteCaseStore(path)
    versions = [r[0] for r in store.db.raw.execute("SELECT version FROM schema_version")]
    assert versions == list(range(1, latest() + 1))
    await _still_works(store)


async def test_a_step_6_postgres_store_upgrades_and_keeps_working():
    require(POSTGRES_DSN, 5432, "PostgreSQL")
    import asyncpg

    from nudgeguard.cases.postgres import PostgresCaseStore

    schema = f"t_step6_{uuid.uuid4().hex[:8]}"
    con = await asyncpg.connect(POSTGRES_DSN)
    try:
        await con.execute(f'CREATE SCHEMA "{schema}"')
        await con.execute(f'SET search_path TO "{schema}"')
        await con.execute((FIXTURES / "step6.postgres.sql").read_text())
        assert await con.fetchval("SELECT MAX(version) FROM schema_version") == 6
        store = await PostgresCaseStore(POSTGRES_DSN, schema=schema).open()
        rows = await con.fetch("SELECT version FROM schema_version ORDER BY version")
        assert [r["version"] for r in rows] == list(range(1, latest() + 1))
        await _still_works(store)
    finally:
        await con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await con.close()
