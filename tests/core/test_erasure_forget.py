"""Erasure reaches what a running engine and its adapters remember, not only the store."""

import pytest

from nudgeguard.privacy.requests import ErasureHeld

from .grooming import CHILD, GROOMER, groom


async def test_erasing_a_child_makes_the_adapter_forget_them(chat, adapter, engine):
    await groom(chat)
    case = (await engine.cases.list_cases())[0]
    assert engine.dispatcher.alerts.latest(case.id) is not None
    done = await engine.erase_user("fake", CHILD.id)
    assert done.cases >= 1
    assert adapter.forgotten == [CHILD.id]
    assert engine.dispatcher.alerts.latest(case.id) is None, "the alert named them"
    held: list[str] = []
    await engine.state.forget_matching("fake", lambda user: held.append(user) or False)
    assert held and CHILD.id not in held, "the working memory still holds them"


async def test_a_held_erasure_forgets_nothing(chat, adapter, engine):
    await groom(chat)
    with pytest.raises(ErasureHeld):
        await engine.erase_user("fake", GROOMER.id)
    assert adapter.forgotten == []
