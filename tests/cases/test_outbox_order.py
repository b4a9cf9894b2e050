"""Moderators see the latest state of a case: an older alert never lands after a newer one.

Runs on SQLite and PostgreSQL, with two outboxes on one store standing in for two bot
processes sharing it.
"""

from __future__ import annotations

import asyncio

from nudgeguard.cases.model import CaseStatus, Severity
from nudgeguard.cases.store import OutboxItem
from nudgeguard.delivery.outbound import AlertDecision, ModeratorAlert, TransientDeliveryError
from nudgeguard.delivery.outbox import Backoff, Outbox

from .helpers import open_plain

T0 = 1_700_000_000.0


def alert_item(severity: Severity, case_id: str = "NG-1") -> OutboxItem:
    alert = ModeratorAlert(
        alert_id=f"{case_id}:{severity.value}",
        case_id=case_id,
        platform="fake",
        community_id="g",
        conversation_id="c",
        severity=severity,
        status=CaseStatus.OPEN,
        score=3.0,
        reasons=(),
        signals=(),
        stages=(),
        participants=(),
    )
    return OutboxItem(
        f"alert:{case_id}:{severity.value}:none:hook",
        case_id,
        "hook",
        "alert",
        alert.model_dump_json(),
    )


def decision_item(status: CaseStatus, by: str, target: str) -> OutboxItem:
    """The update a moderator's decision queued (never superseded when queued)."""
    key = status.value
    decided = AlertDecision(key=key, ts=T0, via="cli", name=by)  # type: ignore[arg-type]
    alert = alert_item(Severity.HIGH).payload
    alert = ModeratorAlert.model_validate_json(alert).model_copy(
        update={"status": status, "decision": decided}
    )
    return OutboxItem(
        f"alert:NG-1:moderated:{key}:none:{target}",
        "NG-1",
        target,
        "alert",
        alert.model_dump_json(),
    )


class Channel:
    """A moderator channel: one post per case, edited by each alert that reaches it."""

    name = "hook"

    def __init__(self, seen: list[str], fail: int = 0) -> None:
        self.seen, self.fail = seen, fail
        self.hold: asyncio.Event | None = None
        self.sending = asyncio.Event()

    async def send_alert(self, a: ModeratorAlert) -> str | None:
        self.sending.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.fail:
            self.fail -= 1
            raise TransientDeliveryError("502", retry_after=30.0)
        self.seen.append(a.alert_id)
        return "post-1"


def box(store, channel: Channel, now: list[float]) -> Outbox:
    out = Outbox(store, clock=lambda: now[0], backoff=Backoff())
    out.register_alert_sink(channel)
    return out


async def test_a_retried_older_alert_is_superseded_by_the_newer_one(store_spec):
    store = open_plain(store_spec)
    seen: list[str] = []
    now = [T0]
    try:
        outbox = box(store, Channel(seen, fail=1), now)
        assert await outbox.submit(alert_item(Severity.HIGH)) == "pending"  # 502, retry later

        assert await outbox.submit(alert_item(Severity.CRITICAL)) == "sent"
        now[0] = T0 + 3600
        await outbox.drain()

        assert seen == ["NG-1:critical"], "the older severity came back after the newer one"
        status = {r.id: r.status for r in await store.outbox_items()}
        assert status["alert:NG-1:high:none:hook"] == "superseded"
        assert status["alert:NG-1:critical:none:hook"] == "sent"
    finally:
        await store.close()


async def test_a_newer_alert_waits_while_an_older_one_is_in_flight(store_spec):
    first, second = open_plain(store_spec), open_plain(store_spec)
    seen: list[str] = []
    now = [T0]
    try:
        slow = Channel(seen)
        slow.hold = asyncio.Event()
        worker_a, worker_b = box(first, slow, now), box(second, Channel(seen), now)
        older = asyncio.create_task(worker_a.submit(alert_item(Severity.HIGH)))
        await slow.sending.wait()  # the older alert is on its way to the channel

        assert await worker_b.submit(alert_item(Severity.CRITICAL)) == "pending"
        assert seen == [], "the newer alert overtook the one in flight"
        slow.hold.set()
        assert await older == "sent"
        await worker_b.drain()

        assert seen == ["NG-1:high", "NG-1:critical"]
    finally:
        await first.close()
        await second.close()


async def test_alerts_of_different_cases_do_not_wait_for_each_other(store_spec):
    first, second = open_plain(store_spec), open_plain(store_spec)
    seen: list[str] = []
    now = [T0]
    try:
        slow = Channel(seen)
        slow.hold = asyncio.Event()
        worker_a, worker_b = box(first, slow, now), box(second, Channel(seen), now)
        older = asyncio.create_task(worker_a.submit(alert_item(Severity.HIGH, "NG-1")))
        await slow.sending.wait()

        assert await worker_b.submit(alert_item(Severity.HIGH, "NG-2")) == "sent"
        slow.hold.set()
        assert await older == "sent"
        assert seen == ["NG-2:high", "NG-1:high"]
    finally:
        await first.close()
        await second.close()


class Drawn(Channel):
    """A sink that records the decision and status each alert reaching it shows."""

    def __init__(self, name: str, fail: int = 0) -> None:
        super().__init__([], fail)
        self.name = name
        self.shown: list[tuple[str, str | None]] = []

    async def send_alert(self, a: ModeratorAlert) -> str | None:
        ref = await super().send_alert(a)
        self.shown.append((a.status.value, a.decision.name if a.decision else None))
        return ref


async def test_a_retried_older_decision_never_redraws_the_post_after_a_newer_one(store_spec):
    """The post keeps the latest decision; a webhook still hears of each decision once."""
    store = open_plain(store_spec)
    now = [T0]
    try:
        post, hook = Drawn("chat", fail=1), Drawn("hook", fail=1)
        outbox = Outbox(store, clock=lambda: now[0], backoff=Backoff())
        outbox.register_alert_sink(post, post=True)
        outbox.register_alert_sink(hook)
        acked = [decision_item(CaseStatus.ACKNOWLEDGED, "ana", t) for t in ("chat", "hook")]
        for item in acked:  # both first tries fail: retried later
            assert await outbox.submit(item) == "pending"
        for target in ("chat", "hook"):
            assert await outbox.submit(decision_item(CaseStatus.RESOLVED, "bea", target)) == "sent"
        now[0] = T0 + 3600
        await outbox.drain()

        assert post.shown == [("resolved", "bea")], "the post went back to the older decision"
        assert hook.shown == [("resolved", "bea"), ("acknowledged", "ana")]
        status = {r.id: r.status for r in await store.outbox_items()}
        assert status[acked[0].id] == "superseded" and status[acked[1].id] == "sent"
        # The payload of the dropped update is gone like a delivered one's.
        assert await store.due(now[0] + 10**6) == []
    finally:
        await store.close()
