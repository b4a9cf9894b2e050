"""The note a moderator reads after pressing a button is in the community's language."""

from __future__ import annotations

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.locales import LanguageSettings
from nudgeguard.testing import FakeAdapter, Scenario

from .helpers import groom, make_engine


@pytest.fixture
async def german_case(tmp_path):
    store = SqliteCaseStore(tmp_path / "cases.sqlite3")
    languages = LanguageSettings(communities={"community-1": "de"})
    engine = make_engine(store, FakeAdapter(), languages=languages)
    await engine.start(background=False)
    await groom(Scenario(engine))
    [case] = await store.list_cases()
    assert case.community_id == "community-1"
    yield engine, case.id
    await engine.stop()
    await store.close()


async def test_a_refused_press_in_a_german_community_gets_a_german_note(german_case):
    engine, case_id = german_case

    refused = await engine.moderate(case_id, "acknowledge", "user-9", permitted=False)
    done = await engine.moderate(case_id, "dismiss", "mod-1", permitted=True)
    again = await engine.moderate(case_id, "acknowledge", "mod-1", permitted=True)

    assert not refused.accepted
    assert refused.note == "Nur Moderatoren können Sicherheitsfälle bearbeiten."
    assert done.note == "Als Fehlalarm verworfen."
    assert again.note == "Dieser Fall ist bereits verworfen."
    assert engine.moderator_locale("community-1") == "de"


async def test_a_press_from_another_community_is_worded_for_that_community(german_case):
    engine, case_id = german_case

    result = await engine.moderate(
        case_id, "acknowledge", "mod-1", permitted=True, community_id="community-2"
    )

    assert not result.accepted and result.case is None
    assert result.note == "This case belongs to another community."
    assert engine.moderator_locale("community-2") == "en"
