"""Fixtures: a store file holding one real case, made by the engine."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.testing import FakeAdapter, Scenario

from ..scale.services import POSTGRES_DSN, require
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


@pytest.fixture(params=["sqlite", "postgres"])
async def store_spec(request, tmp_path):
    """An SQLite file, or a PostgreSQL schema of this test's own (dropped afterwards)."""
    if request.param == "sqlite":
        yield str(tmp_path / "cases.sqlite3")
        return
    require(POSTGRES_DSN, 5432, "PostgreSQL")
    import asyncpg

    schema = f"ngcases_{uuid.uuid4().hex[:10]}"
    yield f"{POSTGRES_DSN}#{schema}"
    con = await asyncpg.connect(POSTGRES_DSN)
    try:
        await con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await con.close()
