"""A decided case's post keeps its "Last action" line when the bot no longer remembers it.

The line then comes from the case's latest decision row on the audit chain: what from the
case record, when from the row, who as far as the row says (a chat moderator's pseudonym
reads as "a moderator", a console account's is recognised, a CLI name is shown).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from nudgeguard import CaseStatus
from nudgeguard.cases.model import CaseEvent, Outcome
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.case_alert import change_status
from nudgeguard.delivery.last_action import (
    console_accounts,
    decision_from_event,
    recorded_decision,
)
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.contract import T0, make_case
from ..core.grooming import CHILD, groom
from ..core.keyword_detector import KeywordDetector

KEY = b"k" * 32


def _event(kind: str, actor: str, ts: float = T0 + 60) -> CaseEvent:
    return CaseEvent(seq=7, case_id="NG-1", ts=ts, kind=kind, actor=actor)


def test_the_row_says_when_and_the_record_says_what() -> None:
    confirmed = make_case().model_copy(
        update={"status": CaseStatus.ACKNOWLEDGED, "outcome": Outcome.CONFIRMED}
    )
    decision = decision_from_event(confirmed, _event("confirmed", "mod:p_abc", T0 + 5))
    assert decision is not None
    assert (decision.key, decision.ts, decision.via) == ("confirmed", T0 + 5, "chat")
    assert decision.moderator_id is None and decision.name is None, "a pseudonym was shown"
    resolved = confirmed.model_copy(update={"status": CaseStatus.RESOLVED})
    later = decision_from_event(resolved, _event("confirmed", "ana"))
    assert later is not None and later.key == "resolved", "the key is the record's"


def test_who_is_what_the_row_holds() -> None:
    acked = make_case().model_copy(update={"status": CaseStatus.ACKNOWLEDGED})
    cli = decision_from_event(acked, _event("acknowledged", "ana"))
    assert cli is not None and (cli.via, cli.name) == ("cli", "ana")
    erased = decision_from_event(acked, _event("acknowledged", "[erased]"))
    assert erased is not None and (erased.via, erased.name) == ("chat", None)
    console = decision_from_event(acked, _event("acknowledged", "mod:p_x"), console_name="bo")
    assert console is not None and (console.via, console.name) == ("console", "bo")


def test_no_line_for_an_open_case_or_without_a_decision_row() -> None:
    acked = make_case().model_copy(update={"status": CaseStatus.ACKNOWLEDGED})
    assert decision_from_event(make_case(), _event("acknowledged", "ana")) is None
    assert decision_from_event(acked, None) is None
    assert decision_from_event(acked, _event("child_reported", "child:p_kid")) is None


async def test_the_latest_decision_row_is_read_and_a_console_account_named(tmp_path: Path):
    store = SqliteCaseStore(tmp_path / "s.sqlite3")
    pseudonyms = Pseudonymizer(KEY)
    try:
        await store.open_case(make_case(), [])
        await store.save_account("ana", "hash", "guild-1", "moderator")
        await store.save_account("bo", "hash", "guild-2", "moderator")
        named = console_accounts(store, pseudonyms.pseudonym)
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "someone-on-the-shell")
        ana = "mod:" + pseudonyms.pseudonym("fake", "console:ana")
        case = await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, ana, Outcome.CONFIRMED)
        await store.record("NG-1", "evidence_viewed", "mod:p_later", {"messages": 1})
        [row] = [e for e in await store.events("NG-1") if e.kind == "confirmed"]

        decision = await recorded_decision(store, case, named)
        assert decision is not None
        assert (decision.key, decision.via, decision.name) == ("confirmed", "console", "ana")
        assert decision.ts == row.ts
        # An account of another community is no one this case's actor can be.
        bo = "mod:" + pseudonyms.pseudonym("fake", "console:bo")
        case = await store.transition("NG-1", CaseStatus.RESOLVED, bo)
        decision = await recorded_decision(store, case, named)
        assert decision is not None and (decision.key, decision.via) == ("resolved", "chat")
        assert decision.name is None
    finally:
        await store.close()


class _Counting(SqliteCaseStore):
    """A store that counts reads of a case's last decision, or fails them."""

    fail = False
    reads = 0

    async def last_event(self, case_id: str, kinds: Sequence[str]) -> CaseEvent | None:
        type(self).reads += 1
        if self.fail:
            raise sqlite3.OperationalError("disk I/O error")
        return await super().last_event(case_id, kinds)


