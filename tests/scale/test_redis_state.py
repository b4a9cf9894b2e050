"""RedisStateStore: shared, bounded, atomic working memory."""

from __future__ import annotations

import asyncio
import multiprocessing

import pytest
import redis.asyncio as aioredis

from nudgeguard.inbox.events import AgeBand, AgeSource
from nudgeguard.state.store import AgeInference, EvidenceItem
from nudgeguard.state.stores.redis_state import RedisStateStore

from .services import closed_port

PAIR = ("fake", "g1", "c1", "adult1", "kid1")
CONV = ("fake", "g1", "c1")


def store(url: str, prefix: str, **kw) -> RedisStateStore:
    return RedisStateStore(url, prefix=prefix, **kw)


async def test_a_new_process_reads_back_exactly_what_was_written(redis_url, redis_prefix):
    a = store(redis_url, redis_prefix)
    pair = await a.load_pair(PAIR, 100.0)
    pair.scores["trust"] = 1.2345678901234567
    pair.signal_counts["age_probe"] = 2
    pair.messages, pair.case_id = 7, "NG-1"
    a.save_pair(PAIR, pair, 100.0)
    conv = await a.load_conversation(CONV, 100.0)
    conv.participants |= {"adult1", "kid1"}
    conv.speakers = ["kid1", "adult1"]
    conv.window.append(EvidenceItem("m1", "adult1", 100.25, "hello there", ("age_probe",)))
    a.save_conversation(CONV, conv, 100.0)
    a.save_age(("fake", "kid1"), AgeInference(AgeBand.MINOR, AgeSource.PLATFORM, 1.0), 100.0)
    child = await a.load_child(("fake", "kid1"), 100.0)
    child.nudge_times.append(99.5)
    a.save_child(("fake", "kid1"), child, 100.0)
    await a.aclose()

    b = store(redis_url, redis_prefix)
    again = await b.load_pair(PAIR, 101.0)
    assert again == pair
    conv2 = await b.load_conversation(CONV, 101.0)
    assert conv2.speakers == ["kid1", "adult1"] and conv2.participants == {"adult1", "kid1"}
    assert list(conv2.window) == list(conv.window)
    assert (await b.load_age(("fake", "kid1"), 101.0)).band is AgeBand.MINOR
    assert (await b.load_child(("fake", "kid1"), 101.0)).nudge_times == [99.5]
    await b.aclose()


async def test_two_processes_updating_one_pair_lose_nothing(redis_url, redis_prefix):
    a, b = store(redis_url, redis_prefix), store(redis_url, redis_prefix)
    pa, pb = await a.load_pair(PAIR, 10.0), await b.load_pair(PAIR, 10.0)
    pa.messages += 1
    pa.signal_counts["age_probe"] = 1
    pa.scores["trust"] = 1.0
    pb.messages += 1
    pb.signal_counts["secrecy_request"] = 1
    pb.scores["isolation"] = 2.0
    a.save_pair(PAIR, pa, 11.0)
    b.save_pair(PAIR, pb, 12.0)
    await asyncio.gather(a.flush(), b.flush())
    c = store(redis_url, redis_prefix)
    merged = await c.load_pair(PAIR, 13.0)
    assert merged.messages == 2
    assert merged.signal_counts == {"age_probe": 1, "secrecy_request": 1}
    assert merged.scores == pytest.approx({"trust": 1.0, "isolation": 2.0})
    # The process that lost the race now sees the merged picture too.
    assert (pa.messages, pb.messages) in ((2, 1), (1, 2))
    for s in (a, b, c):
        await s.aclose()


def _hammer(url: str, prefix: str, rounds: int) -> None:
    async def run() -> None:
        s = RedisStateStore(url, prefix=prefix, flush_interval=0.001)
        for n in range(rounds):
            pair = await s.load_pair(PAIR, 50.0)
            pair.messages += 1
            pair.signal_counts["gift_offer"] = pair.signal_counts.get("gift_offer", 0) + 1
            s.save_pair(PAIR, pair, 50.0)
            if n % 7 == 0:
                await s.flush()
        await s.aclose()

    asyncio.run(run())


async def test_concurrent_processes_never_lose_an_increment(redis_url, redis_prefix):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_hammer, args=(redis_url, redis_prefix, 150)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    s = store(redis_url, redis_prefix)
    pair = await s.load_pair(PAIR, 50.0)
    assert pair.messages == 600
    assert pair.signal_counts["gift_offer"] == 600
    await s.aclose()


