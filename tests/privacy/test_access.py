"""`nudgeguard privacy export --user`: what we hold about a person, without tipping off."""

from __future__ import annotations

import asyncio
import json

from click.testing import CliRunner

from nudgeguard.cases.model import CaseStatus, Outcome
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main

from ..cases.helpers import CHILD, GROOMER, TRAJECTORY
from .helpers import CHILD_LINES


def export(path, user, *extra):
    return CliRunner().invoke(
        main, ["privacy", "export", "--user", user, "--store", str(path), *extra]
    )


async def test_the_child_gets_their_own_messages_only(store_path):
    result = await asyncio.to_thread(export, store_path, f"fake:{CHILD.id}")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["user"] == f"fake:{CHILD.id}"
    [case] = data["cases"]
    assert case["your_role"] == "person at risk"
    texts = [m["text"] for m in case["your_messages"]]
    assert texts == CHILD_LINES
    assert all(line not in result.stdout for line in TRAJECTORY), "someone else's messages"


async def test_a_suspect_with_an_active_case_is_not_told_about_it(store_path):
    result = await asyncio.to_thread(export, store_path, f"fake:{GROOMER.id}")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["cases"] == []
    assert "withheld 1" in result.stderr
    deliberate = await asyncio.to_thread(
        export, store_path, f"fake:{GROOMER.id}", "--include-withheld"
    )
    assert len(json.loads(deliberate.stdout)["cases"]) == 1


async def test_closed_cases_are_shared_and_access_is_audited(store_path, tmp_path):
    store = SqliteCaseStore(store_path)
    [case] = await store.list_cases()
    await store.transition(case.id, CaseStatus.DISMISSED, "mod", Outcome.FALSE_POSITIVE)
    await store.close()
    out = tmp_path / "access.json"
    result = await asyncio.to_thread(export, store_path, f"fake:{GROOMER.id}", "--out", str(out))
    assert result.exit_code == 0
    data = json.loads(out.read_text())
    assert data["cases"][0]["your_role"] == "subject"
    assert [m["text"] for m in data["cases"][0]["your_messages"]] == TRAJECTORY
    store = SqliteCaseStore(store_path)
    try:
        kinds = [e.kind for e in await store.events(case.id)]
        assert "subject_access" in kinds
        assert await store.verify_chain() is None
    finally:
        await store.close()


def test_unknown_person_gets_an_empty_answer(tmp_path):
    result = export(tmp_path / "s.sqlite3", "slack:U000")
    assert result.exit_code == 0 and json.loads(result.stdout)["cases"] == []
