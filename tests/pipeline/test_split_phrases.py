"""A phrase cut over several messages is read as one ("dont" / "tell" / "ur mom").

Someone who knows a bot reads each message on its own can send a grooming move a word or
two at a time, and people split sentences over messages anyway. The engine joins the
author's last words (their own recent messages only, a minute at most) to a message's
first words for the detectors that read joined text (the lexicon): every split point of
each phrase is tried, in each language, and what must never be joined is tried too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import pytest

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, ConversationKind, MessageEvent
from nudgeguard.pipeline.conversation import SPLIT_SECONDS, SPLIT_WORDS
from nudgeguard.pipeline.signals import Signal
from nudgeguard.pipeline.text import NormalizedText
from nudgeguard.policy import load_policy
from nudgeguard.policy.engine import Decision
from nudgeguard.testing import FakeAdapter, Scenario, person
from nudgeguard.testing.scenario import GROOMING_LINES

#: (language, a move said in one message, the signal it is) written by the team.
MOVES = [
    ("en", "dont tell your mom about us", "secrecy_request"),
    ("en", "are your parents home right now", "supervision_probe"),
    ("en", "lets meet up this weekend", "meet_request"),
    ("en", "how old are you", "age_probe"),
    ("de", "sag es bitte niemandem", "secrecy_request"),
    ("de", "wo wohnst du genau", "location_probe"),
    ("nl", "vertel het aan niemand", "secrecy_request"),
    ("es", "no le digas a nadie", "secrecy_request"),
    ("fr", "ne le dis à personne", "secrecy_request"),
    ("pt", "não conta pra ninguém", "secrecy_request"),
    ("pt", "quantos anos você tem", "age_probe"),
]


KID, SENDER = person("kid", "minor"), person("sender")


@asynccontextmanager
async def _chat(
    kind: ConversationKind = ConversationKind.DIRECT,
) -> AsyncIterator[tuple[Engine, FakeAdapter, Scenario]]:
    """An engine with a chat in which a child has said hello."""
    adapter = FakeAdapter()
    engine = Engine(load_policy("default"), adapters=[adapter])
    await engine.start(background=False)
    try:
        chat = Scenario(engine, kind=kind)
        await chat.say(KID, "hi")
        yield engine, adapter, chat
    finally:
        await engine.stop()


def _ids(decision: Decision | None) -> list[str]:
    return [s.id for s in decision.assessment.signals] if decision else []


async def _signals(pieces: Sequence[str], *, step: float = 30.0) -> list[list[str]]:
    """Send ``pieces`` from one person to a child; return each piece's signal ids."""
    async with _chat() as (_, _, chat):
        chat.step = step
        return [_ids(await chat.say(SENDER, piece)) for piece in pieces]


def _cuts(line: str) -> list[list[str]]:
    """Every way of sending a line one, two or three words a message, from any first cut."""
    words = line.split()
    cuts = []
    for size in (1, 2, 3):
        for first in range(1, size + 1):
            pieces = [words[:first]] + [words[i : i + size] for i in range(first, len(words), size)]
            if len(pieces) > 1:
                cuts.append([" ".join(p) for p in pieces])
    return cuts


@pytest.mark.parametrize(("lang", "line", "sid"), MOVES)
async def test_a_move_sent_a_few_words_a_message_is_found_when_completed(lang, line, sid):
    whole = await _signals([line])
    assert sid in whole[0], f"{lang}: the uncut line is not read"
    for pieces in _cuts(line):
        found = await _signals(pieces)
        first = next((i for i, ids in enumerate(found) if sid in ids), None)
        assert first is not None, f"{lang}: missed when cut {[len(p.split()) for p in pieces]}"
        # No piece but the one that completes the phrase (or one that says it alone) has it.
        assert all(sid not in ids for ids in found[:first])


async def test_a_trajectory_sent_a_word_at_a_time_opens_the_same_case():
    words = [w for line in GROOMING_LINES for w in line.split()]
    async with _chat() as (engine, adapter, chat):
        for word in words:
            await chat.say(SENDER, word)
        await engine.outbox.drain()
        (case,) = await engine.cases.list_cases()
        assert case.subject == engine.pseudonyms.pseudonym("fake", "sender")
        assert {n.recipient_id for n, _ in adapter.nudges} == {"kid"}


async def test_a_move_said_whole_is_not_counted_again_by_the_next_message():
    found = await _signals(["dont tell", "your mom", "ok?", "lol"])
    assert [ids.count("secrecy_request") for ids in found] == [0, 1, 0, 0]


async def test_other_peoples_words_are_never_joined_to_a_message():
    async with _chat() as (_, _, chat):
        await chat.say(person("one"), "dont tell", to=KID)
        assert "secrecy_request" not in _ids(await chat.say(SENDER, "your mom", to=KID))


