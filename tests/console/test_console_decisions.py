"""The dry-run page lists recorded decisions and held-back nudges, per admin community."""

from __future__ import annotations

import time

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.console.names import local_time
from nudgeguard.console.security import hash_password
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, ConversationKind
from nudgeguard.policy import load_policy
from nudgeguard.policy.decisions import RecordedDecision, list_decisions
from nudgeguard.testing import FakeAdapter, Scenario, person

from .conftest import read, sign_in
from .world import PASSWORD

# Paraphrased probing lines; none of this text may reach the page.
LINES = ("how old r u", "where do u live", "r ur parents home")


async def _chat(store: SqliteCaseStore, mode: str) -> None:
    """A stranger probing a child in c-alpha, handled by an engine in ``mode``."""
    pack = load_policy("default").model_copy(update={"mode": mode})
    engine = Engine(pack, cases=store, adapters=[FakeAdapter()])
    await engine.start(background=False)
    chat = Scenario(
        engine,
        community_id="c-alpha",
        conversation_id=f"dm-{mode}",
        kind=ConversationKind.DIRECT,
        start=time.time() - 600,
    )
    kid, stranger = person("kid-4711", AgeBand.MINOR), person("stranger-0815")
    await chat.say(kid, "hi")
    for line in LINES:
        await chat.say(stranger, line, to=kid)
    await engine.stop()


async def _record(store: SqliteCaseStore) -> list[RecordedDecision]:
    await _chat(store, "observe")
    await _chat(store, "live")
    await store.save_account("dave", hash_password(PASSWORD), "c-beta", "admin")
    return await list_decisions(store, community_id="c-alpha")


def _records(page: str) -> str:
    """The records section of the page (the counts above it name signals too)."""
    return page.split('id="records"', 1)[1]


def test_decisions_appear_for_an_admin_of_their_community_only(client_for, store_path):
    recorded = read(store_path, _record)
    observed = [d for d in recorded if d.mode == "observe"]
    held = [p for d in recorded if d.mode == "live" for p in d.held_back]
    assert observed and held, "the scenario must record a dry run and a held-back nudge"
    bob, dave = client_for(), client_for()
    sign_in(bob, "bob")
    sign_in(dave, "dave")

    page = bob.get("/decisions")
    assert page.status_code == 200
    records = _records(page.text)
    first = observed[0]
    nudge = next(p for p in first.planned if p.action == "nudge_child")
    assert local_time(first.ts) in records
    assert "dry run" in records and "Would have sent: Private nudge to the child" in records
    assert f"child <code>{nudge.recipient}</code>" in records
    assert nudge.rule in records and nudge.text_key in records
    assert "Asks where the other person lives or is" in records
    assert "Moderator alert (a case)" in records  # what the dry run would have escalated
    # A nudge the live bot held back, with its reason.
    assert "Held back: Private nudge to the child" in records
    assert "Why: " + held[0].held_back in records
    # Pseudonyms and plain names only: no platform ids, no message text.
    for secret in ("kid-4711", "stranger-0815", *LINES):
        assert secret not in page.text

    other = _records(dave.get("/decisions").text)
    assert "No decisions recorded in this period." in other
    assert nudge.recipient not in other and local_time(first.ts) not in other
