"""FakeAdapter: an in-memory adapter for tests and for learning the adapter contract."""

from __future__ import annotations

from typing import ClassVar

from nudgeguard.adapter import Adapter
from nudgeguard.outbound import (
    Capabilities,
    Delivery,
    ModeratorAlert,
    Nudge,
    TransientDeliveryError,
    UndeliverableError,
)


class FakeAdapter(Adapter):
    """Records what the engine asks it to deliver; can be told to fail.

    Attributes:
        nudges: Delivered nudges with the channel used.
        alerts: Delivered alerts.
        dms_closed: Users whose DMs are closed (and who cannot get ephemerals either).
        transient_failures: How many next sends fail with a rate limit.
    """

    name: ClassVar[str] = "fake"
    capabilities: ClassVar[Capabilities] = Capabilities(
        ephemeral=True, direct_message=True, buttons=True, delete=True, timeout=True
    )

    def __init__(self) -> None:
        super().__init__()
        self.nudges: list[tuple[Nudge, Delivery]] = []
        self.alerts: list[ModeratorAlert] = []
        self.dms_closed: set[str] = set()
        self.transient_failures = 0
        self.started = False

    async def start(self) -> None:  # noqa: D102
        self.started = True

    async def stop(self) -> None:  # noqa: D102
        self.started = False

    def _maybe_fail(self) -> None:
        if self.transient_failures > 0:
            self.transient_failures -= 1
            raise TransientDeliveryError("rate limited", retry_after=0.0)

    async def send_nudge(self, nudge: Nudge) -> Delivery:  # noqa: D102
        self._maybe_fail()
        if not nudge.delivery or nudge.recipient_id in self.dms_closed:
            raise UndeliverableError("no private channel")
        self.nudges.append((nudge, nudge.delivery[0]))
        return nudge.delivery[0]

    async def send_alert(self, alert: ModeratorAlert) -> str | None:  # noqa: D102
        self._maybe_fail()
        self.alerts.append(alert)
        return f"fake-alert-{len(self.alerts)}"

    def nudges_to(self, user_id: str) -> list[Nudge]:
        """Return the nudges delivered to one user."""
        return [n for n, _ in self.nudges if n.recipient_id == user_id]
