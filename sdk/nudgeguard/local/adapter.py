"""LocalAdapter: delivers nudges and alerts to the terminal (or to a list, in tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from nudgeguard.adapter import Adapter
from nudgeguard.delivery.outbound import Capabilities, Delivery, ModeratorAlert, Nudge


class LocalAdapter(Adapter):
    """The simulator's adapter: every nudge is private by construction (shown as such).

    Args:
        on_nudge: Called with each delivered nudge and the channel used.
        on_alert: Called with each moderator alert.
    """

    name: ClassVar[str] = "local"
    capabilities: ClassVar[Capabilities] = Capabilities(
        ephemeral=True, direct_message=True, buttons=True, max_text_len=4000
    )

    def __init__(
        self,
        on_nudge: Callable[[Nudge, Delivery], None] | None = None,
        on_alert: Callable[[ModeratorAlert], None] | None = None,
    ) -> None:
        super().__init__()
        self.nudges: list[tuple[Nudge, Delivery]] = []
        self.alerts: list[ModeratorAlert] = []
        self._on_nudge = on_nudge
        self._on_alert = on_alert

    async def send_nudge(self, nudge: Nudge) -> Delivery:  # noqa: D102
        channel = nudge.delivery[0]
        self.nudges.append((nudge, channel))
        if self._on_nudge is not None:
            self._on_nudge(nudge, channel)
        return channel

    async def send_alert(self, alert: ModeratorAlert) -> str | None:  # noqa: D102
        self.alerts.append(alert)
        if self._on_alert is not None:
            self._on_alert(alert)
        return f"local-alert-{len(self.alerts)}"