async def _report(engine: Engine, adapter: FakeAdapter) -> None:
    nudge = next(n for n in adapter.nudges_to(CHILD.id) if n.case_id)
    answer = await engine.respond_to_nudge(
        nudge.nudge_id,
        "report",
        CHILD.id,
        platform="fake",
        community_id=nudge.community_id,
        case_id=nudge.case_id,
    )
    assert answer.reported
    await engine.outbox.drain()


async def _decided_then_restarted(tmp_path: Path) -> tuple[Engine, FakeAdapter, str]:
    """A case acknowledged by a chat press, and a bot restarted on its store."""
    adapter = FakeAdapter()
    path = tmp_path / "s.sqlite3"
    pseudonyms = Pseudonymizer(KEY)

    def bot() -> Engine:
        return Engine(
            load_policy("default"),
            cases=_Counting(path),
            adapters=[adapter],
            detectors=[KeywordDetector()],
            pseudonymizer=pseudonyms,
        )

    first = bot()
    await first.start(background=False)
    await groom(Scenario(first))
    [case] = await first.cases.list_cases()
    await first.outbox.drain()
    assert adapter.posts and _Counting.reads == 0, "an open case's alerts read the chain"
    await first.moderate(case.id, "acknowledge", "mod-1", permitted=True)
    await first.outbox.drain()
    await first.stop()
    await first.cases.close()
    second = bot()
    await second.start(background=False)
    return second, adapter, case.id


async def test_after_a_restart_a_report_keeps_the_chat_decision(tmp_path: Path) -> None:
    _Counting.reads, _Counting.fail = 0, False
    engine, adapter, case_id = await _decided_then_restarted(tmp_path)
    try:
        await _report(engine, adapter)
        [row] = [e for e in await engine.cases.events(case_id) if e.kind == "acknowledged"]
    finally:
        await engine.stop()
    shown = adapter.posts[adapter.alerts[-1].post_ref]
    assert shown.nudge_status == "child_reported" and shown.rebuilt
    assert shown.decision is not None, "the post lost its Last action line"
    assert (shown.decision.key, shown.decision.ts) == ("acknowledged", row.ts)
    assert shown.decision.moderator_id is None and shown.decision.name is None
    assert _Counting.reads == 1, "the audit chain is read once, for the rebuilt alert"


async def test_a_store_failure_leaves_the_line_out_but_sends_the_alert(tmp_path: Path) -> None:
    _Counting.reads, _Counting.fail = 0, False
    engine, adapter, _ = await _decided_then_restarted(tmp_path)
    sent = len(adapter.alerts)
    _Counting.fail = True
    try:
        await _report(engine, adapter)
    finally:
        await engine.stop()
        _Counting.fail = False
    assert len(adapter.alerts) == sent + 1, "the alert was lost"
    shown = adapter.posts[adapter.alerts[-1].post_ref]
    assert shown.nudge_status == "child_reported" and shown.status is CaseStatus.ACKNOWLEDGED
    assert shown.decision is None
    statuses = {i.status for i in await engine.cases.outbox_items()}
    assert statuses == {"sent"}, "the alert waits for a retry"


async def test_a_decision_made_elsewhere_is_drawn_from_the_chain(tmp_path: Path) -> None:
    """The CLI resolved the case while this bot did not remember it: a Report keeps that."""
    _Counting.reads, _Counting.fail = 0, False
    engine, adapter, case_id = await _decided_then_restarted(tmp_path)
    try:
        await change_status(
            engine.cases, case_id, CaseStatus.RESOLVED, "ana", Outcome.NO_ACTION, name="ana"
        )
        await engine.outbox.drain()
        await _report(engine, adapter)
    finally:
        await engine.stop()
    shown = adapter.posts[adapter.alerts[-1].post_ref]
    assert shown.decision is not None
    assert (shown.decision.key, shown.decision.via, shown.decision.name) == (
        "resolved",
        "cli",
        "ana",
    )