async def test_nudge_history_and_ages_merge_across_processes(redis_url, redis_prefix):
    a, b = store(redis_url, redis_prefix), store(redis_url, redis_prefix)
    kid = ("fake", "kid1")
    ca, cb = await a.load_child(kid, 10.0), await b.load_child(kid, 10.0)
    ca.nudge_times.append(5.0)
    cb.nudge_times.append(6.0)
    a.save_child(kid, ca, 10.0)
    b.save_child(kid, cb, 10.0)
    a.save_age(kid, AgeInference(AgeBand.MINOR, AgeSource.SELF_DISCLOSURE, 0.6), 10.0)
    await a.flush()
    b.save_age(kid, AgeInference(AgeBand.ADULT, AgeSource.SELF_DISCLOSURE, 0.4), 10.0)
    await b.flush()
    c = store(redis_url, redis_prefix)
    assert (await c.load_child(kid, 11.0)).nudge_times == [5.0, 6.0]
    age = await c.load_age(kid, 11.0)
    assert (age.band, age.confidence) == (AgeBand.MINOR, 0.6)
    for s in (a, b, c):
        await s.aclose()


async def test_memory_per_conversation_and_pair_is_bounded(redis_url, redis_prefix):
    s = store(redis_url, prefix=redis_prefix, window=40)
    for n in range(300):
        conv = await s.load_conversation(CONV, float(n))
        conv.window.append(EvidenceItem(f"m{n}", "adult1", float(n), "x" * 50))
        s.save_conversation(CONV, conv, float(n))
        pair = await s.load_pair(PAIR, float(n))
        pair.messages += 1
        pair.signal_counts["age_probe"] = n
        s.save_pair(PAIR, pair, float(n))
        if n % 50 == 0:
            await s.flush()
    await s.flush()
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    win = redis_prefix + "win:fake:g1:c1"
    assert await client.llen(win) == 40
    assert (await client.lindex(win, 0)).startswith('["m260"')
    pair_key = redis_prefix + "pair:fake:g1:c1:adult1:kid1"
    assert 0 < await client.pttl(pair_key) <= 14 * 24 * 3600 * 1000
    assert await client.pttl(win) > 0
    assert await client.memory_usage(pair_key) < 400
    await client.aclose()
    fresh = store(redis_url, prefix=redis_prefix, window=40)
    conv = await fresh.load_conversation(CONV, 300.0)
    assert next(i.message_id for i in conv.window) == "m260" and len(conv.window) == 40
    await fresh.aclose()
    await s.aclose()


async def test_edits_and_deletes_rewrite_the_window(redis_url, redis_prefix):
    s = store(redis_url, redis_prefix)
    conv = await s.load_conversation(CONV, 1.0)
    conv.window.extend(EvidenceItem(f"m{n}", "a", float(n), "hi") for n in range(3))
    s.save_conversation(CONV, conv, 1.0)
    await s.flush()
    conv.window[1].deleted = True
    conv.window[2].text, conv.window[2].edited = "changed", True
    s.save_conversation(CONV, conv, 2.0)
    await s.aclose()
    again = await store(redis_url, redis_prefix).load_conversation(CONV, 3.0)
    assert [(i.deleted, i.edited, i.text) for i in again.window] == [
        (False, False, "hi"),
        (True, False, "hi"),
        (False, True, "changed"),
    ]


async def test_fanout_is_counted_across_processes_and_communities(redis_url, redis_prefix):
    a, b = store(redis_url, redis_prefix), store(redis_url, redis_prefix)
    adult = ("fake", "adult1")
    assert await a.note_contact(adult, "kid1", 10.0, 3600) == 1
    assert await a.note_contact(adult, "kid1", 11.0, 3600) == 1
    await a.flush()
    assert await b.note_contact(adult, "kid2", 12.0, 3600) == 2
    await b.flush()
    c = store(redis_url, redis_prefix)
    assert await c.note_contact(adult, "kid3", 13.0, 3600) == 3
    assert await c.note_contact(adult, "kid4", 9000.0, 3600) == 1
    for s in (a, b, c):
        await s.aclose()


