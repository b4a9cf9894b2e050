"""The built-in detectors inside the engine: what a community would notice."""

import pytest

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, ConversationKind
from nudgeguard.pipeline.conversation import OPENING_MESSAGES
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario, person

ADULT = person("stranger")
KID = person("kid")


@pytest.fixture
async def setup():
    adapter = FakeAdapter()
    engine = Engine(load_policy("default"), adapters=[adapter])  # built-in detectors
    await engine.start(background=False)
    yield engine, adapter, Scenario(engine)
    await engine.stop()


async def test_self_disclosed_child_gets_nudged_and_the_adult_is_the_subject(setup):
    engine, adapter, chat = setup
    await chat.say(KID, "hi")
    await chat.say(ADULT, "asl?", to=KID)
    await chat.say(KID, "13 f", to=ADULT)
    await chat.say(ADULT, "im 30 but age is just a number", to=KID)
    await chat.say(ADULT, "r u home alone? do ur parents check ur phone", to=KID)
    await chat.say(ADULT, "dont tell anyone, this is our secret", to=KID)
    await chat.say(ADULT, "lets meet up, i can pick u up", to=KID)
    assert adapter.nudges_to(KID.id)
    assert not adapter.nudges_to(ADULT.id)
    (case,) = await engine.cases.list_cases()
    assert case.subject == engine.pseudonyms.pseudonym("fake", ADULT.id)


async def test_the_child_asking_for_a_picture_does_not_make_the_child_the_subject(setup):
    engine, _, chat = setup
    await chat.say(KID, "im 13")
    for line in ["u got a pic?", "send me a pic", "hop on cam", "show me a pic of u"]:
        await chat.say(KID, line, to=ADULT)
    assert await engine.cases.list_cases() == []


async def test_repeating_an_adult_age_is_not_new_evidence(setup):
    engine, _, chat = setup
    other = person("someone")
    await chat.say(other, "hey")
    decisions = [await chat.say(ADULT, "18 m here, girls pm me", to=other) for _ in range(4)]
    assert "REF" not in decisions[-1].assessment.stages
    assert await engine.cases.list_cases() == []


async def test_ordinary_plans_between_unknown_ages_stay_quiet(setup):
    engine, adapter, chat = setup
    a, b = person("a"), person("b")
    for who, line in [
        (a, "could we get together this weekend?"),
        (b, "sure, what time should i meet you?"),
        (a, "how about 3, why not?"),
        (b, "just call me if you are late"),
    ]:
        await chat.say(who, line, to=b if who is a else a)
    assert adapter.nudges == []
    assert await engine.cases.list_cases() == []


async def test_declared_minor_still_wins_over_a_self_disclosed_adult_age(setup):
    _, _, chat = setup
    declared = person("teen", AgeBand.MINOR)
    await chat.say(declared, "im 25 lol")
    decision = await chat.say(ADULT, "how old are you", to=declared)
    assert decision.target_band is AgeBand.MINOR


async def _opening(engine: Engine, kind: ConversationKind, *, delete: bool = False, then: int = 0):
    chat = Scenario(engine, kind=kind, conversation_id=f"{kind}-chat")
    kid = person("kid-" + kind, AgeBand.MINOR)
    await chat.say(ADULT, "hey cutie")
    await chat.say(ADULT, "r u home alone? dont tell ur parents about me")
    if delete:
        await chat.delete(ADULT, "m2")
    for i in range(then):  # more lines, still with nobody there
        await chat.say(ADULT, f"so anyway, about the match on day {i}")
    return kid, await chat.say(kid, "hi who is this")


async def test_a_direct_chat_cold_open_is_scored_when_the_child_first_answers(setup):
    engine, adapter, _ = setup
    kid, decision = await _opening(engine, ConversationKind.DIRECT)
    assert decision is not None and decision.wants("nudge_child") is not None
    assert decision.actor_id == ADULT.id and decision.target_id == kid.id
    assert adapter.nudges_to(kid.id)
    assert not adapter.nudges_to(ADULT.id)


async def test_a_long_monologue_is_not_scored_as_an_opening_towards_whoever_answers(setup):
    # Past OPENING_MESSAGES lines it was said to someone else or to no one (a chat whose
    # other side was never delivered): the newcomer is not made its target.
    engine, adapter, _ = setup
    kid, decision = await _opening(engine, ConversationKind.DIRECT, then=OPENING_MESSAGES)
    assert decision is not None and not decision.actions
    assert not adapter.nudges_to(kid.id)


async def test_an_opening_in_a_group_is_not_pinned_on_whoever_speaks_next(setup):
    engine, adapter, _ = setup
    kid, decision = await _opening(engine, ConversationKind.GROUP)
    assert decision is not None and not decision.actions
    assert not adapter.nudges_to(kid.id)


async def test_a_deleted_opening_message_is_not_scored(setup):
    engine, adapter, _ = setup
    kid, _ = await _opening(engine, ConversationKind.DIRECT, delete=True)
    assert not adapter.nudges_to(kid.id)


async def test_an_age_the_adult_states_for_the_other_person_sets_their_band(setup):
    _, adapter, chat = setup
    other = person("quiet-one")
    await chat.say(other, "hey")
    decision = await chat.say(ADULT, "ur 13 right? dont tell ur parents about me", to=other)
    assert decision.target_band is AgeBand.MINOR
    assert adapter.nudges_to(other.id)


async def test_a_stated_age_never_overrides_the_platform_or_the_persons_own_word(setup):
    _, _, chat = setup
    declared = person("declared-adult", AgeBand.ADULT)
    grown = person("says-19")
    await chat.say(declared, "hi")
    decision = await chat.say(ADULT, "ur 13 right?", to=declared)
    assert decision.target_band is AgeBand.ADULT
    await chat.say(grown, "im 19")
    decision = await chat.say(ADULT, "ur 13 right?", to=grown)
    assert decision.target_band is AgeBand.ADULT


async def test_a_child_joking_about_being_older_stays_a_minor(setup):
    _, _, chat = setup
    await chat.say(KID, "hi")
    await chat.say(KID, "im 14", to=ADULT)
    await chat.say(KID, "im 20 lol", to=ADULT)
    decision = await chat.say(ADULT, "how was school", to=KID)
    assert decision.target_band is AgeBand.MINOR
