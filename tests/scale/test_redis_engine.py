"""The engine on Redis state: restarts resume, fan-out shows, outages do not stop nudges."""

from __future__ import annotations

from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.policy.engine import Decision
from nudgeguard.state.store import MemoryStateStore, StateStore
from nudgeguard.state.stores.redis_state import RedisStateStore
from nudgeguard.testing import FakeAdapter, Scenario, person
from tests.core.keyword_detector import KeywordDetector

from .services import closed_port

ADULT, KID = person("adult1", "adult"), person("kid1", "minor")
LINES = [
    (KID, "hi, anyone here like drawing?"),
    (ADULT, "hey! how old are you?"),
    (KID, "im 13"),
    (ADULT, "nice. are you alone at home a lot?"),
    (KID, "sometimes"),
    (ADULT, "you can tell me anything, it's our secret"),
    (KID, "ok"),
    (ADULT, "add me on snapchat"),
    (KID, "maybe"),
    (ADULT, "i can send you robux if you send a photo"),
    (KID, "hmm"),
    (ADULT, "we should meet this weekend"),
]


def fingerprint(d: Decision | None) -> tuple[object, ...] | None:
    if d is None:
        return None
    a = d.assessment
    return (
        d.message_id,
        a.level.value,
        a.score,
        tuple(sorted(a.factors.items())),
        tuple(x.kind for x in d.actions),
    )


def engine(state: StateStore, adapter: FakeAdapter) -> Engine:
    return Engine(
        load_policy("default"), state=state, adapters=[adapter], detectors=[KeywordDetector()]
    )


async def run(eng: Engine, chat: Scenario, lines) -> list:
    await eng.start(background=False)
    out = [fingerprint(await chat.say(who, text)) for who, text in lines]
    await eng.outbox.drain()
    return out


async def test_a_restarted_process_continues_with_the_same_risk_picture(redis_url, redis_prefix):
    single_adapter = FakeAdapter()
    single = engine(MemoryStateStore(), single_adapter)
    expected = await run(single, Scenario(single), LINES)
    assert any(f and "escalate" in f[4] for f in expected), "scenario must open a case"

    first_adapter = FakeAdapter()
    store_a = RedisStateStore(redis_url, prefix=redis_prefix)
    eng_a = engine(store_a, first_adapter)
    chat = Scenario(eng_a)
    got = await run(eng_a, chat, LINES[:6])
    await eng_a.stop()
    await store_a.aclose()

    store_b = RedisStateStore(redis_url, prefix=redis_prefix)
    eng_b = engine(store_b, FakeAdapter())
    eng_b.cases = eng_a.cases  # same case database, as two processes on one store
    eng_b.dispatcher.cases = eng_a.cases
    eng_b.outbox.store = eng_a.cases
    chat.engine = eng_b
    got += await run(eng_b, chat, LINES[6:])
    await store_b.aclose()
    assert got == expected


async def test_one_adult_writing_to_many_children_raises_the_risk(redis_url, redis_prefix):
    """Three communities, two bot processes: only shared state sees the pattern.

    Per-person records are re-read after ``shared_refresh`` (1 s by default); the messages
    here are a few milliseconds apart, so the test asks for fresh reads every time.
    """
    stores = [RedisStateStore(redis_url, prefix=redis_prefix, shared_refresh=0.0) for _ in range(2)]
    engines = [engine(s, FakeAdapter()) for s in stores]
    decisions = []
    for n, community in enumerate(("g1", "g2", "g3")):
        eng = engines[n % 2]
        kid = person(f"kid{n}", "minor")
        chat = Scenario(eng, community_id=community, conversation_id=f"dm{n}")
        await chat.say(kid, "hello")
        decisions.append(await chat.say(ADULT, "hey, how old are you?"))
        await stores[n % 2].flush()
    assert "high_fanout" not in decisions[1].assessment.factors
    assert decisions[2].assessment.factors.get("high_fanout", 1.0) > 1.0
    assert decisions[2].assessment.score > decisions[0].assessment.score
    for s in stores:
        await s.aclose()


async def test_memory_store_counts_fanout_too():
    eng = engine(MemoryStateStore(), FakeAdapter())
    last = None
    for n in range(3):
        chat = Scenario(eng, community_id=f"g{n}", conversation_id=f"dm{n}")
        await chat.say(person(f"kid{n}", "minor"), "hello")
        last = await chat.say(ADULT, "hey, how old are you?")
    assert last is not None and "high_fanout" in last.assessment.factors


async def test_redis_down_the_bot_still_nudges_from_memory():
    adapter = FakeAdapter()
    store = RedisStateStore(f"redis://127.0.0.1:{closed_port()}/0")
    eng = engine(store, adapter)
    got = await run(eng, Scenario(eng), LINES)
    assert eng.stats.errors == 0
    assert adapter.nudges_to("kid1"), "the child is still nudged"
    assert any(f and "escalate" in f[4] for f in got)
    assert store.healthy is False
    await store.aclose()
