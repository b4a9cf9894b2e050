"""PostgreSQL specifics: migrations, shared outbox without double sends, odd text."""

from __future__ import annotations

import asyncio
import sqlite3

import asyncpg
import pytest

from nudgeguard.cases.migrations import SchemaTooNew, latest
from nudgeguard.cases.model import EvidenceMessage
from nudgeguard.cases.postgres import PostgresCaseStore, migrate_postgres
from nudgeguard.cases.sqlite import migrate_sqlite
from nudgeguard.cases.store import OutboxItem
from nudgeguard.delivery.outbox import Outbox

from ..cases.contract import make_case
from .services import closed_port

T0 = 1_700_000_000.0


async def test_migrations_apply_once_in_order_even_when_processes_race(postgres_db, pg_schema):
    stores = [PostgresCaseStore(postgres_db, schema=pg_schema) for _ in range(3)]
    await asyncio.gather(*(s.open() for s in stores))
    con = await asyncpg.connect(postgres_db, server_settings={"search_path": pg_schema})
    rows = await con.fetch("SELECT version FROM schema_version ORDER BY version")
    assert [r["version"] for r in rows] == list(range(1, latest() + 1))
    assert await migrate_postgres(con) == [], "a migrated database needs nothing more"
    await con.execute("INSERT INTO schema_version VALUES (999, 'from the future', 0)")
    with pytest.raises(SchemaTooNew):
        await migrate_postgres(con)
    await con.close()
    for s in stores:
        await s.close()


def test_sqlite_migrations_use_the_same_steps(tmp_path):
    db = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    assert migrate_sqlite(db) == list(range(1, latest() + 1))
    assert migrate_sqlite(db) == []
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "outbox_case" in names
    db.close()


class Recorder:
    """An alert sink that counts deliveries per item (the shared list stands in for a
    moderator channel that every bot process posts to)."""

    name = "hook"

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    async def send_alert(self, alert) -> str:
        self.seen.append(alert.alert_id)
        await asyncio.sleep(0.001)
        return "ok"


async def test_several_processes_drain_one_outbox_without_double_sends(postgres_db, pg_schema):
    from nudgeguard.delivery.outbound import ModeratorAlert

    seed = PostgresCaseStore(postgres_db, schema=pg_schema)
    alert = ModeratorAlert.model_validate_json(_alert_json())
    for n in range(120):
        payload = alert.model_copy(update={"alert_id": f"a{n}"}).model_dump_json()
        await seed.enqueue(OutboxItem(f"alert:{n}", None, "hook", "alert", payload))
    seen: list[str] = []
    stores = [PostgresCaseStore(postgres_db, schema=pg_schema) for _ in range(4)]
    boxes = []
    for s in stores:
        box = Outbox(s)
        box.register_alert_sink(Recorder(seen))
        boxes.append(box)
    await asyncio.gather(*(b.drain(batch=10) for b in boxes))
    assert sorted(seen) == sorted(f"a{n}" for n in range(120)), "each alert exactly once"
    assert await seed.outbox_status() == {"sent": 120}
    for s in [seed, *stores]:
        await s.close()


def _alert_json() -> str:
    from nudgeguard.cases.model import CaseStatus, Severity
    from nudgeguard.delivery.outbound import ModeratorAlert

    return ModeratorAlert(
        alert_id="ALERT-ID",
        case_id="NG-1",
        platform="fake",
        community_id="g1",
        conversation_id="c1",
        severity=Severity.HIGH,
        status=CaseStatus.OPEN,
        score=5.0,
        reasons=("test",),
        signals=(),
        stages=(),
        participants=(),
    ).model_dump_json()


async def test_claim_due_batches_are_disjoint_and_leased(postgres_db, pg_schema):
    s1 = PostgresCaseStore(postgres_db, schema=pg_schema)
    s2 = PostgresCaseStore(postgres_db, schema=pg_schema)
    for n in range(30):
        await s1.enqueue(OutboxItem(f"i{n}", None, "hook", "alert", "{}"))
    a, b = await asyncio.gather(s1.claim_due(T0, 30.0, 20, "p1"), s2.claim_due(T0, 30.0, 20, "p2"))
    ids_a, ids_b = {i.id for i in a}, {i.id for i in b}
    assert not ids_a & ids_b and len(ids_a | ids_b) == 30
    assert await s1.claim_due(T0 + 1, 30.0) == [], "leased items wait for the lease"
    assert len(await s2.claim_due(T0 + 31, 30.0, 50)) == 30, "a dead worker's items come back"
    await s1.close()
    await s2.close()


async def test_nul_bytes_and_lone_surrogates_do_not_lose_a_case(postgres_db, pg_schema):
    s = PostgresCaseStore(postgres_db, schema=pg_schema)
    odd = EvidenceMessage(message_id="m1", author="p_a", ts=T0, text="a\x00b \ud800 c")
    case = await s.open_case(make_case(), [odd])
    stored = await s.get(case.id)
    assert stored.evidence[0].text == "a\ufffdb \ufffd c"
    await s.close()


async def test_an_unreachable_server_gives_a_clear_error():
    s = PostgresCaseStore(f"postgresql://postgres@127.0.0.1:{closed_port()}/x", connect_timeout=1)
    with pytest.raises(OSError):
        await s.get("NG-1")
    await s.close()
