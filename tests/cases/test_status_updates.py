"""A moderator's status change queues its post's update with its audit row (both stores)."""

from __future__ import annotations

import json

import pytest

from nudgeguard.cases.model import CaseStatus, Outcome
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import OutboxItem
from nudgeguard.delivery.case_alert import change_status
from nudgeguard.testing import FakeAdapter, Scenario

from .contract import make_case, msg
from .helpers import TRAJECTORY, groom, make_engine, open_plain

SECRET = "maple-orbit-sixty"


async def _alerted(store, case_id: str = "NG-1", targets=("fake", "webhook")) -> None:
    """A case with evidence text whose first alert was posted to ``targets``."""
    await store.open_case(make_case(case_id), [msg("m1", text="hi " + SECRET)])
    for target in targets:
        await store.enqueue(
            OutboxItem(f"alert:{case_id}:medium:none:{target}", case_id, target, "alert", "{}")
        )
        await store.mark_sent(f"alert:{case_id}:medium:none:{target}", f"post-{target}", 1.0)


def _pending(records) -> dict[str, str]:
    return {r.id: r.target for r in records if r.status == "pending"}


async def test_each_change_queues_one_update_per_alerted_target(store_spec) -> None:
    store = open_plain(store_spec)
    try:
        await _alerted(store)
        case, queued, _ = await change_status(store, "NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_mod")
        assert case.status is CaseStatus.ACKNOWLEDGED
        assert sorted(i.target for i in queued) == ["fake", "webhook"]
        assert _pending(await store.outbox_items()) == {i.id: i.target for i in queued}
        # Not the first post's id (the outbox would drop it as a repeat).
        assert not {i.id for i in queued} & {"alert:NG-1:medium:none:fake"}
        payload = json.loads(queued[0].payload)
        assert payload["status"] == "acknowledged" and payload["case_id"] == "NG-1"
        assert SECRET not in queued[0].payload

        # The next change carries its own state and decision; it does not supersede the
        # update still waiting, nor does a later alert: each decision reaches every target.
        _, closed, _ = await change_status(
            store, "NG-1", CaseStatus.RESOLVED, "mod:p_mod", Outcome.NO_ACTION
        )
        raise_ = OutboxItem("alert:NG-1:high:none:webhook", "NG-1", "webhook", "alert", "{}")
        await store.enqueue(raise_)
        records = await store.outbox_items()
        waiting = {i.id: i.target for i in [*queued, *closed, raise_]}
        assert _pending(records) == waiting
        assert json.loads(closed[0].payload)["status"] == "resolved"
        decided = [json.loads(i.payload)["decision"]["key"] for i in (queued[0], closed[0])]
        assert decided == ["acknowledged", "resolved"]
    finally:
        await store.close()


async def test_a_case_never_alerted_queues_nothing(store_spec) -> None:
    store = open_plain(store_spec)
    try:
        await store.open_case(make_case("NG-2"), [msg("m1")])
        _, queued, _ = await change_status(store, "NG-2", CaseStatus.ACKNOWLEDGED, "mod:p_mod")
        assert queued == [] and await store.outbox_items() == []
    finally:
        await store.close()


async def test_the_update_and_the_audit_row_commit_together(store_spec) -> None:
    store = open_plain(store_spec)
    try:
        await _alerted(store, targets=("fake",))
        before = len(await store.events("NG-1"))

        def broken(case):  # a failure while queueing undoes the change and its audit row
            raise RuntimeError("queue failed")

        with pytest.raises(RuntimeError):
            await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p", announce=broken)
        assert (await store.get("NG-1")).status is CaseStatus.OPEN
        assert len(await store.events("NG-1")) == before
        assert _pending(await store.outbox_items()) == {}
        assert await store.verify_chain() is None
    finally:
        await store.close()


# -- through the engine: chat buttons, Engine.resolve ----------------------------------------


async def _engine_with_case(tmp_path):
    store = SqliteCaseStore(tmp_path / "s.sqlite3")
    adapter = FakeAdapter()
    engine = make_engine(store, adapter)
    await engine.start(background=False)
    await groom(Scenario(engine))
    [case] = await store.list_cases()
    return engine, adapter, case


async def _queued(engine) -> list[str]:
    return sorted(r.id for r in await engine.cases.outbox_items())


async def test_a_chat_press_redraws_at_once_and_queues_the_post_update(tmp_path) -> None:
    engine, adapter, case = await _engine_with_case(tmp_path)
    try:
        [(ref, _)] = adapter.posts.items()
        result = await engine.moderate(case.id, "acknowledge", "mod-9", permitted=True)
        assert result.alert is not None and result.alert.status is CaseStatus.ACKNOWLEDGED
        await engine.outbox.drain()
        [(edited, post)] = adapter.posts.items()
        assert edited == ref and post.status is CaseStatus.ACKNOWLEDGED
        assert post.participants, "the update names whom the post named"
        assert post.timeline[-1].label == "Acknowledged - a moderator is on it"

        closed = await engine.resolve(case.id, "mod-9", permitted=True)
        assert closed.alert is not None and closed.alert.status is CaseStatus.RESOLVED
        await engine.outbox.drain()
        assert adapter.posts[ref].status is CaseStatus.RESOLVED
        for alert in adapter.alerts:
            assert not [line for line in TRAJECTORY if line in alert.model_dump_json()]
    finally:
        await engine.stop()
        await engine.cases.close()


@pytest.mark.parametrize(
    ("action", "status", "outcome"),
    [
        ("dismiss", CaseStatus.DISMISSED, Outcome.FALSE_POSITIVE),
        ("confirm", CaseStatus.ACKNOWLEDGED, Outcome.CONFIRMED),
    ],
)
async def test_dismiss_and_confirm_update_the_post(tmp_path, action, status, outcome) -> None:
    engine, adapter, case = await _engine_with_case(tmp_path)
    try:
        assert (await engine.moderate(case.id, action, "mod-9", permitted=True)).accepted
        await engine.outbox.drain()
        [post] = adapter.posts.values()
        assert post.status is status
        assert (await engine.cases.get(case.id)).outcome is outcome
    finally:
        await engine.stop()
        await engine.cases.close()


async def test_refused_and_unchanging_presses_queue_nothing(tmp_path) -> None:
    engine, _, case = await _engine_with_case(tmp_path)
    try:
        before = await _queued(engine)
        await engine.moderate(case.id, "acknowledge", "kid-1", permitted=False)
        await engine.moderate(case.id, "acknowledge", "mod-9", True, community_id="elsewhere")
        await engine.moderate(case.id, "self_destruct", "mod-9", permitted=True)
        await engine.moderate(case.id, "show_evidence", "mod-9", permitted=True)
        await engine.resolve(case.id, "kid-1", permitted=False)
        assert await _queued(engine) == before
        await engine.moderate(case.id, "acknowledge", "mod-9", permitted=True)
        acknowledged = await _queued(engine)
        assert len(acknowledged) == len(before) + 1
        # Acknowledged again: no change, nothing new.
        assert (await engine.moderate(case.id, "acknowledge", "mod-9", permitted=True)).accepted
        await engine.resolve(case.id, "mod-9", permitted=True)
        closed = await _queued(engine)
        # Closed: every further press is refused and queues nothing.
        assert not (await engine.moderate(case.id, "dismiss", "mod-9", permitted=True)).accepted
        assert not (await engine.resolve(case.id, "mod-9", permitted=True)).accepted
        assert await _queued(engine) == closed and len(closed) == len(acknowledged) + 1
    finally:
        await engine.stop()
        await engine.cases.close()