async def test_an_unreachable_server_degrades_to_local_memory():
    s = RedisStateStore(f"redis://127.0.0.1:{closed_port()}/0", flush_interval=0.01)
    pair = await s.load_pair(PAIR, 1.0)
    pair.messages = 3
    s.save_pair(PAIR, pair, 1.0)
    assert await s.flush() is False
    assert s.healthy is False and s.last_error
    assert (await s.load_pair(PAIR, 2.0)).messages == 3
    await s.aclose()


async def test_the_local_cache_stays_bounded_and_redis_keeps_the_rest(redis_url, redis_prefix):
    s = store(redis_url, redis_prefix, max_cached=50)
    for n in range(400):
        key = ("fake", "g1", f"c{n}", "a", "b")
        pair = await s.load_pair(key, 1.0)
        pair.messages = n
        s.save_pair(key, pair, 1.0)
        if n % 20 == 0:
            await s.flush()
    await s.flush()
    assert len(s._cache) <= 60
    assert (await s.load_pair(("fake", "g1", "c7", "a", "b"), 2.0)).messages == 7
    await s.aclose()


async def test_writes_made_during_an_outage_reach_redis_when_it_is_back(redis_url, redis_prefix):
    s = RedisStateStore(f"redis://127.0.0.1:{closed_port()}/0", prefix=redis_prefix)
    pair = await s.load_pair(PAIR, 1.0)
    pair.messages = 9
    s.save_pair(PAIR, pair, 1.0)
    assert await s.flush() is False
    # The server comes back (same store, a reachable connection): the retry loop, not a
    # new write, delivers what was kept.
    await s.redis.aclose()
    s.redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    key = redis_prefix + "pair:fake:g1:c1:adult1:kid1"
    for _ in range(100):
        if await client.exists(key):
            break
        await asyncio.sleep(0.05)
    assert s.healthy
    fresh = store(redis_url, redis_prefix)
    assert (await fresh.load_pair(PAIR, 2.0)).messages == 9
    for c in (client, fresh, s):
        await c.aclose()


async def test_a_new_conversation_seen_by_two_processes_at_once_loses_nothing(
    redis_url, redis_prefix
):
    """Both find no record, so neither reads its pairs; the flushes still merge."""
    a, b = store(redis_url, redis_prefix), store(redis_url, redis_prefix)
    await a.load_conversation(CONV, 1.0)
    await b.load_conversation(CONV, 1.0)
    for s, signal in ((a, "age_probe"), (b, "gift_offer")):
        pair = await s.load_pair(PAIR, 2.0)
        pair.messages += 1
        pair.signal_counts[signal] = 1
        s.save_pair(PAIR, pair, 2.0)
        await s.flush()
    c = store(redis_url, redis_prefix)
    merged = await c.load_pair(PAIR, 3.0)
    await c.aclose()
    assert merged.messages == 2 and merged.signal_counts == {"age_probe": 1, "gift_offer": 1}
    # After its entry left the cache, a pair is read from Redis again, not recreated.
    a._drop(a._key("pair", PAIR))
    assert (await a.load_pair(PAIR, 4.0)).messages == 2
    await a.aclose()
    await b.aclose()


async def test_near_cache_answers_without_io_and_says_so_on_a_miss(redis_url, redis_prefix):
    a = store(redis_url, redis_prefix)
    pair = await a.load_pair(PAIR, 10.0)
    pair.messages = 3
    a.save_pair(PAIR, pair, 10.0)
    a.save_age(("fake", "kid1"), AgeInference(AgeBand.MINOR, AgeSource.PLATFORM, 1.0), 10.0)
    await a.flush()
    # Held in this process: the same live objects, no I/O.
    assert a.cached_pair(PAIR, 11.0) is pair
    assert a.cached_age(("fake", "kid1"), 11.0).band is AgeBand.MINOR
    await a.aclose()

    b = store(redis_url, redis_prefix)
    # A new process holds nothing yet: the engine must await load_* (which reads Redis).
    assert b.cached_pair(PAIR, 11.0) is None
    assert b.cached_conversation(CONV, 11.0) is None
    assert b.cached_age(("fake", "kid1"), 11.0) is None
    assert (await b.load_pair(PAIR, 11.0)).messages == 3
    assert b.cached_pair(PAIR, 11.0).messages == 3
    await b.aclose()
