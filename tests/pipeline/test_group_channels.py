"""Busy group channels: who talks to whom, so unrelated lines never add up to a case."""

from __future__ import annotations

from nudgeguard.local.transcript import Transcript, transcript_events
from nudgeguard.testing import Scenario, person
from nudgeguard.testing.scenario import GROOMING_LINES

CROWD = [person(f"regular{i}") for i in range(6)]
CHATTER = [
    "did anyone try the new kernel yet",
    "works fine here",
    "my wifi dropped again",
    "reboot fixed it for me",
    "which version are you on",
    "the mirror is slow today",
]


async def _crowd_talks(chat: Scenario, n: int = 6) -> None:
    for i in range(n):
        await chat.say(CROWD[i % len(CROWD)], CHATTER[i % len(CHATTER)])


async def test_an_unaddressed_line_in_a_busy_channel_is_said_to_the_room(chat):
    await _crowd_talks(chat)
    assert await chat.say(person("newcomer"), "anyone here use arch?") is None


async def test_a_reply_or_mention_is_aimed_whatever_the_crowd(chat):
    await _crowd_talks(chat)
    decision = await chat.say(person("asker"), "thanks, that helped", to=CROWD[2])
    assert decision is not None and decision.target_id == CROWD[2].id


async def test_taking_turns_in_a_busy_channel_is_a_dialogue(chat):
    a, b = person("a"), person("b")
    await _crowd_talks(chat)
    await chat.say(a, "my sound stopped working after the update")
    await chat.say(b, "did you check the mixer")
    decision = await chat.say(a, "yes, it is not muted")
    assert decision is not None and decision.target_id == b.id


async def test_someone_else_in_between_breaks_the_turn(chat):
    a, b = person("a"), person("b")
    await _crowd_talks(chat)
    await chat.say(a, "my sound stopped working after the update")
    await chat.say(b, "did you check the mixer")
    await chat.say(CROWD[0], "the mirror is back")
    assert await chat.say(a, "yes, it is not muted") is None


async def test_a_small_group_keeps_answering_the_last_speaker(chat):
    a, b, c = person("a"), person("b"), person("c")
    await chat.say(a, "hi")
    await chat.say(b, "hey")
    decision = await chat.say(c, "hello both")
    assert decision is not None and decision.target_id == b.id


async def test_risky_lines_scattered_in_a_busy_channel_open_no_case(chat):
    loud = person("loud")
    for line in GROOMING_LINES:
        await _crowd_talks(chat, 3)
        await chat.say(loud, line)
    assert await chat.engine.cases.list_cases() == []


async def test_the_same_lines_aimed_at_one_person_open_a_case(chat):
    loud, target = person("loud"), person("target")
    await chat.say(target, "hi all")
    for line in GROOMING_LINES:
        await _crowd_talks(chat, 3)
        await chat.say(loud, line, to=target)
    (case,) = await chat.engine.cases.list_cases()
    assert case.subject == chat.engine.pseudonyms.pseudonym("fake", loud.id)


def test_irc_name_addressing_in_a_transcript_is_a_mention():
    t = Transcript.model_validate(
        {
            "id": "t1",
            "kind": "group",
            "label": "normal",
            "participants": [{"id": "u1"}, {"id": "u2"}, {"id": "u3"}],
            "messages": [
                {"author": "u1", "ts": 0, "text": "u2: try the other driver"},
                {"author": "u2", "ts": 1, "text": "u1, thanks"},
                {"author": "u3", "ts": 2, "text": "u9: nobody by that name"},
                {"author": "u3", "ts": 3, "text": "time: now"},
            ],
        }
    )
    mentions = [e.mentions for e in transcript_events(t)]
    assert mentions == [("u2",), ("u1",), (), ()]


def test_an_at_mention_of_a_participant_in_a_transcript_is_a_mention():
    t = Transcript.model_validate(
        {
            "id": "t2",
            "kind": "group",
            "label": "normal",
            "participants": [{"id": "lil.ari"}, {"id": "u2"}, {"id": "u3"}],
            "messages": [
                {"author": "u2", "ts": 0, "text": "gg @lil.ari. dm me"},
                {"author": "u3", "ts": 1, "text": "(@u2) same"},
                {"author": "u3", "ts": 2, "text": "mail me at me@u2"},
                {"author": "u2", "ts": 3, "text": "@nobody @u3 hi"},
                {"author": "u2", "ts": 4, "text": "@u2 talking to myself"},
            ],
        }
    )
    mentions = [e.mentions for e in transcript_events(t)]
    assert mentions == [("lil.ari",), ("u2",), (), ("u3",), ()]


async def test_a_speaker_goes_on_talking_to_the_person_they_mentioned(chat):
    loud, target = person("loud"), person("target")
    await _crowd_talks(chat)
    await chat.say(loud, "sent you a dm", to=target)
    await _crowd_talks(chat, 3)
    first = await chat.say(loud, "you there?")
    await _crowd_talks(chat, 3)
    second = await chat.say(loud, "check it when you can")
    assert first is not None and first.target_id == target.id
    assert second is not None and second.target_id == target.id


async def test_going_on_ends_when_the_line_before_is_old_or_far_back(chat):
    loud, target = person("loud"), person("target")
    await _crowd_talks(chat)
    await chat.say(loud, "sent you a dm", to=target)
    await _crowd_talks(chat, 20)  # more than CONTINUE_MESSAGES lines in between
    assert await chat.say(loud, "anyone up for a match?") is None


async def test_lines_in_a_row_keep_the_turn(chat):
    a, b = person("a"), person("b")
    await _crowd_talks(chat)
    await chat.say(a, "my sound stopped working after the update")
    await chat.say(b, "did you check the mixer")
    await chat.say(a, "yes, it is not muted")
    decision = await chat.say(a, "and the cable is fine too")
    assert decision is not None and decision.target_id == b.id
