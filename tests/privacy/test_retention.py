"""Retention: closed cases are purged per outcome; open cases never; on a schedule too."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner

from nudgeguard.cases.model import CaseStatus, Outcome
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import Observation
from nudgeguard.cli import main
from nudgeguard.config import ConfigError, load_config
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.privacy.retention import PrivacySettings, RetentionDays, RetentionService, purge

from ..cases.contract import make_case, msg

T0 = 1_700_000_000.0
DAY = 86_400.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


async def seed(store: SqliteCaseStore) -> None:
    """One case of every kind, all last changed at T0."""
    for cid in ("OPEN", "ACK", "DISMISSED", "RESOLVED", "CONFIRMED", "CONFIRMED-OPEN"):
        await store.open_case(
            make_case(cid, conversation=cid), [msg(f"{cid}-m", text=f"{cid.lower()} words end")]
        )
    await store.transition("ACK", CaseStatus.ACKNOWLEDGED, "mod")
    await store.transition("DISMISSED", CaseStatus.DISMISSED, "mod", Outcome.FALSE_POSITIVE)
    await store.transition("RESOLVED", CaseStatus.RESOLVED, "mod", Outcome.NO_ACTION)
    await store.transition("CONFIRMED", CaseStatus.RESOLVED, "mod", Outcome.CONFIRMED)
    await store.transition("CONFIRMED-OPEN", CaseStatus.ACKNOWLEDGED, "mod", Outcome.CONFIRMED)
    await store.observe(Observation(T0, "fake", "g", "low", (), ("nudge_child",), "live"))


@pytest.fixture
async def store():
    s = SqliteCaseStore(":memory:", clock=Clock())
    await seed(s)
    yield s
    await s.close()


async def ids(store) -> set[str]:
    return {c.id for c in await store.list_cases()}


async def test_each_class_is_kept_for_its_own_days(store):
    days = RetentionDays()
    await purge(store, days, T0 + 29 * DAY)
    assert len(await ids(store)) == 6
    report = await purge(store, days, T0 + 31 * DAY)
    assert report.cases == {"dismissed": ["DISMISSED"]}
    await purge(store, days, T0 + 91 * DAY)
    assert "RESOLVED" not in await ids(store) and "CONFIRMED" in await ids(store)
    assert await store.observations() == [], "90-day records are gone too"
    await purge(store, days, T0 + 366 * DAY)
    assert await ids(store) == {"OPEN", "ACK", "CONFIRMED-OPEN"}, "active cases are never purged"
    purged = [e for e in await store.events() if e.kind == "purged"]
    assert {e.case_id for e in purged} == {"DISMISSED", "RESOLVED", "CONFIRMED"}
    assert await store.verify_chain() is None


async def test_null_keeps_a_class_and_dry_run_changes_nothing(store):
    days = RetentionDays(dismissed=None, records=None)
    report = await purge(store, days, T0 + 1000 * DAY, dry_run=True)
    assert report.cases == {"resolved": ["RESOLVED"], "confirmed": ["CONFIRMED"]}
    assert len(await ids(store)) == 6
    await purge(store, days, T0 + 1000 * DAY)
    assert "DISMISSED" in await ids(store)
    assert len(await store.observations()) == 1


async def test_purged_text_is_gone_from_the_file(tmp_path):
    path = tmp_path / "s.sqlite3"
    s = SqliteCaseStore(path, clock=Clock())
    await seed(s)
    await purge(s, RetentionDays(), T0 + 400 * DAY)
    await s.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("s.sqlite3*"))
    assert b"open words end" in data and b"ack words end" in data, "active cases keep text"
    for gone in ("dismissed", "resolved", "confirmed"):
        assert f"{gone} words end".encode() not in data


async def test_the_bot_purges_on_a_schedule(tmp_path):
    clock = Clock()
    store = SqliteCaseStore(tmp_path / "s.sqlite3", clock=clock)
    await seed(store)
    clock.now = T0 + 31 * DAY
    service = RetentionService(PrivacySettings(purge_every_hours=1), clock=clock)
    engine = Engine(load_policy("default"), cases=store, detectors=[], services=[service])
    await engine.start()
    try:
        for _ in range(200):
            if service.runs:
                break
            await asyncio.sleep(0.01)
    finally:
        await engine.stop()
    assert service.runs >= 1
    assert "DISMISSED" not in await ids(store)
    await store.close()


def test_cli_purge_reads_days_from_the_config(tmp_path):
    path = tmp_path / "s.sqlite3"

    async def make():
        s = SqliteCaseStore(path, clock=Clock())
        await seed(s)
        await s.close()

    asyncio.run(make())
    config = tmp_path / "ng.yaml"
    config.write_text("privacy:\n  retention_days:\n    dismissed: 0\n    resolved: null\n")
    runner = CliRunner()
    dry = runner.invoke(
        main, ["privacy", "purge", "--store", str(path), "--config", str(config), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "would purge 2 cases (1 confirmed, 1 dismissed)" in dry.output
    done = runner.invoke(main, ["privacy", "purge", "--store", str(path), "--config", str(config)])
    assert "purged 2 cases" in done.output
    listed = runner.invoke(main, ["cases", "list", "--store", str(path), "--json"])
    assert "DISMISSED" not in listed.output and "RESOLVED" in listed.output


def test_bad_retention_config_is_a_clear_error(tmp_path):
    config = tmp_path / "ng.yaml"
    config.write_text("privacy:\n  retention_days:\n    dismissed: -3\n")
    with pytest.raises(ConfigError, match="dismissed"):
        load_config(config)
    # .inf hours between purges would mean no purge ever, with nothing said.
    config.write_text("privacy:\n  purge_every_hours: .inf\n")
    with pytest.raises(ConfigError, match=r"line 2: privacy\.purge_every_hours: .*finite"):
        load_config(config)
