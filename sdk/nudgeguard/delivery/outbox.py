"""The outbox: nudges and alerts are stored first, then delivered at least once.

An item is written to the case store before the first send. If the process dies between
the two, :meth:`Outbox.drain` (run at start and on a timer) sends it after the restart.
Every attempt first *claims* the item for a short lease, so a timer drain and a direct
submit (or two bot processes sharing a store) never send the same item at once; the lease
of a worker that died mid-send simply runs out and the item is tried again.

An alert of a case that was posted before carries that post's reference
(``ModeratorAlert.post_ref``, stored by :meth:`CaseStore.mark_sent`), so the adapter edits
the same post in place. Every alert of a case is drawn from the case *as recorded when it
is sent* (status, severity, score, reasons, stages: one read of the case, without its
evidence), not as it was when queued: an update queued before a moderator's Acknowledge
or Resolve, or retried after a platform error, never draws the post back to "open". A
change that lands while a send is in flight queues its own update in the same
transaction (:func:`~nudgeguard.delivery.case_alert.change_status`), and one case's
alerts to one target are sent one at a time, so that update is drawn after the send and
the newest state is the one left on the post. Case-less moderator notices
(``kind="notice"``, see :mod:`nudgeguard.delivery.notices`) go to sinks that have
``send_notice``. An update queued by another process that names no one (a moderator's
change made in the console or the CLI) is sent naming the people the sending process
remembers for the case, so the post keeps them; that process then remembers the case as
the post shows it (``remember``), so its own next alert keeps that decision. The
decision an alert shows is the one it was queued for, with the platform id of who
pressed when this process took it (only its memory holds that id); an alert that holds
none for a case moderators decided (drawn after a restart) shows the decision the case's
audit chain records (:mod:`nudgeguard.delivery.last_action`). On a chat post (a
sink registered with ``post=True``: the adapters) the latest decision stays: a
decision's update that a later update of its case overtook (a retry after a failure) is
dropped from the post as ``superseded``, since the later one drew the post; webhooks
still get every decision once.

Rate limits, server errors and unknown failures are retried with exponential backoff
until ``max_attempts``, then the item is given up as ``dead``; ``UndeliverableError``
gives up at once. The item id de-duplicates, so enqueuing the same alert twice sends it
once. Delivery is at least once: a crash after the platform accepted a message but
before it was marked sent repeats it, so receivers should de-duplicate on the item id
(webhooks send it as ``X-Nudgeguard-Delivery``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from nudgeguard.cases.model import Case
from nudgeguard.cases.store import AuditLog, OutboxItem, OutboxStore
from nudgeguard.delivery.case_alert import as_recorded, naming
from nudgeguard.delivery.last_action import ConsoleAccount, with_last_action
from nudgeguard.delivery.outbound import (
    AlertDecision,
    ModeratorAlert,
    ModeratorNotice,
    Nudge,
    TransientDeliveryError,
    UndeliverableError,
)
from nudgeguard.telemetry import emit

log = logging.getLogger(__name__)


class CaseReader(Protocol):
    """Reading a case's current record (alerts are drawn from it when sent)."""

    async def get(self, case_id: str, *, evidence: bool = True) -> Case | None:
        """Return a case (with its evidence unless ``evidence`` is False)."""
        ...


class DeliveryStore(OutboxStore, AuditLog, CaseReader, Protocol):
    """What delivery needs: the outbox, the audit log for what was sent, the cases."""


AttemptResult = Literal["sent", "pending", "undeliverable", "dead", "superseded"]


class NoDelivererError(LookupError):
    """No adapter or sink is registered for an item's target (yet): it waits."""


class AlertSink(Protocol):
    """Something that delivers moderator alerts (an adapter's channel, a webhook)."""

    @property
    def name(self) -> str:
        """Sink name (an adapter's platform name, or e.g. ``webhook``)."""
        ...

    async def send_alert(self, alert: ModeratorAlert) -> str | None:
        """Deliver an alert; return a platform reference if there is one."""
        ...


