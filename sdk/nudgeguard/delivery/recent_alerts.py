"""The latest alert of each recent case, as this process built it (memory only).

Moderation re-draws an alert from it after a button press, and a child's Report adds to
it, without reading the platform's post back. It holds platform ids, so it never leaves
memory, is bounded, and forgets a person on erasure.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from nudgeguard.delivery.outbound import ModeratorAlert

#: How many cases' latest alerts are kept (the oldest go first).
REMEMBERED_ALERTS = 10_000


class RecentAlerts:
    """A bounded map of case id to the latest alert built for it."""

    def __init__(self, limit: int = REMEMBERED_ALERTS) -> None:
        """Keep at most ``limit`` cases' alerts."""
        self.limit = limit
        self._alerts: OrderedDict[str, ModeratorAlert] = OrderedDict()

    def remember(self, alert: ModeratorAlert) -> None:
        """Keep ``alert`` as its case's latest."""
        self._alerts[alert.case_id] = alert
        self._alerts.move_to_end(alert.case_id)
        while len(self._alerts) > self.limit:
            self._alerts.popitem(last=False)

    def latest(self, case_id: str) -> ModeratorAlert | None:
        """Return the latest alert of a case, if it is remembered."""
        return self._alerts.get(case_id)

    def forget_user(self, platform: str, user_id: str) -> None:
        """Forget the alerts that name a person (an erasure request)."""
        named = [c for c, a in self._alerts.items() if a.platform == platform and a.names(user_id)]
        for case_id in named:
            del self._alerts[case_id]

    def forget_matching(self, platform: str, matches: Callable[[str], bool]) -> int:
        """Forget the alerts naming anyone on ``platform`` whose id ``matches``; return how many.

        For erasures made by another process, known here only as a keyed token.
        """
        named = [
            c
            for c, a in self._alerts.items()
            if a.platform == platform and any(matches(p.user_id) for p in a.participants)
        ]
        for case_id in named:
            del self._alerts[case_id]
        return len(named)
