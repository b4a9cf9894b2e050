"""A grooming move made earlier still counts when a photo request later lifts the risk.

Towards someone who said in the chat that they are under 18, the default pack opens a
case when the message that reaches the review level is a grooming move (secrecy, a
meeting, asking about the parents...). A move made a few messages before a photo or
camera request is the same conversation: the rules read the pair's moves so far
(``signals_seen_any``), while photo requests and stated ages alone, as in stranger chat,
still open no case.
"""

import pytest
import yaml

from nudgeguard.engine import Engine
from nudgeguard.policy import PolicyError, load_policy, parse_policy
from nudgeguard.policy.explain import explain
from nudgeguard.testing import Scenario, person

CHILD = person("kid")
STRANGER = person("stranger")

PHOTOS = [
    "send me a pic of you",
    "turn your cam on for a sec",
    "whats your snap",
    "send me another pic",
]


async def _chat(engine: Engine, lines: list[str], opening: str = "hi im 13") -> list[object]:
    chat = Scenario(engine)
    await chat.say(CHILD, opening)
    decisions = []
    for line in lines:
        decisions.append(await chat.say(STRANGER, line, to=CHILD))
        await chat.say(CHILD, "idk", to=STRANGER)
    return decisions


async def test_an_earlier_question_about_the_parents_counts_when_photos_follow(engine):
    await _chat(engine, ["are your parents home right now?", *PHOTOS])
    (case,) = await engine.cases.list_cases()
    assert case.subject == engine.pseudonyms.pseudonym("fake", STRANGER.id)


async def test_photo_requests_to_a_stated_minor_alone_open_no_case(engine):
    decisions = await _chat(engine, PHOTOS)
    assert any(d is not None and d.level.value in ("review", "urgent") for d in decisions)
    assert await engine.cases.list_cases() == []


async def test_towards_someone_of_unknown_age_an_earlier_move_counts_too(engine):
    # No age said: the stranger rules need two stages and a move, made before or now.
    await _chat(engine, ["are your parents home right now?", *PHOTOS], opening="hi")
    (case,) = await engine.cases.list_cases()
    assert case.subject == engine.pseudonyms.pseudonym("fake", STRANGER.id)


async def test_photo_requests_between_strangers_alone_open_no_case(engine):
    # Four lines: fewer than the learned scorer reads before it judges a side.
    decisions = await _chat(engine, PHOTOS, opening="hi")
    assert any(d is not None and d.level.value in ("review", "urgent") for d in decisions)
    assert await engine.cases.list_cases() == []


def test_the_condition_is_explained_and_checked():
    text = explain(load_policy("default"))
    assert "has shown secrecy request or" in text and "so far" in text
    pack = load_policy("default").model_dump(mode="json")
    pack["rules"][2]["when"]["signals_seen_any"] = ["secrecy_reqest"]
    with pytest.raises(PolicyError, match="signals_seen_any"):
        parse_policy(yaml.safe_dump(pack))
