"""The core inbox: replays dropped once for every adapter, order kept, callers never wait."""

import asyncio

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import EventType, MessageEvent, Participant
from nudgeguard.inbox.queue import Inbox, Replays
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter

KID = Participant(id="kid", age_band="minor", age_source="platform_role")
STRANGER = Participant(id="stranger")


def event(n: int, text: str, *, author: Participant = STRANGER, **kw: object) -> MessageEvent:
    base: dict[str, object] = {
        "platform": "fake",
        "community_id": "c1",
        "conversation_id": "dm1",
        "conversation_kind": "direct",
        "message_id": f"m{n}",
        "author": author,
        "text": text,
        "ts": 1_000.0 + n,
    }
    base.update(kw)
    return MessageEvent.model_validate(base)


async def test_a_replayed_event_is_scored_once() -> None:
    engine = Engine(load_policy("default"), adapters=[FakeAdapter()])
    await engine.handle(event(0, "hi", author=KID))
    question = event(1, "how old are you")
    assert await engine.handle(question) is not None
    assert await engine.handle(question) is None
    assert engine.stats.duplicates == 1 and engine.stats.scored == 1


async def test_a_second_different_edit_is_scored_and_a_replayed_edit_is_not() -> None:
    replays = Replays()
    assert replays.first_time(event(1, "hi"))
    assert replays.first_time(event(1, "hello", type=EventType.EDIT))
    assert not replays.first_time(event(1, "hello", type=EventType.EDIT))
    assert replays.first_time(event(1, "hello there", type=EventType.EDIT))
    assert replays.first_time(event(1, "", type=EventType.DELETE))
    assert not replays.first_time(event(1, "", type=EventType.DELETE))


async def test_replay_memory_is_bounded() -> None:
    replays = Replays(size=100)
    for n in range(10_000):
        replays.first_time(event(n, "x"))
    assert len(replays) == 100
    assert replays.first_time(event(0, "x"))  # long forgotten: taken as new


async def test_submit_never_waits_and_keeps_each_conversation_in_order() -> None:
    seen: list[str] = []
    release = asyncio.Event()

    async def slow_handle(e: MessageEvent) -> None:
        if e.conversation_id == "slow":
            await release.wait()
        seen.append(f"{e.conversation_id}:{e.text}")

    inbox = Inbox(slow_handle)
    for n in range(5):
        assert inbox.submit(event(n, str(n), conversation_id="slow"))
        assert inbox.submit(event(n, str(n), conversation_id="fast"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    # The caller was never held up; the fast conversation went ahead of the stuck one.
    assert seen == [f"fast:{n}" for n in range(5)]
    assert inbox.pending == 5
    release.set()
    await inbox.drain()
    assert seen[5:] == [f"slow:{n}" for n in range(5)]
    assert inbox.pending == 0


async def test_translation_keeps_its_place_in_the_order() -> None:
    seen: list[str] = []

    async def handle(e: MessageEvent) -> None:
        seen.append(e.text)

    inbox = Inbox(handle)
    key = ("fake", "c1", "dm1")

    def later(n: int, delay: float):
        async def translate() -> MessageEvent | None:
            await asyncio.sleep(delay)
            return event(n, f"t{n}") if n != 2 else None  # 2 has nothing to score

        return translate

    inbox.submit_later(key, later(1, 0.05))  # slow to translate, but first
    inbox.submit_later(key, later(2, 0.0))
    inbox.submit(event(3, "t3"))
    await inbox.drain()
    assert seen == ["t1", "t3"]
    assert inbox.stats.untranslated == 1 and inbox.stats.handled == 2


async def test_a_failing_event_does_not_stop_its_conversation() -> None:
    seen: list[str] = []

    async def handle(e: MessageEvent) -> None:
        if e.text == "boom":
            raise RuntimeError("a store went away")
        seen.append(e.text)

    inbox = Inbox(handle)
    for n, text in enumerate(["a", "boom", "b"]):
        inbox.submit(event(n, text))
    await inbox.drain()
    assert seen == ["a", "b"] and inbox.stats.errors == 1


async def test_a_full_inbox_refuses_and_counts_instead_of_growing() -> None:
    async def never(e: MessageEvent) -> None:
        await asyncio.Event().wait()

    inbox = Inbox(never, max_pending=10)
    accepted = [inbox.submit(event(n, "x", conversation_id=f"c{n}")) for n in range(25)]
    assert accepted.count(True) == 10 and inbox.stats.refused_full == 15
    for task in list(inbox._tasks):
        task.cancel()
    await asyncio.gather(*inbox._tasks, return_exceptions=True)


async def test_the_engine_inbox_feeds_the_pipeline() -> None:
    fake = FakeAdapter()
    engine = Engine(load_policy("default"), adapters=[fake])
    engine.inbox.submit(event(0, "hi", author=KID))
    engine.inbox.submit(event(1, "hey there"))
    engine.inbox.submit(event(1, "hey there"))  # a replay
    engine.inbox.submit(event(2, "beep", author=Participant(id="bot", is_bot=True)))
    await engine.inbox.drain()
    assert engine.stats.scored == 1
    assert engine.stats.duplicates == 1 and engine.stats.ignored == 1
