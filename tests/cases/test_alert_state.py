"""A case's alert post always ends on the case's newest state, whatever the delivery order.

An alert update queued before a moderator's press (or retried after a platform error) is
drawn from the case as recorded when it is sent, and a press that lands while a send is in
flight is drawn after it by its own queued update. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from nudgeguard.cases.model import Case, CaseStatus, Severity
from nudgeguard.cases.store import OutboxItem
from nudgeguard.delivery.case_alert import change_status
from nudgeguard.delivery.outbound import ModeratorAlert, TransientDeliveryError
from nudgeguard.delivery.outbox import Backoff, Outbox

from .contract import msg
from .helpers import open_plain

T0 = 1_700_000_000.0
MOD = "mod:someone"


def case_of(case_id: str = "NG-1") -> Case:
    return Case(
        id=case_id,
        platform="fake",
        community_id="g",
        conversation_id="c",
        subject="p-subject",
        target="p-target",
        severity=Severity.HIGH,
        score=3.0,
        opened_at=T0,
        updated_at=T0,
    )


def update_item(case: Case, tag: str) -> OutboxItem:
    """An update of the case's alert as queued now (a snapshot of an open case)."""
    alert = ModeratorAlert(
        alert_id=f"{case.id}:{case.severity.value}",
        case_id=case.id,
        platform="fake",
        community_id="g",
        conversation_id="c",
        severity=case.severity,
        status=CaseStatus.OPEN,
        score=case.score,
        reasons=(),
        signals=(),
        stages=(),
        participants=(),
        is_update=True,
    )
    return OutboxItem(
        f"alert:{case.id}:{tag}:hook", case.id, "hook", "alert", alert.model_dump_json()
    )


class Post:
    """The moderators' channel with one post per case, as members see it."""

    name = "hook"

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.shown: dict[str, CaseStatus] = {}
        self.sends = 0
        self.during_send = None

    async def send_alert(self, a: ModeratorAlert) -> str | None:
        self.sends += 1
        if self.fail:
            self.fail -= 1
            raise TransientDeliveryError("502", retry_after=30.0)
        if self.during_send is not None:
            # A moderator presses while this send is on the wire; the press's own redraw
            # reaches the platform first, this older send lands after it.
            press, self.during_send = self.during_send, None
            self.shown["post-1"] = await press()
        self.shown["post-1"] = a.status
        return "post-1"


def outbox(store, post: Post, now: list[float]) -> Outbox:
    box = Outbox(store, clock=lambda: now[0], backoff=Backoff())
    box.register_alert_sink(post)
    return box


async def test_an_update_queued_before_a_press_is_drawn_with_the_press(store_spec):
    store = open_plain(store_spec)
    try:
        case = await store.open_case(case_of(), [])
        post, now = Post(), [T0]
        box = outbox(store, post, now)
        assert await box.submit(update_item(case, "opened")) == "sent"
        await box.enqueue(update_item(case, "raised"))  # queued, not yet delivered

        await store.transition(case.id, CaseStatus.ACKNOWLEDGED, MOD)
        post.shown["post-1"] = CaseStatus.ACKNOWLEDGED  # the press re-draws the post
        await box.drain()

        assert post.sends == 2
        assert post.shown["post-1"] is CaseStatus.ACKNOWLEDGED, "the post went back to open"
    finally:
        await store.close()


async def test_an_update_retried_after_a_platform_error_shows_the_case_resolved(store_spec):
    store = open_plain(store_spec)
    try:
        case = await store.open_case(case_of(), [])
        post, now = Post(fail=1), [T0]
        box = outbox(store, post, now)
        assert await box.submit(update_item(case, "opened")) == "pending"  # 502

        await store.transition(case.id, CaseStatus.RESOLVED, MOD)
        now[0] = T0 + 3600
        assert await box.drain() == 1

        assert post.shown["post-1"] is CaseStatus.RESOLVED
    finally:
        await store.close()


async def test_a_press_landing_while_an_update_is_in_flight_is_drawn_again(store_spec):
    first, second = open_plain(store_spec), open_plain(store_spec)
    try:
        case = await first.open_case(case_of(), [])
        post, now = Post(), [T0]
        box = outbox(first, post, now)  # one bot process sends, another takes the press

        async def press() -> CaseStatus:
            # As moderation, the console and the CLI change a case: with its post's update.
            done, queued, _ = await change_status(second, case.id, CaseStatus.ACKNOWLEDGED, MOD)
            assert queued, "the press queued no update of the post"
            return done.status

        post.during_send = press
        assert await box.submit(update_item(case, "opened")) == "sent"
        assert post.shown["post-1"] is CaseStatus.OPEN  # the older send landed last...
        await box.drain()  # ...and the press's own update, queued with it, follows it

        assert post.sends == 2, "the post was not drawn again after the press"
        assert post.shown["post-1"] is CaseStatus.ACKNOWLEDGED, "the post went back to open"
    finally:
        await first.close()
        await second.close()


async def test_one_delivery_reads_the_case_once_without_its_evidence(store_spec):
    """A case with much evidence: each alert delivery reads its record once, not the texts."""
    store = open_plain(store_spec)
    reads: list[bool] = []

    class Counting:
        """The store, counting reads of a case (and whether they loaded its evidence)."""

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(store, name)

        async def get(self, case_id: str, *, evidence: bool = True) -> Case | None:
            reads.append(evidence)
            return await store.get(case_id, evidence=evidence)

    try:
        case = await store.open_case(case_of(), [msg(f"m{i}") for i in range(200)])
        post, now = Post(), [T0]
        box = outbox(Counting(), post, now)
        assert await box.submit(update_item(case, "opened")) == "sent"
        await store.transition(case.id, CaseStatus.ACKNOWLEDGED, MOD)
        assert await box.submit(update_item(case, "raised")) == "sent"

        assert post.shown["post-1"] is CaseStatus.ACKNOWLEDGED
        assert reads == [False, False], "a delivery read the case more than once, or its texts"
    finally:
        await store.close()
