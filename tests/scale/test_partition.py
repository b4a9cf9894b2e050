"""A silent network partition (sockets held open, nothing answers, no reset).

PostgreSQL and Redis sit behind a loopback proxy that is switched to "hold". Handling must
go on from local memory with the spool taking the cases, the nudge and the alert must still
go out, and the spooled case must land in PostgreSQL once the proxy forwards again.
Without command, acquire and connect timeouts the conversation below never finishes.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

import asyncpg

from nudgeguard.app import build_engine
from nudgeguard.config import Settings
from nudgeguard.state.stores.backends import close_state
from nudgeguard.state.stores.redis_state import RedisStateStore
from nudgeguard.state.stores.resilient import ResilientCaseStore
from nudgeguard.testing import FakeAdapter, Scenario
from tests.core.keyword_detector import KeywordDetector

from .holding_proxy import HoldingProxy
from .test_redis_engine import ADULT, KID, LINES

#: Longer than every configured timeout together several times over, far shorter than a
#: hang: a guard against the test itself hanging, not a speed assertion.
GUARD = 120.0
TIMEOUTS = {"connect_timeout": 1.0, "command_timeout": 1.0}


def via(proxy: HoldingProxy, url: str) -> str:
    """Return ``url`` pointed at the proxy's port."""
    parsed = urlparse(url)
    return parsed._replace(
        netloc=f"{parsed.username or ''}{'@' if parsed.username else ''}127.0.0.1:{proxy.port}"
    ).geturl()


async def test_a_held_postgres_and_redis_degrade_to_memory_and_spool_then_land(
    monkeypatch, tmp_path, redis_url, redis_prefix, postgres_db, pg_schema
):
    con = await asyncpg.connect(postgres_db)
    await con.execute(f'CREATE SCHEMA "{pg_schema}"')
    await con.close()
    pg_target, redis_target = urlparse(postgres_db), urlparse(redis_url)
    pg = await HoldingProxy(pg_target.hostname or "127.0.0.1", pg_target.port or 5432).start()
    rd = await HoldingProxy(redis_target.hostname or "127.0.0.1", redis_target.port or 6379).start()
    monkeypatch.setenv("NUDGEGUARD_POSTGRES_DSN", f"{via(pg, postgres_db)}?search_path={pg_schema}")
    monkeypatch.setenv("NUDGEGUARD_REDIS_URL", via(rd, redis_url))
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "k" * 32)
    cfg = Settings.model_validate(
        {
            "state": {"backend": "redis", "prefix": redis_prefix, **TIMEOUTS},
            "cases": {
                "backend": "postgres",
                "spool": str(tmp_path / "spool.sqlite3"),
                "acquire_timeout": 1.0,
                "retry_interval": 0.5,
                **TIMEOUTS,
            },
        }
    )
    adapter = FakeAdapter()
    engine = await build_engine(cfg, extra_adapters=[adapter])
    assert isinstance(engine.state, RedisStateStore)
    store = engine.cases
    assert isinstance(store, ResilientCaseStore)
    engine.detectors = [KeywordDetector()]
    await engine.start(background=False)
    # Both servers answer through the proxy first: pooled connections exist when it holds.
    await Scenario(engine, conversation_id="warm-up").play([(KID, "hi"), (ADULT, "hello")])
    assert not store.degraded and engine.state.healthy
    assert pg.connections and rd.connections

    pg.hold()
    rd.hold()
    try:
        await asyncio.wait_for(Scenario(engine).play(LINES), GUARD)
        assert engine.stats.errors == 0
        assert adapter.nudges_to("kid1"), "the child is nudged during the partition"
        assert adapter.alerts, "moderators are alerted from the spool"
        assert store.degraded, "the held server was noticed"
        assert not engine.state.healthy, "the held Redis was noticed"
        spooled = await store.spool.list_cases()
        assert spooled, "the case waits in the spool"
        # Probes keep failing while held, and never stall handling.
        await asyncio.sleep(1.0)
        assert store.degraded
    finally:
        pg.resume()
        rd.resume()

    for _ in range(int(GUARD / 0.5)):
        if await store.recover():
            break
        await asyncio.sleep(0.5)
    landed = await store.primary.list_cases()
    assert [(c.id, c.subject, c.severity) for c in landed] == [
        (c.id, c.subject, c.severity) for c in spooled
    ], "the spooled case lands in PostgreSQL after the partition"
    assert await store.spool.list_cases() == []
    assert await store.primary.verify_chain() is None
    assert await engine.state.ping(), "Redis answers again"
    await engine.stop()
    await close_state(engine.state)
    await store.close()
    await pg.close()
    await rd.close()
