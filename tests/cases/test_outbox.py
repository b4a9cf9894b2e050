"""Outbox: retries with backoff, give-up, no double sends, visible status."""

from __future__ import annotations

import asyncio

import pytest

from nudgeguard.cases.model import CaseStatus, Severity
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import OutboxItem
from nudgeguard.delivery.outbound import ModeratorAlert, TransientDeliveryError, UndeliverableError
from nudgeguard.delivery.outbox import Backoff, Outbox

T0 = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def alert(case_id: str = "NG-1") -> ModeratorAlert:
    return ModeratorAlert(
        alert_id=f"{case_id}:high",
        case_id=case_id,
        platform="fake",
        community_id="g",
        conversation_id="c",
        severity=Severity.HIGH,
        status=CaseStatus.OPEN,
        score=3.0,
        reasons=(),
        signals=(),
        stages=(),
        participants=(),
    )


def item(item_id: str = "alert:NG-1:high:none:hook", case_id: str | None = None) -> OutboxItem:
    return OutboxItem(item_id, case_id, "hook", "alert", alert().model_dump_json())


class Sink:
    name = "hook"

    def __init__(self, failures: list[Exception] | None = None, delay: float = 0.0) -> None:
        self.failures = list(failures or [])
        self.delivered: list[str] = []
        self.delay = delay

    async def send_alert(self, a: ModeratorAlert) -> str | None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(a.alert_id)
        return f"ref-{len(self.delivered)}"


@pytest.fixture
async def store():
    s = SqliteCaseStore(":memory:", clock=lambda: T0)
    yield s
    await s.close()


def outbox_with(store, sink, clock, **backoff) -> Outbox:
    box = Outbox(store, clock=clock, backoff=Backoff(**backoff))
    box.register_alert_sink(sink)
    return box


async def test_rate_limits_are_retried_after_the_wait_the_platform_asked_for(store) -> None:
    clock, sink = Clock(), Sink([TransientDeliveryError("429", retry_after=30.0)])
    box = outbox_with(store, sink, clock)
    assert await box.submit(item()) == "pending"
    [rec] = await store.outbox_items()
    assert rec.status == "pending" and rec.attempts == 1
    assert rec.last_error == "TransientDeliveryError" and rec.next_at == T0 + 30.0
    clock.now = T0 + 29
    assert await box.drain() == 0 and sink.delivered == []
    clock.now = T0 + 30
    assert await box.drain() == 1
    assert sink.delivered == ["NG-1:high"]
    [rec] = await store.outbox_items()
    assert rec.status == "sent" and rec.attempts == 2


async def test_backoff_grows_and_is_capped() -> None:
    b = Backoff(base=2.0, cap=100.0)
    delays = [b.delay(n, None) for n in range(1, 10)]
    assert delays[0] < delays[2] < delays[4]
    assert max(delays) <= 100.0 * 1.2
    assert b.delay(3, 7.0) == 7.0
    assert b.delay(3, 10_000.0) == 100.0


async def test_server_errors_give_up_as_dead_after_max_attempts(store) -> None:
    clock = Clock()
    sink = Sink([TransientDeliveryError("500")] * 10)
    box = outbox_with(store, sink, clock, max_attempts=3)
    await store.open_case(_case(), [])
    await box.submit(item(case_id="NG-1"))
    for _ in range(5):
        clock.now += 10_000
        await box.drain()
    [rec] = await store.outbox_items()
    assert rec.status == "dead" and rec.attempts == 3
    assert sink.delivered == []
    assert "alert_dead" in [e.kind for e in await store.events("NG-1")]
    assert await store.outbox_status() == {"dead": 1}


async def test_undeliverable_gives_up_at_once_and_is_audited(store) -> None:
    box = outbox_with(store, Sink([UndeliverableError("no channel")]), Clock())
    await store.open_case(_case(), [])
    assert await box.submit(item(case_id="NG-1")) == "undeliverable"
    assert (await store.outbox_items())[0].status == "undeliverable"
    assert "alert_undeliverable" in [e.kind for e in await store.events("NG-1")]


async def test_same_id_is_delivered_once(store) -> None:
    sink = Sink()
    box = outbox_with(store, sink, Clock())
    assert await box.submit(item()) == "sent"
    assert await box.submit(item()) == "pending"
    await box.drain()
    assert sink.delivered == ["NG-1:high"]


async def test_concurrent_drains_never_send_an_item_twice(store) -> None:
    sink = Sink(delay=0.01)
    box = outbox_with(store, sink, Clock())
    for n in range(5):
        await box.enqueue(item(f"alert:{n}"))
    await asyncio.gather(box.drain(), box.drain(), box.drain())
    assert len(sink.delivered) == 5


async def test_a_dead_workers_claim_expires_and_the_item_is_sent(store) -> None:
    clock, sink = Clock(), Sink()
    box = outbox_with(store, sink, clock, lease=60.0)
    await box.enqueue(item())
    assert await store.claim(item().id, T0, 60.0)  # a worker took it, then died
    assert await box.drain() == 0
    clock.now = T0 + 60
    assert await box.drain() == 1 and sink.delivered == ["NG-1:high"]


async def test_items_for_an_unregistered_target_wait_and_are_kept(store) -> None:
    clock = Clock()
    box = Outbox(store, clock=clock)
    await box.submit(item())
    [rec] = await store.outbox_items()
    assert rec.status == "pending" and rec.last_error == "no deliverer registered"
    sink = Sink()
    box.register_alert_sink(sink)
    clock.now += 3600
    await box.drain()
    assert sink.delivered == ["NG-1:high"]


async def test_a_sink_failing_with_a_lookup_error_is_reported_by_its_own_name(store) -> None:
    box = outbox_with(store, Sink([KeyError("inside the sink")]), Clock())
    await box.submit(item())
    [rec] = await store.outbox_items()
    assert rec.status == "pending" and rec.last_error == "KeyError"


async def test_sent_alert_is_audited_as_alerted(store) -> None:
    box = outbox_with(store, Sink(), Clock())
    await store.open_case(_case(), [])
    await box.submit(item(case_id="NG-1"))
    assert [e.kind for e in await store.events("NG-1")] == ["opened", "alerted"]


async def test_background_drain_delivers_later_items(store) -> None:
    sink = Sink()
    box = outbox_with(store, sink, Clock())
    box.start(interval=0.01)
    try:
        await box.enqueue(item())
        for _ in range(200):
            if sink.delivered:
                break
            await asyncio.sleep(0.01)
    finally:
        await box.stop()
    assert sink.delivered == ["NG-1:high"]


def _case():
    from .contract import make_case

    return make_case("NG-1")
