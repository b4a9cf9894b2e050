"""Reads racing flushes: a process never reads back older data than it wrote."""

from __future__ import annotations

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.evaluation.scale_replay import conversations, make_engine, replay
from nudgeguard.state.store import MemoryStateStore
from nudgeguard.state.stores.redis_state import RedisStateStore

from .corpus import write_corpus


async def test_many_conversations_in_flight_with_constant_refreshes_decide_as_memory(
    tmp_path, redis_url, redis_prefix
):
    convs = conversations([write_corpus(tmp_path / "c.jsonl", conversations=60, seed=11)])
    expected = await replay(make_engine(MemoryStateStore(), SqliteCaseStore(":memory:")), convs)
    # Re-read per-person records on every load and flush all the time: every read of a
    # record can race a flush of the same record on another connection.
    state = RedisStateStore(redis_url, prefix=redis_prefix, shared_refresh=0.0, flush_interval=0)
    got = await replay(make_engine(state, SqliteCaseStore(":memory:")), convs, concurrency=16)
    await state.aclose()
    assert got == expected
