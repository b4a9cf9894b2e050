"""Conformance steps: what a case's post shows after moderators decide.

Kept apart from :mod:`nudgeguard.testing.conformance` (which calls them) so both modules
stay small.

- An alert update delivered after a moderator's press shows the press. The race is
  forced, not waited for: an update of the case's alert is queued while the case is open
  but held back, a moderator acknowledges the case, and only then is the held update
  delivered, as a retry after a platform error would be.
- Once the outbox has re-drawn the post from the case, it still says who decided: the
  moderator who pressed (their platform id, which the store never keeps), then a console
  account by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from nudgeguard.cases.model import CaseStatus
from nudgeguard.cases.records import OutboxItem

if TYPE_CHECKING:
    from nudgeguard.delivery.outbound import ModeratorAlert
    from nudgeguard.engine import Engine

#: Who presses (a core-level press: stored as a pseudonym only, shown on the post).
MODERATOR = "conformance-moderator"
#: A console account that decides (console decisions name the account).
CONSOLE_ACCOUNT = "conformance-console"
#: How far in the future the held update is scheduled (never due on its own in a test).
_HELD = 86_400.0


class AlertHarness(Protocol):
    """What the step needs of a :class:`~nudgeguard.testing.ConformanceHarness`."""

    engine: Engine

    async def alert_texts(self) -> list[str]:
        """Return the moderator channel as members see it, one text per post."""
        ...

    async def wait_for(self, check: Callable[[], object], timeout: float = 10.0) -> None:
        """Poll a check until it is truthy."""
        ...

    def platform_id(self, name: str) -> str:
        """Return the platform user id the harness uses for a symbolic test user name."""
        ...


H = TypeVar("H", bound=AlertHarness)


async def settled(h: AlertHarness) -> bool:
    """True once nothing waits in the outbox (every alert delivered)."""
    await h.engine.outbox.drain()
    return not (await h.engine.cases.outbox_status()).get("pending", 0)


def _item(alert: ModeratorAlert, tag: str, next_at: float) -> OutboxItem:
    """The outbox item that delivers ``alert`` to its platform's adapter, under its own id."""
    return OutboxItem(
        id=f"alert:{alert.case_id}:{tag}:{alert.platform}",
        case_id=alert.case_id,
        target=alert.platform,
        kind="alert",
        payload=alert.model_dump_json(),
        next_at=next_at,
    )


async def held_update_lands_after_a_press(
    h: H, play: Callable[[H], Awaitable[None]], scored: int
) -> None:
    """Play a case open, hold back an update of its alert, acknowledge it, deliver it.

    ``scored`` is how many messages of ``play`` the engine scores: once it has, the case
    no longer changes on its own.

    The post must end the same as the alert drawn from the acknowledged case, and that must
    differ from the open case's post (so the check cannot pass by showing nothing new).
    """
    await play(h)
    await h.wait_for(lambda: h.engine.stats.scored >= scored)
    (case,) = [c for c in await h.engine.cases.list_cases() if c.status is CaseStatus.OPEN]
    await h.wait_for(lambda: settled(h))
    before = await h.alert_texts()
    snapshot = h.engine.dispatcher.alerts.latest(case.id)
    assert snapshot is not None
    snapshot = snapshot.model_copy(update={"is_update": True})
    held = _item(snapshot, "held", h.engine.outbox.clock() + _HELD)
    assert await h.engine.outbox.enqueue(held)

    done = await h.engine.moderate(case.id, "acknowledge", MODERATOR, permitted=True)
    assert done.accepted and done.alert is not None
    # The held update becomes due only now: it lands after the press.
    await h.engine.cases.mark_retry(held.id, 1, 0.0, "held")
    await h.wait_for(lambda: settled(h))
    landed = await h.alert_texts()

    assert await h.engine.outbox.enqueue(_item(done.alert, "newest", 0.0))
    await h.wait_for(lambda: settled(h))
    newest = await h.alert_texts()
    assert newest != before, "the acknowledged case's alert looks like the open one"
    assert landed == newest, "an update queued before the press drew the post back"


async def redraw_names_who_decided(h: H, play: Callable[[H], Awaitable[None]], scored: int) -> None:
    """Play a case open; acknowledge it in the chat, confirm it in the console.

    After each decision, once the outbox has sent the update queued with it (drawn from
    the stored case), the post names who decided; the store never holds the moderator's
    platform id.
    """
    await play(h)
    await h.wait_for(lambda: h.engine.stats.scored >= scored)
    (case,) = [c for c in await h.engine.cases.list_cases() if c.status is CaseStatus.OPEN]
    await h.wait_for(lambda: settled(h))
    moderator = h.platform_id(MODERATOR)
    assert not any(moderator in text for text in await h.alert_texts())

    done = await h.engine.moderate(case.id, "acknowledge", moderator, permitted=True)
    assert done.accepted
    pending = await h.engine.cases.due(h.engine.outbox.clock() + _HELD, 1000)
    queued = [i.payload for i in pending if i.case_id == case.id]  # unless sent already
    await h.wait_for(lambda: settled(h))
    shown = await h.alert_texts()
    assert any(moderator in text for text in shown), "the post no longer says who decided"

    done = await h.engine.moderate(case.id, "confirm", f"console:{CONSOLE_ACCOUNT}", True)
    assert done.accepted
    await h.wait_for(lambda: settled(h))
    shown = await h.alert_texts()
    assert any(CONSOLE_ACCOUNT in text for text in shown), "the console account is not named"
    stored = [(e.actor, str(e.detail)) for e in await h.engine.cases.events(case.id)]
    assert moderator not in str([*stored, *queued]), "the moderator's platform id was stored"
