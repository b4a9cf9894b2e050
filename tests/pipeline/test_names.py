"""Lines in a group that call someone by name ("ari dm me") are aimed at them."""

from __future__ import annotations

import pytest

from nudgeguard.pipeline.names import MAX_CANDIDATES, Names, calling_words, name_pieces
from nudgeguard.testing import Scenario, person

ARI = person("1001", name="lil_ari")
MOSS = person("1002", name="moss_draws")
MOSSY = person("1003", name="MossyBoots")
ADULT = person("1004", name="Vexx_Reaper")
CROWD = [person(f"20{i}", name=f"regular{i}") for i in range(4)]
CHATTER = ["who is green", "vote dunk", "skip?", "i was in electrical", "next round", "gg"]


@pytest.mark.parametrize(
    ("display", "pieces"),
    [
        ("lil_ari", ("ari",)),
        ("Vexx_Reaper", ("vexx", "reaper")),
        ("kitkat.ink", ("kitkat", "ink")),
        ("the_real_bob99", ("bob",)),
        ("12345678901234", ()),
        ("xx", ()),
    ],
)
def test_a_display_name_is_called_by_its_pieces(display, pieces):
    assert name_pieces(display) == pieces


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("ari dm me ur snap", ["ari", "snap"]),
        ("nice moss, rim light", ["moss", "rim", "light"]),
        ("hey ari", ["ari"]),
        ("see ari gets it", []),  # spoken of, not called
    ],
)
def test_the_words_in_a_calling_position(line, words):
    assert calling_words(line) == words


def test_a_long_line_gives_few_candidates():
    line = ", ".join(f"word{i} name{i}" for i in range(10_000))
    assert len(calling_words(line)) <= MAX_CANDIDATES


def test_the_name_memory_is_bounded():
    names = Names(size=10)
    for i in range(1_000):
        names.learn("p", str(i), f"person_{i}")
    assert len(names._pieces) <= 10


async def _lobby(chat: Scenario, *extra) -> None:
    """A busy lobby where Ari, the others and the adult have all spoken lately."""
    for i, who in enumerate([*CROWD, ARI, MOSS, *extra]):
        await chat.say(who, CHATTER[i % len(CHATTER)])
    for i, who in enumerate(CROWD[:3]):
        await chat.say(who, CHATTER[i])


async def test_a_line_calling_someone_by_a_short_name_is_aimed_at_them(chat):
    await _lobby(chat, ADULT)
    await chat.say(ARI, "lol")
    decision = await chat.say(ADULT, "ari u play good, add me after this")
    assert decision is not None and decision.target_id == ARI.id


async def test_the_same_line_without_a_name_is_said_to_the_room(chat):
    await _lobby(chat, ADULT)
    assert await chat.say(ADULT, "u play good, add me after this") is None


async def test_a_word_that_starts_two_names_calls_no_one(chat):
    await _lobby(chat, MOSSY, ADULT)
    assert await chat.say(ADULT, "moss u play good") is None


async def test_a_call_by_name_carries_on_to_the_next_lines(chat):
    await _lobby(chat, ADULT)
    await chat.say(ADULT, "ari dm me ur snap, easier than this lobby")
    await chat.say(CROWD[0], "who is green")
    await chat.say(CROWD[1], "vote dunk")
    decision = await chat.say(ADULT, "dont tell the others")
    assert decision is not None and decision.target_id == ARI.id


async def test_a_grooming_move_called_by_name_in_a_lobby_reaches_the_child(chat):
    await _lobby(chat, ADULT)
    await chat.say(ARI, "im 11 lol")
    await chat.say(ADULT, "ari how old r u for real")
    await chat.say(ADULT, "ari dont tell ur mom we talk ok")
    decision = await chat.say(ADULT, "ari send me a pic of u, just for me")
    assert decision is not None and decision.target_id == ARI.id
    assert decision.wants("escalate") is not None


async def test_an_erased_person_is_no_longer_called_by_name(chat):
    await _lobby(chat, ADULT)
    await chat.engine.erase_user("fake", ARI.id)
    assert chat.engine.names.addressed("fake", "ari u there", ADULT.id, [ARI.id]) is None
    assert chat.engine.names.addressed("fake", "moss u there", ADULT.id, [MOSS.id]) == MOSS.id
