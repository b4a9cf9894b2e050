"""Webhook sink against a real HTTP server on 127.0.0.1 that checks signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from aiohttp import web

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.outbound import UndeliverableError
from nudgeguard.delivery.sinks import load_sink
from nudgeguard.delivery.sinks.webhook import WebhookSink, verify
from nudgeguard.testing import FakeAdapter, Scenario

from .helpers import CHILD, GROOMER, TRAJECTORY, groom, make_engine

SECRET = b"s3cret-shared-with-the-receiver"


def receiver_check(secret: bytes, headers, body: bytes, tolerance: int = 300) -> bool:
    """What docs/cases.md tells receivers to do, written out independently."""
    ts = headers.get("X-Nudgeguard-Timestamp", "")
    sig = headers.get("X-Nudgeguard-Signature", "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > tolerance:
        return False
    mac = hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + mac, sig)


class Receiver:
    def __init__(self) -> None:
        self.fail_next: list[int] = []
        self.accepted: list[dict] = []
        self.rejected = 0
        self.seen_deliveries: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not receiver_check(SECRET, request.headers, body):
            self.rejected += 1
            return web.Response(status=401)
        self.seen_deliveries.append(request.headers["X-Nudgeguard-Delivery"])
        if self.fail_next:
            return web.Response(status=self.fail_next.pop(0))
        self.accepted.append(json.loads(body))
        return web.Response(status=204)


@pytest.fixture
async def receiver():
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_alerts_reach_the_webhook_signed_and_are_retried_after_a_500(receiver, tmp_path):
    receiver.fail_next = [500, 503]
    store = SqliteCaseStore(tmp_path / "s.sqlite3")
    clock = Clock()
    sink = WebhookSink("tns", receiver.url, SECRET)
    engine = make_engine(store, FakeAdapter(), sinks=[sink], clock=clock)
    await engine.start(background=False)
    await groom(Scenario(engine))
    assert receiver.accepted == [], "a 500 must not count as delivered"
    [rec] = await store.outbox_items(status="pending")
    assert rec.target == "tns" and rec.last_error == "TransientDeliveryError"
    for _ in range(3):
        clock.now += 3600
        await engine.outbox.drain()
    assert receiver.rejected == 0
    [payload] = receiver.accepted
    [case] = await store.list_cases()
    assert payload["type"] == "nudgeguard.alert"
    assert payload["alert"]["case_id"] == case.id
    body = json.dumps(payload)
    assert all(line not in body for line in TRAJECTORY), "message text left in the webhook"
    assert len(set(receiver.seen_deliveries)) == 1, "retries must keep the delivery id"
    alerts = {(r.target, r.status) for r in await store.outbox_items() if r.kind == "alert"}
    assert alerts == {("fake", "sent"), ("tns", "sent")}
    assert "alerted" in [e.kind for e in await store.events(case.id)]
    await engine.stop()
    await store.close()


async def test_a_childs_report_without_a_case_reaches_the_webhook_as_a_notice(receiver, tmp_path):
    receiver.fail_next = [503]
    store = SqliteCaseStore(tmp_path / "s.sqlite3")
    clock = Clock()
    adapter = FakeAdapter()
    engine = make_engine(
        store, adapter, sinks=[WebhookSink("tns", receiver.url, SECRET)], clock=clock
    )
    await engine.start(background=False)
    chat = Scenario(engine)
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, TRAJECTORY[1], to=CHILD)
    [nudge] = adapter.nudges_to(CHILD.id)
    assert nudge.case_id is None

    response = await engine.respond_to_nudge(
        nudge.nudge_id, "report", CHILD.id, platform="fake", community_id=nudge.community_id
    )
    assert response.reported, "the child is told the moderators were reached"
    assert receiver.accepted == [], "a 503 must not count as delivered"
    clock.now += 3600
    await engine.outbox.drain()

    [payload] = receiver.accepted
    assert receiver.rejected == 0 and len(set(receiver.seen_deliveries)) == 1
    assert payload["type"] == "nudgeguard.notice"
    assert payload["delivery_id"] == payload["notice"]["notice_id"]
    notice = payload["notice"]
    assert notice["kind"] == "child_report" and notice["community_id"] == nudge.community_id
    assert notice["reporter"] == engine.pseudonyms.pseudonym("fake", CHILD.id)[:12]
    assert notice["title"] == adapter.notices[0].title, "the same notice the adapter posts"
    body = json.dumps(payload)
    assert CHILD.id not in body and GROOMER.id not in body, "a platform id in the notice"
    assert all(line not in body for line in TRAJECTORY), "message text in the notice"
    notices = {(r.target, r.status) for r in await store.outbox_items() if r.kind == "notice"}
    assert notices == {("fake", "sent"), ("tns", "sent")}
    await engine.stop()
    await store.close()


async def test_a_wrong_secret_is_rejected_by_the_receiver(receiver):
    sink = WebhookSink("tns", receiver.url, b"not-the-right-secret!!")
    from .test_outbox import alert

    with pytest.raises(Exception, match="HTTP 401"):
        await sink.send_alert(alert())
    assert receiver.rejected == 1 and receiver.accepted == []


async def test_permanent_errors_give_up(receiver):
    from .test_outbox import alert

    receiver.fail_next = [410]
    with pytest.raises(UndeliverableError):
        await WebhookSink("tns", receiver.url, SECRET).send_alert(alert())


async def test_unreachable_endpoint_is_transient():
    from nudgeguard.delivery.outbound import TransientDeliveryError

    from .test_outbox import alert

    sink = WebhookSink("tns", "http://127.0.0.1:9/hook", SECRET, timeout=2)
    with pytest.raises(TransientDeliveryError):
        await sink.send_alert(alert())


def test_signature_matches_the_documented_scheme():
    sink = WebhookSink("tns", "https://example.org/x", SECRET, clock=lambda: 1_700_000_000)
    from .test_outbox import alert

    body, headers = sink.request(alert())
    assert headers["X-Nudgeguard-Timestamp"] == "1700000000"
    expected = hmac.new(SECRET, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert headers["X-Nudgeguard-Signature"] == "sha256=" + expected
    assert verify(SECRET, "1700000000", headers["X-Nudgeguard-Signature"], body, now=1_700_000_100)
    assert not verify(
        SECRET, "1700000000", headers["X-Nudgeguard-Signature"], body + b" ", now=1_700_000_100
    )
    assert not verify(
        SECRET, "1700000000", headers["X-Nudgeguard-Signature"], body, now=1_700_009_999
    )


def test_config_loads_by_type_and_reads_the_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("TNS_SECRET", SECRET.decode())
    sink = load_sink(
        "tns", {"type": "webhook", "url": "https://tns.example.org/in", "secret_env": "TNS_SECRET"}
    )
    assert sink.name == "tns" and SECRET.decode() not in repr(sink)
    monkeypatch.delenv("TNS_SECRET")
    with pytest.raises(ValueError, match=r"\$TNS_SECRET"):
        load_sink(
            "tns",
            {"type": "webhook", "url": "https://tns.example.org/in", "secret_env": "TNS_SECRET"},
        )
    with pytest.raises(ValueError, match="https"):
        load_sink("tns", {"type": "webhook", "url": "http://tns.example.org/in"})
    with pytest.raises(ValueError, match="type"):
        load_sink("tns", {"url": "https://x.org"})
    with pytest.raises(ValueError, match="no sink type"):
        load_sink("tns", {"type": "carrier-pigeon"})
    with pytest.raises(ValueError, match="adapter"):
        load_sink("discord", {"type": "webhook", "url": "https://x.org"})


async def test_a_moderators_decision_reaches_the_webhook_as_a_delivery(receiver, tmp_path):
    store = SqliteCaseStore(tmp_path / "s.sqlite3")
    engine = make_engine(store, FakeAdapter(), sinks=[WebhookSink("tns", receiver.url, SECRET)])
    await engine.start(background=False)
    await groom(Scenario(engine))
    [case] = await store.list_cases()
    assert (await engine.moderate(case.id, "acknowledge", "mod-9", permitted=True)).accepted
    assert (await engine.resolve(case.id, "mod-9", permitted=True)).accepted
    await engine.outbox.drain()

    decided = [(p["alert"]["decision"] or {}).get("key") for p in receiver.accepted]
    # Each decision arrives once, drawn from the case as recorded when sent.
    assert decided == [None, "acknowledged", "resolved"]
    assert {p["alert"]["status"] for p in receiver.accepted[1:]} == {"resolved"}
    assert len(set(receiver.seen_deliveries)) == 3, "each decision is its own delivery"
    body = json.dumps(receiver.accepted)
    assert all(line not in body for line in TRAJECTORY), "message text left in the webhook"
    await engine.stop()
    await store.close()


async def test_confirming_an_acknowledged_case_is_a_delivery_of_its_own(receiver, tmp_path):
    """Confirm leaves the case acknowledged: the receiver still hears of it, once."""
    store = SqliteCaseStore(tmp_path / "s.sqlite3")
    clock = Clock()
    sink = WebhookSink("tns", receiver.url, SECRET)
    engine = make_engine(store, FakeAdapter(), sinks=[sink], clock=clock)
    await engine.start(background=False)
    await groom(Scenario(engine))
    [case] = await store.list_cases()
    assert (await engine.moderate(case.id, "acknowledge", "mod-9", permitted=True)).accepted
    receiver.fail_next = [503]  # the acknowledgement's first try fails: retried, same id
    await engine.outbox.drain()
    clock.now += 3600
    await engine.outbox.drain()
    assert (await engine.moderate(case.id, "confirm", "mod-7", permitted=True)).accepted
    clock.now += 3600
    await engine.outbox.drain()

    delivered = {}
    for payload in receiver.accepted:
        delivered.setdefault(payload["delivery_id"], []).append(payload["alert"])
    decided = [(a[0]["decision"] or {}).get("key") for a in delivered.values()]
    assert decided == [None, "acknowledged", "confirmed"], "a decision did not arrive"
    assert all(len(a) == 1 for a in delivered.values()), "a decision arrived twice"
    assert len(receiver.seen_deliveries) == 4, "the retry was not made"
    assert {a[0]["status"] for a in list(delivered.values())[1:]} == {"acknowledged"}
    # Who pressed is named to the receiver; the store kept pseudonyms only.
    assert list(delivered.values())[2][0]["decision"]["moderator_id"] == "mod-7"
    assert not [e for e in await store.events(case.id) if "mod-7" in (e.actor or "")]
    await engine.stop()
    await store.close()