async def test_the_authors_pieces_join_across_other_peoples_lines_in_a_busy_room():
    async with _chat(ConversationKind.GROUP) as (_, _, chat):
        await chat.say(SENDER, "dont tell", to=KID)
        await chat.say(person("someone"), "what map next")
        assert "secrecy_request" in _ids(await chat.say(SENDER, "your mom", to=KID))


async def test_an_answer_from_the_person_addressed_ends_the_sentence():
    async with _chat() as (_, _, chat):
        await chat.say(SENDER, "dont tell")
        await chat.say(KID, "what")
        assert "secrecy_request" not in _ids(await chat.say(SENDER, "your mom"))


async def test_pieces_more_than_a_minute_apart_are_not_joined():
    late = await _signals(["dont tell", "your mom"], step=SPLIT_SECONDS + 1)
    assert late == [[], []]
    soon = await _signals(["dont tell", "your mom"], step=SPLIT_SECONDS - 1)
    assert soon[1] == ["secrecy_request"]


async def test_a_phrase_is_joined_only_between_short_pieces():
    # A long and a short half are read half by half (the cost of joining more, see docs).
    assert await _signals(["we had fun today so dont", "tell your mom about us ok"]) == [[], []]
    assert await _signals(["so dont", "tell your mom about us ok"]) == [[], []]
    assert await _signals(["we had fun today so dont tell", "your mom"]) == [[], []]
    assert (await _signals(["we had fun", "so dont tell", "your mom"]))[2] == ["secrecy_request"]


async def test_a_guard_reads_the_joined_text_too():
    found = await _signals(["keep it", "a secret its a surprise party for mom"])
    assert found == [[], []]


async def test_only_the_authors_last_words_are_joined():
    filler = " ".join(["word"] * 1500)  # within the longest text kept (8,192 characters)
    found = await _signals([f"dont {filler}", "tell", "your", "mom"])
    assert found[3] == []  # the "dont" is 1,500 words back
    found = await _signals(["dont tell", "x x", "x x", "x x", "your mom"])
    assert found[4] == []  # more than six words back
    assert SPLIT_WORDS == 6


async def test_pieces_of_huge_words_are_read_in_bounded_pieces():
    huge = "x" * 8000  # one "word" of almost the longest text kept
    found = await _signals([f"{huge} {huge}", f"{huge} dont", "tell", f"your {huge}"])
    assert found == [[], [], [], []]
    found = await _signals([huge, "dont tell", "your mom"])
    assert found[2] == ["secrecy_request"]


async def test_an_edit_is_not_joined_to_what_came_before():
    async with _chat() as (_, _, chat):
        await chat.say(SENDER, "ok")  # m2
        await chat.say(SENDER, "dont tell")
        decision = await chat.edit(SENDER, "m2", "your mom")
        assert "secrecy_request" not in _ids(decision)
        # The same words as a new message complete the phrase.
        assert "secrecy_request" in _ids(await chat.say(SENDER, "your mom"))


@pytest.mark.parametrize(
    ("pieces", "band"),
    [
        (["im", "35"], AgeBand.ADULT),
        (["i am", "13 lol"], AgeBand.MINOR),
        (["ich bin", "erst 14"], AgeBand.MINOR),
        (["tenho", "30 anos"], AgeBand.ADULT),
        (["im", "15 min away"], AgeBand.UNKNOWN),  # a unit, not an age
        (["lol", "13"], AgeBand.UNKNOWN),  # a bare number answers no question here
    ],
)
async def test_an_age_said_over_two_messages_is_the_authors(pieces, band):
    # An adult who sends "im" / "35" must not pass for someone of unknown age, and a child
    # who sends "i am" / "13" is a stated minor as if it were one message.
    stranger = person("stranger")
    async with _chat() as (_, _, chat):
        decisions = [await chat.say(stranger, piece, to=KID) for piece in pieces]
    assert decisions[-1] is not None and decisions[-1].actor_band is band


class _Joined:
    """A plugin that reads joined text: records what it is given, and can fail."""

    name = "joined-probe"

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[str] = []
        self.fail = fail

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        return []

    def detect_joined(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        if self.fail:
            raise RuntimeError("boom")
        self.seen.append(text.text)
        return [Signal("gift_offer", source=self.name)]


async def test_a_detector_with_detect_joined_reads_the_joined_words_and_a_failing_one_is_isolated():
    for fail in (False, True):
        probe = _Joined(fail)
        engine = Engine(load_policy("default"), detectors=[probe])
        await engine.start(background=False)
        try:
            chat = Scenario(engine, kind=ConversationKind.DIRECT)
            kid, sender = person("kid", "minor"), person("sender")
            await chat.say(kid, "hi")
            await chat.say(sender, "one two")
            decision = await chat.say(sender, "three four")
            ids = [s.id for s in decision.assessment.signals] if decision else []
            if fail:
                assert ids == [] and engine.stats.detector_errors["joined-probe"] == 1
            else:
                assert probe.seen == ["one two three four"] and ids == ["gift_offer"]
        finally:
            await engine.stop()
