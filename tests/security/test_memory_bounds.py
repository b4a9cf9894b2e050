"""Memory bounds: a crowded channel cannot grow working memory or each message's cost.

500,000 speakers in one channel used to keep 500,000 ids in the conversation's state
(192 MB) and sort them for every message.
"""

from __future__ import annotations

from collections.abc import Iterator

from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.state.store import MAX_PARTICIPANTS, MemoryStateStore, RecentSet
from nudgeguard.testing import FakeAdapter, Scenario, person

from ..core.keyword_detector import KeywordDetector

SPEAKERS = 50_000
MAX_PAIRS = 2_000


class CountingSet(RecentSet):
    """A RecentSet that counts walks over all its members."""

    walks = 0

    def __iter__(self) -> Iterator[str]:
        CountingSet.walks += 1
        return super().__iter__()


def test_recent_set_keeps_the_most_recent_within_its_cap() -> None:
    s = RecentSet(cap=3)
    for user in ("a", "b", "c", "a", "d"):
        s.add(user)
    assert list(s) == ["c", "a", "d"]
    assert len(s) == 3 and "b" not in s


async def test_a_crowded_channel_keeps_bounded_state_and_constant_work() -> None:
    state = MemoryStateStore(max_pairs=MAX_PAIRS)
    engine = Engine(
        load_policy("default"),
        adapters=[FakeAdapter()],
        detectors=[KeywordDetector()],
        state=state,
    )
    chat = Scenario(engine)
    for n in range(SPEAKERS):
        await chat.say(person(f"user-{n}"), "hi all")
    [conv] = [v for _, v in state.conversations.items()]
    assert len(conv.participants) == MAX_PARTICIPANTS
    assert f"user-{SPEAKERS - 1}" in conv.participants and "user-0" not in conv.participants
    assert len(conv.speakers) <= 6 and len(conv.window) <= state.window
    for store in (state.pairs, state.ages, state.children, state.contacts):
        assert len(store) <= MAX_PAIRS

    # One more message in the crowd walks over none of the remembered participants.
    conv.participants = CountingSet(conv.participants)
    await chat.say(person("newcomer"), "hello")
    await chat.say(person(f"user-{SPEAKERS // 2}"), "hi again")
    assert CountingSet.walks == 0
    assert "newcomer" in conv.participants and len(conv.participants) == MAX_PARTICIPANTS
