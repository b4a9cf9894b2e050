"""One open case per directed pair; evidence appended; re-alert only when severity rises."""

from __future__ import annotations

import collections

from nudgeguard.cases.model import CaseStatus, Severity
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.outbound import ModeratorAction
from nudgeguard.inbox.events import AgeBand
from nudgeguard.testing import FakeAdapter, Scenario, person

from .helpers import CHILD, GROOMER, calm_policy, groom, make_engine


async def _engine(tmp_path, adapter=None):
    adapter = adapter or FakeAdapter()
    store = SqliteCaseStore(tmp_path / "cases.sqlite3")
    engine = make_engine(store, adapter, calm_policy())
    await engine.start(background=False)
    return engine, adapter


async def test_more_messages_from_the_same_pair_append_to_one_case(tmp_path):
    engine, _ = await _engine(tmp_path)
    chat = Scenario(engine)
    await groom(chat)
    [case] = await engine.cases.list_cases()
    before = len((await engine.cases.get(case.id)).evidence)
    await chat.say(GROOMER, "keep this secret from your mum", to=CHILD)
    await chat.say(GROOMER, "we should meet up", to=CHILD)
    [after] = await engine.cases.list_cases()
    assert after.id == case.id
    full = await engine.cases.get(case.id)
    assert len(full.evidence) > before
    assert len({m.message_id for m in full.evidence}) == len(full.evidence), "duplicated evidence"
    assert "evidence_added" in [e.kind for e in await engine.cases.events(case.id)]


async def test_moderators_are_alerted_again_only_when_severity_rises(tmp_path):
    engine, adapter = await _engine(tmp_path)
    chat = Scenario(engine)
    await groom(chat)
    [case] = await engine.cases.list_cases()
    assert case.severity is Severity.HIGH
    per_severity = collections.Counter(a.severity for a in adapter.alerts)
    assert all(n == 1 for n in per_severity.values()), per_severity
    count = len(adapter.alerts)
    for _ in range(3):
        await chat.say(GROOMER, "our secret ok", to=CHILD)
    [same] = await engine.cases.list_cases()
    if same.severity == case.severity:
        assert len(adapter.alerts) == count, "re-alerted without a severity rise"
    await chat.say(GROOMER, "pay me or i post your pictures", to=CHILD)
    [worse] = await engine.cases.list_cases()
    assert worse.id == case.id and worse.severity is Severity.CRITICAL
    assert adapter.alerts[-1].severity is Severity.CRITICAL and adapter.alerts[-1].is_update
    assert collections.Counter(a.severity for a in adapter.alerts)[Severity.CRITICAL] == 1
    assert "severity_raised" in [e.kind for e in await engine.cases.events(case.id)]


async def test_each_directed_pair_gets_its_own_case(tmp_path):
    engine, _ = await _engine(tmp_path)
    chat = Scenario(engine)
    other_child = person("kid-2", AgeBand.MINOR)
    other_groomer = person("stranger-2")
    await groom(chat)
    await groom(chat, child=other_child)
    await groom(chat, child=CHILD, groomer=other_groomer)
    cases = await engine.cases.list_cases()
    pairs = {(c.subject, c.target) for c in cases}
    assert len(cases) == 3 == len(pairs)


async def test_a_closed_case_is_not_reopened_but_a_new_one_starts(tmp_path):
    engine, _ = await _engine(tmp_path)
    chat = Scenario(engine)
    await groom(chat)
    [first] = await engine.cases.list_cases()
    result = await engine.moderate(first.id, ModeratorAction.DISMISS, "mod-1", permitted=True)
    assert result.case.status is CaseStatus.DISMISSED
    await chat.say(GROOMER, "pay me or i post your pictures", to=CHILD)
    cases = await engine.cases.list_cases()
    assert len(cases) == 2
    assert (await engine.cases.get(first.id)).status is CaseStatus.DISMISSED


async def test_open_case_survives_a_restart_and_keeps_collecting(tmp_path):
    engine, _ = await _engine(tmp_path)
    await groom(Scenario(engine))
    [case] = await engine.cases.list_cases()
    await engine.stop()
    # New process: fresh working memory, same store and key.
    engine2, _ = await _engine(tmp_path)
    chat = Scenario(engine2, start=1_800_000_000.0)
    await chat.say(CHILD, "hi again")
    await chat.say(GROOMER, "pay me or i post your pictures", to=CHILD)
    cases = await engine2.cases.list_cases()
    assert [c.id for c in cases] == [case.id]
    assert cases[0].severity is Severity.CRITICAL
