"""FakeAdapter: an in-memory adapter for tests and for learning the adapter contract."""

from __future__ import annotations

from typing import ClassVar

from nudgeguard.adapter import Adapter
from nudgeguard.delivery.outbound import (
    Capabilities,
    Delivery,
    ModeratorAlert,
    ModeratorNotice,
    Nudge,
    TransientDeliveryError,
    UndeliverableError,
)


class FakeAdapter(Adapter):
    """Records what the engine asks it to deliver; can be told to fail.

    Attributes:
        nudges: Delivered nudges with the channel used.
        alerts: Every delivered alert, in order (updates included).
        posts: The moderator channel as members see it: each post's latest alert, by the
            reference ``send_alert`` returned (an alert with ``post_ref`` edits that post).
        notices: Delivered moderator notices (a child's Report without a case).
        no_moderator_channel: Refuse alerts and notices as a platform without a
            configured moderator channel would.
        forgotten: Users :meth:`forget_user` was called for (erasure).
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
        self.posts: dict[str, ModeratorAlert] = {}
        self.notices: list[ModeratorNotice] = []
        self.no_moderator_channel = False
        self.forgotten: list[str] = []
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
        if self.no_moderator_channel:
            raise UndeliverableError("no moderator channel")
        self.alerts.append(alert)
        ref = alert.post_ref if alert.post_ref in self.posts else f"fake-post-{len(self.posts) + 1}"
        self.posts[ref] = alert  # an update edits its post in place
        return ref

    async def send_notice(self, notice: ModeratorNotice) -> str | None:  # noqa: D102
        self._maybe_fail()
        if self.no_moderator_channel:
            raise UndeliverableError("no moderator channel")
        self.notices.append(notice)
        return f"fake-notice-{len(self.notices)}"

    def forget_user(self, user_id: str) -> None:  # noqa: D102
        self.forgotten.append(user_id)

    def remembered_users(self) -> list[str]:
        """Return the recipients of delivered nudges not forgotten since (what it remembers)."""
        gone = set(self.forgotten)
        return sorted({n.recipient_id for n, _ in self.nudges} - gone)

    def nudges_to(self, user_id: str) -> list[Nudge]:
        """Return the nudges delivered to one user."""
        return [n for n, _ in self.nudges if n.recipient_id == user_id]
