"""A case the store cannot write (full disk) is spooled, and lands once writes work again."""

from __future__ import annotations

import sqlite3
from typing import Any

from nudgeguard.cases.model import Severity
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.state.stores.resilient import ResilientCaseStore
from nudgeguard.testing import FakeAdapter, Scenario

from .helpers import CHILD, GROOMER, calm_policy, groom, make_engine

_WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN", "REPLACE")


class FullDisk:
    """The store's connection while its disk is full: every write fails as SQLite's does."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db, self.full = db, False

    def _check(self, sql: str) -> None:
        if self.full and sql.lstrip().upper().startswith(_WRITES):
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self.db.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self.db.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


def file_cases(path) -> list[tuple[str, str]]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT id, severity FROM cases").fetchall()
    finally:
        db.close()


async def _bot(tmp_path, pack=None):
    path = tmp_path / "cases.sqlite3"
    store = SqliteCaseStore(path)
    disk = FullDisk(store.db.conn.raw)
    store.db.conn.raw = disk  # type: ignore[assignment]
    resilient = ResilientCaseStore(store, ":memory:", retry_interval=0.0, hold_alerts=True)
    adapter = FakeAdapter()
    engine = make_engine(resilient, adapter, pack)
    await engine.start(background=False)
    return path, disk, resilient, adapter, engine


async def test_a_case_opened_on_a_full_disk_lands_once_space_is_back(tmp_path):
    path, disk, resilient, adapter, engine = await _bot(tmp_path)
    disk.full = True

    await groom(Scenario(engine))

    assert file_cases(path) == [], "the disk was full: nothing could be written"
    assert resilient.degraded
    [spooled] = await resilient.spool.list_cases()
    held = await resilient.spool.get(spooled.id)
    assert held is not None and held.evidence
    assert adapter.nudges, "the child was still nudged"
    assert adapter.alerts == [], "moderators are told once the case is in the store"

    disk.full = False
    assert await resilient.recover()
    await engine.outbox.drain()

    [(case_id, severity)] = file_cases(path)
    assert case_id == spooled.id and severity == spooled.severity.value
    store = resilient.primary
    case = await store.get(case_id)
    assert case is not None and [m.text for m in case.evidence] == [m.text for m in held.evidence]
    kinds = [e.kind for e in await store.events(case_id)]
    assert kinds[0] == "opened" and "alerted" in kinds
    alerts = [a.alert_id for a in adapter.alerts]
    assert alerts.count(f"{case_id}:{severity}") == 1, "moderators were told exactly once"
    assert await store.verify_chain() is None and await store.verify_cases() == []
    assert await resilient.spool.list_cases() == [], "the spool was emptied"
    observed = len(await store.observations())
    assert await resilient.recover() and len(await store.observations()) == observed
    await engine.stop()
    await resilient.close()


async def test_evidence_and_a_raise_on_a_full_disk_join_the_stored_case(tmp_path):
    path, disk, resilient, adapter, engine = await _bot(tmp_path, calm_policy())
    chat = Scenario(engine)
    await groom(chat)
    [(case_id, severity)] = file_cases(path)
    assert severity == Severity.HIGH.value
    before = len((await resilient.primary.get(case_id)).evidence)  # type: ignore[union-attr]
    disk.full = True

    await chat.say(GROOMER, "pay me or i post your pictures", to=CHILD)

    assert file_cases(path) == [(case_id, Severity.HIGH.value)]
    assert [a.severity for a in adapter.alerts] == [Severity.HIGH]
    disk.full = False
    assert await resilient.recover()
    await engine.outbox.drain()

    assert file_cases(path) == [(case_id, Severity.CRITICAL.value)], "one case, raised"
    case = await resilient.primary.get(case_id)
    assert case is not None and len(case.evidence) > before
    assert [a.severity for a in adapter.alerts][-1] is Severity.CRITICAL
    assert await resilient.primary.verify_chain() is None
    assert await resilient.primary.verify_cases() == []
    await engine.stop()
    await resilient.close()
