"""Short stranger chats (Omegle style): sexual talk between two people of unknown age
opens no case on an age question alone; grooming moves (secrecy, meeting, a child's age)
still do. Lines are paraphrases written for the test."""

from __future__ import annotations

import pytest
import yaml

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import ConversationKind
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


def test_an_unknown_stage_code_is_refused():
    pack = load_policy("default").model_dump(mode="json")
    pack["rules"][3]["when"]["stages_not_counted"] = ["XX"]
    with pytest.raises(PolicyError, match="XX"):
        parse_policy(yaml.safe_dump(pack))
