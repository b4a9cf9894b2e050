"""Detectors of pair evidence run only on messages aimed at someone."""

from collections.abc import Sequence

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.pipeline.signals import Signal
from nudgeguard.pipeline.text import NormalizedText
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario, person

ROOM = [person(name) for name in ("ana", "ben", "cai", "dev", "eli")]


class PairEvidence:
    """A plugin whose findings only count towards the pair a message is aimed at."""

    name = "pair-evidence"
    pair_evidence = True

    def __init__(self) -> None:
        self.texts: list[str] = []

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        self.texts.append(event.text)
        return []


async def test_a_line_said_to_a_busy_room_skips_pair_evidence_but_a_reply_does_not() -> None:
    detector = PairEvidence()
    engine = Engine(load_policy("default"), adapters=[FakeAdapter()], detectors=[detector])
    chat = Scenario(engine)
    for speaker in ROOM:  # five people speak in turn: the room is busy
        await chat.say(speaker, f"hi from {speaker.id}")
    detector.texts.clear()
    await chat.say(ROOM[0], "anyone seen the new map?")  # aimed at nobody in particular
    await chat.say(ROOM[1], "yes, it is great", to=ROOM[0])  # a reply: aimed at ana
    assert detector.texts == ["yes, it is great"]
