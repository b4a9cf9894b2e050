"""Fixtures: a store file holding one real case, made by the engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.testing import FakeAdapter, Scenario

from .helpers import groom, make_engine


@dataclass
class Populated:
    path: Path
    case_id: str
    adapter: FakeAdapter


@pytest.fixture
async def populated(tmp_path, monkeypatch) -> Populated:
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "k" * 32)
    path = tmp_path / "cases.sqlite3"
    store = SqliteCaseStore(path)
    adapter = FakeAdapter()
    engine = make_engine(store, adapter)
    await engine.start(background=False)
    await groom(Scenario(engine))
    [case] = await store.list_cases()
    await engine.moderate(case.id, "acknowledge", "mod-9", permitted=True)
    await engine.stop()
    await store.close()
    return Populated(path, case.id, adapter)
