"""Recorded decisions on both case stores: listed alike, and gone with an erasure."""

from __future__ import annotations

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.policy import load_policy
from nudgeguard.policy.decisions import list_decisions
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import CHILD, KEY, groom, make_engine
from ..scale.conftest import pg_schema, postgres_db  # noqa: F401 - fixtures


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    """The store to use: ("sqlite", None) or ("postgres", (dsn, schema))."""
    if request.param == "sqlite":
        return "sqlite", None
    return "postgres", (
        request.getfixturevalue("postgres_db"),
        request.getfixturevalue("pg_schema"),
    )


@pytest.fixture
async def store(backend, tmp_path):
    kind, where = backend
    if kind == "sqlite":
        s = SqliteCaseStore(tmp_path / "c.sqlite3")
    else:
        from nudgeguard.cases.postgres import PostgresCaseStore

        dsn, schema = where
        s = await PostgresCaseStore(dsn, schema=schema).open()
    yield s
    await s.close()


async def test_decisions_round_trip_and_erasure_removes_the_pseudonym(store):
    pack = load_policy("default").model_copy(update={"mode": "observe"})
    await groom(Scenario(make_engine(store, FakeAdapter(), pack), community_id="g1"))
    child = Pseudonymizer(KEY).pseudonym("fake", CHILD.id)
    found = await list_decisions(store, community_id="g1")
    assert found and all(d.id > 0 for d in found)
    assert len({d.id for d in found}) == len(found)
    assert any(p.recipient == child for d in found for p in d.planned)
    await store.erase_person(child, CHILD.id, "test")
    after = await list_decisions(store, community_id="g1")
    assert len(after) == len(found)
    assert not any(child in (d.target, d.subject) for d in after)
    assert not any(p.recipient == child for d in after for p in d.planned)
