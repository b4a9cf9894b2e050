"""Nudge wording matches what was seen, for every family and the signals that trigger it."""

from __future__ import annotations

import pytest

from nudgeguard.delivery.nudges import catalog
from nudgeguard.delivery.nudges.wording import wording_key
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, ConversationKind
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario, person

#: Words one of which every nudge about a signal must contain (English catalog).
TOPIC = {
    "age_probe": ("age",),
    "location_probe": ("where you live",),
    "supervision_probe": ("alone", "who's home", "who is home"),
    "secrecy_request": ("secret", "hide"),
    "deletion_request": ("secret", "hide"),
    "platform_migration": ("app", "somewhere else", "private chat"),
    "gift_offer": ("gift",),
    "flattery_appearance": ("look",),
    "love_bombing": ("love", "feelings"),
    "isolation_alienation": ("family", "people who look after you"),
    "image_request": ("photo", "picture"),
    "video_call_request": ("camera", "video"),
    "sexual_desensitization": ("okay", "like this"),
    "coercion_pressure": ("pressur", "push", "pushy"),
    "meet_request": ("meet",),
    "sextortion_threat": ("threat", "scaring"),
    "child_abuse_interest": ("okay", "like this"),
    "adult_age_cue": ("adult", "grown-up"),
    "learned_grooming": ("warning sign", "not look safe"),
    "learned_conversation": ("warning sign", "not look safe"),
}


@pytest.mark.parametrize("signal_id", sorted(s for s, spec in TAXONOMY.items() if spec.about_actor))
@pytest.mark.parametrize("copy", ["teen", "under13"])
def test_every_family_fits_the_signals_that_trigger_it(signal_id, copy):
    assert signal_id in TOPIC, f"add the words a nudge about {signal_id} must use"
    pack = load_policy("default")
    key = wording_key(TAXONOMY[signal_id].family, [Signal(signal_id)], pack)
    cat = catalog("en")
    generic = cat.child_text("generic", copy, 0)
    texts = {cat.child_text(key, copy, n) for n in range(4)}
    for text in texts:
        assert any(word in text.lower() for word in TOPIC[signal_id]), (signal_id, text)
    if TAXONOMY[signal_id].family == "generic":
        # A learned signal says only that the chat reads like grooming: the generic wording
        # (a warning sign; block, report or talk to someone) is the one that fits.
        assert texts == {generic}, (signal_id, texts)
    else:
        assert generic not in texts, f"{signal_id} falls back to the generic nudge"
    if signal_id == "adult_age_cue":
        assert not any("public chats" in t for t in texts)


async def _nudges(lines: list[str]) -> list[str]:
    adapter = FakeAdapter()
    engine = Engine(load_policy("default"), adapters=[adapter])
    await engine.start(background=False)
    chat = Scenario(engine, kind=ConversationKind.DIRECT)
    kid, adult = person("kid", AgeBand.MINOR), person("man")
    await chat.say(kid, "hi")
    for line in lines:
        await chat.say(adult, line, to=kid)
    return [n.text for n, _ in adapter.nudges]


async def test_maturity_praise_is_not_answered_as_praise_of_looks():
    lines = ["how old are you", "where do you live", "you seem so mature for your age"]
    texts = await _nudges(lines)
    assert "mature or grown-up for your age" in texts[-1]
    assert "look" not in texts[-1]
    looks = await _nudges(["how old are you", "where do you live", "you look so pretty"])
    assert "how you look" in looks[-1]


async def test_an_adult_saying_their_age_one_to_one_is_not_told_to_keep_details_private():
    texts = await _nudges(["how old are you", "where do you live", "im 34 btw"])
    assert "says they're an adult" in texts[-1]
    assert "public chats" not in texts[-1]


async def test_observe_mode_records_the_wording_it_would_have_used(tmp_path):
    from nudgeguard.cases.sqlite import SqliteCaseStore
    from nudgeguard.policy.decisions import list_decisions

    store = SqliteCaseStore(tmp_path / "c.sqlite3")
    pack = load_policy("default").model_copy(update={"mode": "observe"})
    engine = Engine(pack, cases=store)
    chat = Scenario(engine, kind=ConversationKind.DIRECT)
    kid, adult = person("kid", AgeBand.MINOR), person("man")
    await chat.say(kid, "hi")
    for line in ("how old are you", "where do you live", "you seem so mature for your age"):
        await chat.say(adult, line, to=kid)
    keys = [p.text_key for d in await list_decisions(store) for p in d.planned if p.text_key]
    await store.close()
    assert keys[-1] == "flattery_maturity/teen"
