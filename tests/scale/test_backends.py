"""Config wiring: backends chosen from state:/cases:, secrets from the environment, and a
bot that keeps nudging (and keeps its cases) while Redis and PostgreSQL are down."""

from __future__ import annotations

import asyncpg
import pytest

from nudgeguard.app import build_engine
from nudgeguard.cases.postgres import PostgresCaseStore
from nudgeguard.config import Settings
from nudgeguard.state.stores.backends import BackendError, close_state, open_cases, open_state
from nudgeguard.state.stores.redis_state import RedisStateStore
from nudgeguard.state.stores.resilient import ResilientCaseStore
from nudgeguard.testing import FakeAdapter, Scenario
from tests.core.keyword_detector import KeywordDetector

from .services import closed_port
from .test_redis_engine import LINES


def settings(**kw) -> Settings:
    return Settings.model_validate(kw)


async def test_backends_come_from_the_config_and_the_environment(
    monkeypatch, tmp_path, redis_url, redis_prefix, postgres_db, pg_schema
):
    con = await asyncpg.connect(postgres_db)
    await con.execute(f'CREATE SCHEMA "{pg_schema}"')
    await con.close()
    monkeypatch.setenv("NUDGEGUARD_POSTGRES_DSN", f"{postgres_db}?search_path={pg_schema}")
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "k" * 32)
    monkeypatch.setenv("NUDGEGUARD_STORE", str(tmp_path / "unused.sqlite3"))
    cfg = settings(
        state={"backend": "redis", "url": redis_url, "prefix": redis_prefix},
        cases={"backend": "postgres", "spool": str(tmp_path / "spool.sqlite3")},
    )
    engine = await build_engine(cfg, extra_adapters=[FakeAdapter()])
    assert isinstance(engine.state, RedisStateStore)
    assert isinstance(engine.cases, ResilientCaseStore)
    assert isinstance(engine.cases.primary, PostgresCaseStore)
    engine.detectors = [KeywordDetector()]
    await engine.start(background=False)
    await Scenario(engine).play(LINES)
    assert await engine.cases.primary.list_cases(), "the case is in PostgreSQL"
    assert engine.cases.degraded is False
    await engine.stop()
    await close_state(engine.state)
    await engine.cases.close()


def test_passwords_in_the_file_are_refused(monkeypatch):
    monkeypatch.delenv("NUDGEGUARD_REDIS_URL", raising=False)
    monkeypatch.delenv("NUDGEGUARD_POSTGRES_DSN", raising=False)
    with pytest.raises(BackendError, match="NUDGEGUARD_REDIS_URL") as err:
        open_state(settings(state={"backend": "redis", "url": "redis://:hunter2@h:6379/0"}).state)
    assert "hunter2" not in str(err.value)
    with pytest.raises(BackendError, match="NUDGEGUARD_POSTGRES_DSN"):
        open_cases(settings(cases={"backend": "postgres"}).cases)


def test_malformed_server_urls_name_the_setting(monkeypatch):
    monkeypatch.delenv("NUDGEGUARD_REDIS_URL", raising=False)
    monkeypatch.delenv("NUDGEGUARD_POSTGRES_DSN", raising=False)
    for url, complaint in (
        ("redis://[broken", r"state\.url is not a valid URL"),
        ("localhost:6379", r"state\.url or NUDGEGUARD_REDIS_URL: Redis URL must specify"),
    ):
        with pytest.raises(BackendError, match=complaint):
            open_state(settings(state={"backend": "redis", "url": url}).state)
    with pytest.raises(BackendError, match=r"cases\.dsn is not a valid URL"):
        open_cases(settings(cases={"backend": "postgres", "dsn": "postgresql://h:99999/x"}).cases)


async def test_both_servers_down_the_bot_nudges_and_keeps_the_case(
    monkeypatch, tmp_path, postgres_db, pg_schema
):
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "k" * 32)
    down = f"127.0.0.1:{closed_port()}"
    monkeypatch.setenv("NUDGEGUARD_REDIS_URL", f"redis://{down}/0")
    monkeypatch.setenv("NUDGEGUARD_POSTGRES_DSN", f"postgresql://postgres@{down}/x")
    cfg = settings(
        state={"backend": "redis"},
        cases={"backend": "postgres", "spool": str(tmp_path / "spool.sqlite3")},
    )
    adapter = FakeAdapter()
    engine = await build_engine(cfg, extra_adapters=[adapter])
    engine.detectors = [KeywordDetector()]
    await engine.start(background=False)
    await Scenario(engine).play(LINES)
    assert engine.stats.errors == 0
    assert adapter.nudges_to("kid1"), "the child is nudged while both servers are down"
    assert adapter.alerts, "moderators are alerted from the spool"
    store = engine.cases
    assert store.degraded and await store.spool.list_cases()

    # The database comes back: the next call after the retry time starts a background
    # probe, which replays the spool into it; the call itself is served from the spool.
    spooled = await store.spool.list_cases()
    store.primary = PostgresCaseStore(postgres_db, schema=pg_schema)
    store._retry_at = 0.0
    assert await store.get(spooled[0].id) is not None, "a read after the retry time works"
    assert store._prober is not None
    await store._prober
    assert store.degraded is False
    server_cases = await store.primary.list_cases()
    assert [(c.id, c.subject, c.severity) for c in server_cases] == [
        (c.id, c.subject, c.severity) for c in spooled
    ]
    assert await store.spool.list_cases() == [], "the spool is emptied"
    kinds = [e.kind for e in await store.primary.events(server_cases[0].id)]
    assert kinds[0] == "opened" and "alerted" in kinds
    assert await store.primary.verify_chain() is None
    await engine.stop()
    await close_state(engine.state)
    await store.close()


async def test_a_replay_interrupted_halfway_is_finished_without_duplicates(
    tmp_path, postgres_db, pg_schema
):
    from ..cases.contract import make_case, msg

    primary = PostgresCaseStore(postgres_db, schema=pg_schema)
    store = ResilientCaseStore(primary, tmp_path / "spool.sqlite3")
    await store.spool.open_case(make_case("NG-7"), [msg("m1"), msg("m2")])
    await primary.open_case(make_case("NG-7"), [msg("m1")])  # copied before the crash
    assert await store.replay() == 1
    [case] = await primary.list_cases()
    got = await primary.get(case.id)
    assert [m.message_id for m in got.evidence] == ["m1", "m2"]
    assert await store.spool.list_cases() == []
    await store.close()
