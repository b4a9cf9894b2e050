"""Erasure reaches what a running engine and its adapters remember, not only the store."""

import pytest

from nudgeguard.inbox.events import AgeBand
from nudgeguard.privacy.requests import ErasureHeld
from nudgeguard.testing import person

GROOMER = person("stranger")
CHILD = person("kid", AgeBand.MINOR)
LINES = ["how old are you", "are you alone at home", "keep this our secret", "send me a photo"]


async def test_erasing_a_child_makes_the_adapter_forget_them(chat, adapter, engine):
    await chat.say(CHILD, "hello everyone")
    for line in LINES:
        await chat.say(GROOMER, line, to=CHILD)
    case = (await engine.cases.list_cases())[0]
    assert engine.dispatcher.alerts.latest(case.id) is not None
    done = await engine.erase_user("fake", CHILD.id)
    assert done.cases >= 1
    assert adapter.forgotten == [CHILD.id]
    assert engine.dispatcher.alerts.latest(case.id) is None, "the alert named them"


async def test_a_held_erasure_forgets_nothing(chat, adapter, engine):
    await chat.say(CHILD, "hello everyone")
    for line in LINES:
        await chat.say(GROOMER, line, to=CHILD)
    with pytest.raises(ErasureHeld):
        await engine.erase_user("fake", GROOMER.id)
    assert adapter.forgotten == []
