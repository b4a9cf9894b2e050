"""Cases between two known minors: peer talk is not a case, grooming moves are."""

from nudgeguard.inbox.events import AgeBand
from nudgeguard.testing import Scenario, person

TEEN_A = person("teen-a", AgeBand.MINOR)
TEEN_B = person("teen-b", AgeBand.MINOR)

# Friends making plans: meeting up, a present, affection, a photo of a new haircut.
PEER_PLANS = [
    "wanna meet at the mall saturday?",
    "i'll buy you a gift card for your birthday",
    "you're so cute, love you bestie",
    "send me a pic of your new haircut",
    "lets meet after school at the park",
    "i got you a present, meet me at the bus stop",
    "ur so pretty omg",
    "can we hang out this weekend? just us",
]
SECRETS = [
    "dont tell your parents about us",
    "delete our chat after you read it",
    "this is our secret ok? dont tell anyone",
]


async def test_two_declared_minors_making_plans_open_no_case(engine):
    chat = Scenario(engine)
    await chat.say(TEEN_B, "hey")
    decisions = [await chat.say(TEEN_A, line, to=TEEN_B) for line in PEER_PLANS * 2]
    assert any(d is not None and d.level.value == "urgent" for d in decisions)
    assert await engine.cases.list_cases() == []


async def test_secrecy_between_two_declared_minors_still_opens_a_case(engine):
    chat = Scenario(engine)
    await chat.say(TEEN_B, "hey")
    for line in PEER_PLANS + SECRETS:
        await chat.say(TEEN_A, line, to=TEEN_B)
    (case,) = await engine.cases.list_cases()
    assert case.subject == engine.pseudonyms.pseudonym("fake", TEEN_A.id)


async def test_an_unknown_age_sender_towards_a_declared_minor_still_opens_a_case(engine):
    chat = Scenario(engine)
    stranger = person("stranger")
    await chat.say(TEEN_B, "hey")
    for line in PEER_PLANS * 2:
        await chat.say(stranger, line, to=TEEN_B)
    (case,) = await engine.cases.list_cases()
    assert case.subject == engine.pseudonyms.pseudonym("fake", stranger.id)
