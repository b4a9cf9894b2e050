"""Helpers for privacy tests: a store file with a real case about a child."""

from __future__ import annotations

from pathlib import Path

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import CHILD, GROOMER, TRAJECTORY, make_engine

CHILD_LINES = ["i like painting zebras at night", "my cat is called pumpernickel"]


def file_bytes(path: Path) -> bytes:
    """Every byte SQLite keeps for this store: the file and any -wal/-shm/-journal."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def make_store(path: Path) -> FakeAdapter:
    store = SqliteCaseStore(path)
    adapter = FakeAdapter()
    engine = make_engine(store, adapter)
    await engine.start(background=False)
    chat = Scenario(engine)
    await chat.say(CHILD, CHILD_LINES[0])
    for n, line in enumerate(TRAJECTORY):
        if n == 2:
            await chat.say(CHILD, CHILD_LINES[1], to=GROOMER)
        if n == 2:
            adapter.transient_failures = 1000  # later deliveries stay queued, naming the child
        await chat.say(GROOMER, line, to=CHILD)
    [case] = await store.list_cases()
    await engine.moderate(case.id, "acknowledge", CHILD.id, permitted=True)
    await engine.stop()
    await store.close()
    return adapter
