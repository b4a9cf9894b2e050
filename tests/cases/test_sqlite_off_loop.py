"""SQLite I/O runs off the event loop: a store waiting on its file does not stop the bot."""

from __future__ import annotations

import asyncio
import sqlite3

from nudgeguard.cases.sqlite import SqliteCaseStore

from .contract import make_case, msg


async def test_a_write_waiting_on_a_locked_file_leaves_the_loop_running(tmp_path):
    path = tmp_path / "cases.sqlite3"
    store = SqliteCaseStore(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        write = asyncio.create_task(store.open_case(make_case("NG-1"), [msg("m1")]))
        ticks = 0
        for _ in range(10):
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 10 and not write.done(), "the loop kept running while the write waited"
    finally:
        other.execute("COMMIT")
        other.close()
    opened = await write
    stored = await store.get(opened.id)
    assert stored is not None and [m.message_id for m in stored.evidence] == ["m1"]
    await store.close()


async def test_calls_keep_their_order_and_nested_calls_work(tmp_path):
    store = SqliteCaseStore(tmp_path / "cases.sqlite3")
    case = await store.open_case(make_case("NG-2"), [msg("m1")])
    adds = [store.add_evidence(case.id, [msg(f"m{i}")]) for i in range(2, 30)]
    await asyncio.gather(*adds)
    got = await store.get(case.id)
    assert got is not None
    assert [m.message_id for m in got.evidence] == [f"m{i}" for i in range(1, 30)]
    assert await store.verify_chain() is None  # awaits another store method inside
    await store.close()
    reopened = SqliteCaseStore(tmp_path / "cases.sqlite3")
    assert [c.id for c in await reopened.list_cases()] == [case.id]
    await reopened.close()


async def test_closing_waits_for_a_write_still_running_whose_caller_gave_up(tmp_path):
    """A bot stopping mid-write (its task cancelled) closes the store after the write."""
    path = tmp_path / "cases.sqlite3"
    store = SqliteCaseStore(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the write below waits for this lock on the worker
    write = asyncio.create_task(store.set_setting("mode:c1", "observe"))
    await asyncio.sleep(0.1)
    write.cancel()  # the caller gives up; the statement is still running on the worker
    closing = asyncio.create_task(store.close())
    await asyncio.sleep(0.1)
    assert not closing.done(), "the store closed its connection under a running write"
    other.execute("COMMIT")
    other.close()
    await closing
    check = sqlite3.connect(path)
    try:
        row = check.execute("SELECT value FROM meta WHERE key='setting:mode:c1'").fetchone()
    finally:
        check.close()
    assert row == ("observe",)