class NudgeSender(Protocol):
    """Something that delivers nudges (an adapter)."""

    @property
    def name(self) -> str:
        """Adapter name."""
        ...

    async def send_nudge(self, nudge: Nudge) -> object:
        """Deliver a nudge privately."""
        ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """Retry schedule: ``base * 2**attempt`` seconds with jitter, capped; then give up."""

    base: float = 2.0
    cap: float = 600.0
    max_attempts: int = 12
    lease: float = 60.0

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """Return the wait before the next attempt."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap)
        return min(self.cap, self.base * 2.0**attempts) * (0.8 + 0.4 * random.random())


class Outbox:
    """Delivers stored items through registered adapters and sinks.

    Args:
        store: Where items are kept.
        clock: Wall clock (unix seconds).
        backoff: Retry schedule.
    """

    def __init__(
        self,
        store: DeliveryStore,
        clock: Callable[[], float] = time.time,
        backoff: Backoff | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.backoff = backoff or Backoff()
        self._alert_sinks: dict[str, AlertSink] = {}
        self._posts = set[str]()
        self._nudge_senders: dict[str, NudgeSender] = {}
        self._task: asyncio.Task[None] | None = None
        self._drain_lock = asyncio.Lock()
        self._requested = 0
        self._completed = 0
        #: A case's latest alert as this process built it (the engine's memory), if any.
        self.remembered: Callable[[str], ModeratorAlert | None] = lambda _: None
        #: Keeps a case's alert as a post now shows it (an update queued elsewhere).
        self.remember: Callable[[ModeratorAlert], None] = lambda _: None
        #: A case's latest decision taken in this process, with who pressed (memory).
        self.decided: Callable[[str], AlertDecision | None] = lambda _: None
        #: Tells a console account's audited actor, for a decision read from the chain.
        self.console_account: ConsoleAccount | None = None

    def register_alert_sink(self, sink: AlertSink, *, post: bool = False) -> None:
        """Deliver alerts addressed to ``sink.name`` through it.

        Args:
            sink: The sink.
            post: True for an adapter that keeps one post per case and edits it in place:
                a decision's update is not drawn on it after a later update of the case
                (it would show the older decision). Other sinks (webhooks) get each
                decision's update, retried or not.
        """
        self._alert_sinks[sink.name] = sink
        if post:
            self._posts.add(sink.name)
        else:
            self._posts.discard(sink.name)

    def register_nudge_sender(self, sender: NudgeSender) -> None:
        """Deliver nudges addressed to ``sender.name`` through it."""
        self._nudge_senders[sender.name] = sender

    @property
    def alert_targets(self) -> list[str]:
        """Return the names of registered alert sinks."""
        return list(self._alert_sinks)

    def can_deliver(self, kind: str, target: str) -> bool:
        """Return True if something is registered for ``kind`` items to ``target``.

        Notices (``kind="notice"``) go to alert sinks that have ``send_notice``.
        """
        if kind == "nudge":
            return target in self._nudge_senders
        sink = self._alert_sinks.get(target)
        if kind == "notice":
            return callable(getattr(sink, "send_notice", None))
        return sink is not None

    async def attempt(self, item: OutboxItem) -> AttemptResult:
        """Try to deliver a stored item once now (``pending``: it waits for a retry)."""
        return await self._attempt(item)

    async def enqueue(self, item: OutboxItem) -> bool:
        """Store an item for the next drain; False if its id was already there."""
        return await self.store.enqueue(item)

    async def submit(self, item: OutboxItem) -> AttemptResult:
        """Store an item, then try to deliver it once right away."""
        if not await self.store.enqueue(item):
            return "pending"
        return await self._attempt(item)

    async def drain(self, batch: int = 50) -> int:
        """Deliver every due item once; return how many were sent.

        Concurrent calls in one process share passes instead of racing each other for the
        same items: a call returns once a pass that started after it was made has finished.
        """
        self._requested += 1
        mine = self._requested
        async with self._drain_lock:
            if self._completed >= mine:
                return 0
            started = self._requested
            sent = await self._drain_pass(batch)
            self._completed = started
            return sent

    async def _drain_pass(self, batch: int) -> int:
        sent, seen = 0, set[str]()
        while True:
            items = [i for i in await self.store.due(self.clock(), batch) if i.id not in seen]
            for item in items:
                seen.add(item.id)
                if await self._attempt(item) == "sent":
                    sent += 1
            if len(items) < batch:
                return sent

    def start(self, interval: float = 2.0) -> None:
        """Drain on a timer in the background until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(interval), name="nudgeguard-outbox")

    async def stop(self) -> None:
        """Stop the background drain."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self, interval: float) -> None:
        while True:
            try:
                await self.drain()
            except Exception as exc:
                log.warning("outbox drain failed: %s", type(exc).__name__)
            await asyncio.sleep(interval)

    async def _attempt(self, item: OutboxItem) -> AttemptResult:
        now = self.clock()
        if not await self.store.claim(item.id, now, self.backoff.lease):
            return "pending"  # someone else is sending it, or it was already done
        if await self._overtaken(item):
            await self.store.mark_failed(item.id, "superseded", "overtaken", now)
            return "superseded"
        try:
            ref = await self._send(item)
        except UndeliverableError:
            await self._give_up(item, "undeliverable", "UndeliverableError", now)
            return "undeliverable"
        except Exception as exc:
            retry_after = exc.retry_after if isinstance(exc, TransientDeliveryError) else None
            attempts = item.attempts + 1
            reason = (
                "no deliverer registered"
                if isinstance(exc, NoDelivererError)
                else type(exc).__name__
            )
            if attempts >= self.backoff.max_attempts:
                await self._give_up(item, "dead", reason, now)
                log.error("outbox item gave up after %d attempts (%s)", attempts, reason)
                return "dead"
            emit(
                "delivery_failed",
                item.kind,
                log_level=logging.WARNING,
                kind=item.kind,
                to=item.target,
                case_id=item.case_id,
                attempts=attempts,
                error=reason,
                final=False,
            )
            await self.store.mark_retry(
                item.id, attempts, now + self.backoff.delay(attempts, retry_after), reason
            )
            return "pending"
        await self.store.mark_sent(item.id, ref, self.clock())
        if item.case_id:
            kind = "alerted" if item.kind == "alert" else f"{item.kind}_sent"
            await self.store.record(item.case_id, kind, "system", {"target": item.target})
        return "sent"

    async def _overtaken(self, item: OutboxItem) -> bool:
        """True for a decision's update to a post that a later update of its case draws.

        A decision's update is never superseded when queued (each decision reaches every
        target once), so one retried after a later update went out would draw the post
        back to the older decision and timeline. On a post it is dropped instead: the
        later update shows the case as recorded.
        """
        if item.kind != "alert" or not item.case_id or item.target not in self._posts:
            return False
        decided = item.id.startswith(f"alert:{item.case_id}:moderated:")
        return decided and await self.store.overtaken(item.id)

    async def _give_up(self, item: OutboxItem, status: str, reason: str, now: float) -> None:
        await self.store.mark_failed(item.id, status, reason, now)
        emit(
            "delivery_failed",
            item.kind,
            log_level=logging.WARNING,
            kind=item.kind,
            to=item.target,
            case_id=item.case_id,
            attempts=item.attempts + 1,
            error=reason,
            final=True,
            status=status,
        )
        if item.case_id:
            await self.store.record(
                item.case_id, f"{item.kind}_{status}", "system", {"target": item.target}
            )

    async def _send(self, item: OutboxItem) -> str | None:
        if item.kind == "nudge":
            sender = self._nudge_senders.get(item.target)
            if sender is None:
                raise NoDelivererError(item.target)
            used = await sender.send_nudge(Nudge.model_validate_json(item.payload))
            return str(used) if used is not None else None
        sink = self._alert_sinks.get(item.target)
        if sink is None:
            raise NoDelivererError(item.target)
        if item.kind == "notice":
            send_notice = getattr(sink, "send_notice", None)
            if send_notice is None:
                raise UndeliverableError("this sink takes no moderator notices")
            ref: str | None = await send_notice(ModeratorNotice.model_validate_json(item.payload))
            return ref
        alert = ModeratorAlert.model_validate_json(item.payload)
        if not item.case_id:
            return await sink.send_alert(alert)
        # The case's post, as an earlier delivery to this target stored it: the adapter
        # edits it in place rather than posting the case again.
        posted = await self.store.sent_ref(item.case_id, item.target)
        if posted is not None:
            alert = alert.model_copy(update={"post_ref": posted})
        known = self.remembered(item.case_id)
        named = naming(alert, known)
        # One read of the record, without evidence: an alert shows only its count, which
        # the queued alert carries. A change landing while this send is in flight queued
        # its own update, which waits for this one (see the module's docstring).
        case = await self.store.get(item.case_id, evidence=False)
        drawn = as_recorded(named, case, self.decided(item.case_id))
        # A decided case whose decision neither the alert nor memory holds (a restart):
        # the post keeps its Last action line, from the audit chain (read only then).
        drawn = await with_last_action(drawn, case, known, self.store, self.console_account)
        ref = await sink.send_alert(drawn)
        # An update queued elsewhere (a console or CLI decision) is on the post now: memory
        # follows it (unless it moved on meanwhile), so this process's next alert of the
        # case keeps its decision and timeline entry.
        followed = named is not alert and item.target in self._posts
        if followed and self.remembered(item.case_id) is known:
            self.remember(drawn.model_copy(update={"post_ref": None}))
        return ref
