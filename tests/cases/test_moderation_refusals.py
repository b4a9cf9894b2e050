"""Moderator clicks that must not happen are refused, and the attempt is on the record."""

from __future__ import annotations

import pytest

from nudgeguard.cases.model import CaseStatus
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.testing import FakeAdapter, Scenario

from .helpers import groom, make_engine


@pytest.fixture
async def engine_with_case(tmp_path):
    store = SqliteCaseStore(tmp_path / "cases.sqlite3")
    engine = make_engine(store, FakeAdapter())
    await engine.start(background=False)
    await groom(Scenario(engine))
    [case] = await store.list_cases()
    yield engine, case.id
    await engine.stop()
    await store.close()


@pytest.mark.parametrize(
    "action",
    ["ban_forever", "", "x" * 10_000, "acknowledge\ud800", "\u202etimeout"],
    ids=["made-up", "empty", "huge", "lone-surrogate", "bidi-override"],
)
async def test_an_unknown_action_is_refused_and_audited(engine_with_case, action):
    engine, case_id = engine_with_case

    result = await engine.moderate(case_id, action, "mod-1", permitted=True)

    assert not result.accepted and result.case is not None
    assert result.case.status is CaseStatus.OPEN, "nothing about the case changed"
    [refusal] = [e for e in await engine.cases.events(case_id) if e.kind == "action_refused"]
    assert refusal.detail["reason"] == "unknown action"
    assert len(str(refusal.detail["action"])) <= 40
    assert refusal.actor.startswith("mod:") and "mod-1" not in refusal.actor
    assert await engine.cases.verify_chain() is None


@pytest.mark.parametrize("action", ["timeout", "acknowledge", "confirm", "dismiss"])
async def test_actions_on_a_dismissed_case_are_refused_and_audited(engine_with_case, action):
    engine, case_id = engine_with_case
    dismissed = await engine.moderate(case_id, "dismiss", "mod-1", permitted=True)
    assert dismissed.accepted and dismissed.case.status is CaseStatus.DISMISSED

    result = await engine.moderate(case_id, action, "mod-2", permitted=True)

    assert not result.accepted
    assert "already dismissed" in result.note
    kinds = [e.kind for e in await engine.cases.events(case_id)]
    assert "timeout_requested" not in kinds
    closed = [e for e in await engine.cases.events(case_id) if e.kind == "action_on_closed_case"]
    assert [e.detail["action"] for e in closed] == [action]
    after = await engine.cases.get(case_id)
    assert after is not None and after.status is CaseStatus.DISMISSED


async def test_evidence_of_a_closed_case_can_still_be_viewed(engine_with_case):
    engine, case_id = engine_with_case
    await engine.moderate(case_id, "dismiss", "mod-1", permitted=True)

    shown = await engine.moderate(case_id, "show_evidence", "mod-1", permitted=True)

    assert shown.accepted and shown.evidence
    assert "evidence_viewed" in [e.kind for e in await engine.cases.events(case_id)]


@pytest.mark.parametrize("action", ["show_evidence", "acknowledge", "dismiss", "timeout"])
async def test_a_case_of_another_community_is_refused_unseen_and_audited(engine_with_case, action):
    engine, case_id = engine_with_case
    case = await engine.cases.get(case_id)
    assert case is not None

    result = await engine.moderate(
        case_id, action, "mod-1", permitted=True, community_id="some-other-server"
    )

    assert not result.accepted
    assert result.case is None and result.evidence == ()  # nothing of the case is shown
    assert "another community" in result.note
    [refusal] = [e for e in await engine.cases.events(case_id) if e.kind == "action_refused"]
    assert refusal.detail["reason"] == "another community"
    after = await engine.cases.get(case_id)
    assert after is not None and after.status is CaseStatus.OPEN
    # From its own community the same click works.
    own = await engine.moderate(
        case_id, "acknowledge", "mod-1", permitted=True, community_id=case.community_id
    )
    assert own.accepted
