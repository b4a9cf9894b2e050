"""Per-conversation turns: order within a key, freedom across keys, safe cancellation."""

import asyncio

from nudgeguard.engine import Engine
from nudgeguard.inbox.turns import Turns
from nudgeguard.policy import load_policy
from nudgeguard.testing import Scenario, person

from ..core.keyword_detector import KeywordDetector
from ..core.slow_store import SlowStore, handled


async def _worker(turns: Turns[str], key: str, name: str, log: list[str], hold: asyncio.Event):
    if not turns.try_take(key):
        await turns.take(key)
    try:
        log.append(f"start {name}")
        await hold.wait()
        log.append(f"end {name}")
    finally:
        turns.give_back(key)


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_one_key_runs_one_at_a_time_in_arrival_order():
    turns: Turns[str] = Turns()
    log: list[str] = []
    gate = asyncio.Event()
    tasks = [asyncio.create_task(_worker(turns, "c", n, log, gate)) for n in "abcd"]
    await _settle()
    assert log == ["start a"]
    gate.set()
    await asyncio.gather(*tasks)
    assert log == [f"{s} {n}" for n in "abcd" for s in ("start", "end")]
    assert len(turns) == 0


async def test_different_keys_interleave():
    turns: Turns[str] = Turns()
    log: list[str] = []
    gate = asyncio.Event()
    tasks = [asyncio.create_task(_worker(turns, k, k, log, gate)) for k in ("x", "y", "z")]
    await _settle()
    assert log == ["start x", "start y", "start z"]
    gate.set()
    await asyncio.gather(*tasks)
    assert len(turns) == 0


async def test_a_waiter_cancelled_while_waiting_leaves_the_queue():
    turns: Turns[str] = Turns()
    log: list[str] = []
    gate = asyncio.Event()
    first = asyncio.create_task(_worker(turns, "c", "a", log, gate))
    second = asyncio.create_task(_worker(turns, "c", "b", log, gate))
    third = asyncio.create_task(_worker(turns, "c", "c", log, gate))
    await _settle()
    second.cancel()
    await _settle()
    gate.set()
    await asyncio.gather(first, third)
    assert second.cancelled()
    assert log == ["start a", "end a", "start c", "end c"]
    assert len(turns) == 0


async def test_a_waiter_cancelled_after_being_handed_the_turn_passes_it_on():
    turns: Turns[str] = Turns()
    log: list[str] = []
    gate = asyncio.Event()
    gate.set()
    assert turns.try_take("c")
    second = asyncio.create_task(_worker(turns, "c", "b", log, gate))
    third = asyncio.create_task(_worker(turns, "c", "c", log, gate))
    await _settle()
    turns.give_back("c")  # hands the turn to the second ...
    second.cancel()  # ... which is cancelled before it can run
    await asyncio.wait_for(third, 5)  # a stalled turn would hang here
    assert second.cancelled()
    assert log == ["start c", "end c"]
    assert len(turns) == 0


async def test_a_cancelled_waiter_skipped_by_give_back_is_not_removed_twice():
    turns: Turns[str] = Turns()
    assert turns.try_take("c")
    waiter = asyncio.create_task(turns.take("c"))
    await _settle()
    waiter.cancel()
    turns.give_back("c")  # the cancelled waiter has not run yet: it is skipped
    await asyncio.gather(waiter, return_exceptions=True)
    assert waiter.cancelled()
    assert len(turns) == 0
    assert turns.try_take("c")


# -- through the engine -------------------------------------------------------------------
CHILD, OTHER = person("kid"), person("friend")


def _engine(adapter, store: SlowStore) -> Engine:
    return Engine(
        load_policy("default"), adapters=[adapter], detectors=[KeywordDetector()], state=store
    )


async def test_engine_interleaves_conversations(adapter):
    order: list[tuple[str, str]] = []
    store = SlowStore(order, slow={"one"})
    engine = _engine(adapter, store)
    one, two = Scenario(engine, conversation_id="one"), Scenario(engine, conversation_id="two")
    slow = one.event(CHILD, "hi", message_id="slow")
    fast = two.event(OTHER, "hello", message_id="fast")
    await asyncio.gather(handled(one, store, slow), handled(two, store, fast))
    # The fast conversation is read and finished while the slow one is still being read.
    assert order == [("load", "one"), ("load", "two"), ("end", "fast"), ("end", "slow")]
    assert len(engine._turns) == 0


async def test_cancelled_event_does_not_stall_its_conversation(adapter):
    order: list[tuple[str, str]] = []
    store = SlowStore(order, slow={"c"})
    engine = _engine(adapter, store)
    chat = Scenario(engine, conversation_id="c")
    events = [chat.event(CHILD, "hi"), chat.event(OTHER, "yo"), chat.event(CHILD, "sup")]
    tasks = [asyncio.create_task(handled(chat, store, e)) for e in events]
    await _settle()
    tasks[1].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert tasks[1].cancelled()
    # m2 never ran; m3 got the conversation after m1.
    assert order == [("load", "c"), ("end", "m1"), ("load", "c"), ("end", "m3")]
    assert len(engine._turns) == 0
