"""Short stranger chats (Omegle style): sexual talk between two people of unknown age
opens no case on an age question alone, nor when one of them says they are under 18;
grooming moves towards that person (secrecy, a meeting) still do, and so does the same
talk towards someone the platform declared a minor. Lines are paraphrases written for the
test."""

from __future__ import annotations

import pytest
import yaml

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, ConversationKind
from nudgeguard.policy import load_policy, parse_policy
from nudgeguard.policy.loader import PolicyError
from nudgeguard.testing import FakeAdapter, Scenario, person

A, B = person("stranger-a"), person("stranger-b")
FLIRT = [
    (A, "asl?"),
    (B, "guess"),
    (A, "how old are you really"),
    (A, "so are you horny tonight"),
    (B, "maybe, what about you"),
    (A, "tell me what you are wearing"),
    (A, "i want to have sex with you"),
    (A, "you make me so horny"),
]


@pytest.fixture
async def chat():
    engine = Engine(load_policy("default"), adapters=[FakeAdapter()])
    await engine.start(background=False)
    yield Scenario(engine, kind=ConversationKind.DIRECT)
    await engine.stop()


async def _play(chat: Scenario, lines) -> None:
    for who, line in lines:
        await chat.say(who, line, to=B if who is A else A)


async def test_an_age_question_and_sexual_talk_open_no_case(chat):
    await _play(chat, FLIRT)
    assert await chat.engine.cases.list_cases() == []


async def test_the_same_chat_opened_a_case_when_the_age_question_counted():
    pack = load_policy("default").model_dump(mode="json")
    for rule in pack["rules"]:
        rule["when"].pop("stages_not_counted", None)
        if rule["name"].endswith("-unknown-age"):
            rule["when"]["signals_any"] = []  # and when any message could reach the level
            rule["when"]["signals_seen_any"] = []  # with or without a move made before
    engine = Engine(parse_policy(yaml.safe_dump(pack)), adapters=[FakeAdapter()])
    await engine.start(background=False)
    try:
        await _play(Scenario(engine, kind=ConversationKind.DIRECT), FLIRT)
        assert len(await engine.cases.list_cases()) == 1
    finally:
        await engine.stop()


async def test_secrecy_on_top_of_it_opens_a_case(chat):
    await _play(chat, [*FLIRT[:1], (A, "do you want to have sex"), (A, "so horny right now")])
    secrecy = [(A, "dont tell anyone about this, its our secret"), (A, "keep it between us")]
    await _play(chat, secrecy)
    assert len(await chat.engine.cases.list_cases()) == 1


# B says they are under 18; A, of unknown age, keeps up the sexual talk (five lines, so
# the learned score, which counts from the sixth, cannot decide it).
STATED_MINOR = [
    (A, "asl?"),
    (B, "im 15 f"),
    (A, "so are you horny tonight"),
    (A, "tell me what you are wearing"),
    (A, "i want to have sex with you"),
]


async def test_sexual_talk_towards_someone_who_says_they_are_15_nudges_them_but_opens_no_case(
    chat,
):
    (adapter,) = chat.engine.adapters.values()
    await _play(chat, STATED_MINOR)
    assert await chat.engine.cases.list_cases() == []
    assert [n.recipient_id for n, _ in adapter.nudges] == [B.id]


async def test_a_meeting_asked_in_secret_of_someone_who_says_they_are_15_opens_a_case(chat):
    await _play(chat, STATED_MINOR)
    await _play(chat, [(A, "lets meet up this weekend, dont tell your parents")])
    cases = await chat.engine.cases.list_cases()
    assert len(cases) == 1


PHOTO = [(A, "send me a pic of you")]


async def test_a_photo_request_from_someone_of_unknown_age_opens_no_case(chat):
    await _play(chat, [*STATED_MINOR, *PHOTO])
    assert await chat.engine.cases.list_cases() == []


async def test_a_photo_request_from_someone_who_says_they_are_35_opens_a_case(chat):
    await _play(chat, [STATED_MINOR[0], (A, "im 35 m"), *STATED_MINOR[1:], *PHOTO])
    assert len(await chat.engine.cases.list_cases()) == 1


async def test_two_people_who_both_say_they_are_15_talking_sexually_open_no_case(chat):
    talk = [(A, line) for _, line in FLIRT[3:] + FLIRT[3:]]
    await _play(chat, [(A, "im 15 too"), *STATED_MINOR[:2], *talk])
    assert await chat.engine.cases.list_cases() == []


async def test_the_same_talk_towards_a_platform_declared_minor_opens_a_case():
    engine = Engine(load_policy("default"), adapters=[FakeAdapter()])
    await engine.start(background=False)
    try:
        chat = Scenario(engine, kind=ConversationKind.DIRECT)
        minor = person("stranger-b", AgeBand.MINOR)
        for who, line in STATED_MINOR:
            if who is A:
                await chat.say(A, line, to=minor)
            else:
                await chat.say(minor, line, to=A)
        assert len(await engine.cases.list_cases()) == 1
    finally:
        await engine.stop()


def test_an_unknown_stage_code_is_refused():
    pack = load_policy("default").model_dump(mode="json")
    pack["rules"][3]["when"]["stages_not_counted"] = ["XX"]
    with pytest.raises(PolicyError, match="XX"):
        parse_policy(yaml.safe_dump(pack))


# A meeting asked in secret after sexual talk: urgent at once (a meeting after secrecy).
SECRET_MEETING = [
    (A, "dont tell anyone about this, its our secret"),
    (A, "lets meet up tonight at my place"),
]


async def test_a_secret_meeting_towards_someone_of_unknown_age_opens_a_case(chat):
    await _play(chat, [*FLIRT[3:6], *SECRET_MEETING])
    assert len(await chat.engine.cases.list_cases()) == 1


async def test_a_secret_meeting_towards_someone_who_says_they_are_32_opens_no_case(chat):
    await _play(chat, [(A, "asl?"), (B, "im 32 m"), *FLIRT[3:6], *SECRET_MEETING])
    assert await chat.engine.cases.list_cases() == []


async def test_a_secret_meeting_towards_a_platform_declared_adult_opens_no_case():
    engine = Engine(load_policy("default"), adapters=[FakeAdapter()])
    await engine.start(background=False)
    try:
        chat = Scenario(engine, kind=ConversationKind.DIRECT)
        adult = person("stranger-b", AgeBand.ADULT)
        await chat.say(adult, "hey", to=A)
        for _, line in [*FLIRT[3:6], *SECRET_MEETING]:
            await chat.say(A, line, to=adult)
        assert await engine.cases.list_cases() == []
    finally:
        await engine.stop()
