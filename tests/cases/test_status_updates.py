"""A moderator's status change queues its post's update with its audit row (both stores)."""

from __future__ import annotations

import json

import pytest

from nudgeguard.cases.model import CaseStatus, Outcome
from nudgeguard.cases.store import OutboxItem
from nudgeguard.delivery.case_alert import change_status

from .contract import make_case, msg
from .helpers import open_plain

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
        case, queued = await change_status(store, "NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_mod")
        assert case.status is CaseStatus.ACKNOWLEDGED
        assert sorted(i.target for i in queued) == ["fake", "webhook"]
        assert _pending(await store.outbox_items()) == {i.id: i.target for i in queued}
        # Not the first post's id (the outbox would drop it as a repeat).
        assert not {i.id for i in queued} & {"alert:NG-1:medium:none:fake"}
        payload = json.loads(queued[0].payload)
        assert payload["status"] == "acknowledged" and payload["case_id"] == "NG-1"
        assert SECRET not in queued[0].payload

        # The next change supersedes the update still waiting, and carries its own state.
        _, closed = await change_status(
            store, "NG-1", CaseStatus.RESOLVED, "mod:p_mod", Outcome.NO_ACTION
        )
        records = await store.outbox_items()
        assert _pending(records) == {i.id: i.target for i in closed}
        assert {r.status for r in records if r.id in {i.id for i in queued}} == {"superseded"}
        assert json.loads(closed[0].payload)["status"] == "resolved"
    finally:
        await store.close()


async def test_a_case_never_alerted_queues_nothing(store_spec) -> None:
    store = open_plain(store_spec)
    try:
        await store.open_case(make_case("NG-2"), [msg("m1")])
        _, queued = await change_status(store, "NG-2", CaseStatus.ACKNOWLEDGED, "mod:p_mod")
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
