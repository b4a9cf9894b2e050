"""The latest alert and decision of each recent case, as this process saw them (memory only).

Moderation re-draws an alert from it after a button press, and a child's Report adds to
it, without reading the platform's post back. It also keeps the latest decision taken in
this process with the platform id of the moderator who pressed, which the store never
keeps: the outbox adds it to the decision's queued update, so the post says who decided.
It holds platform ids, so it never leaves memory, is bounded, and forgets a person on
erasure; after a restart the post says "a moderator".
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from nudgeguard.delivery.outbound import AlertDecision, ModeratorAlert

#: How many cases' latest alerts are kept (the oldest go first).
REMEMBERED_ALERTS = 10_000


class RecentAlerts:
    """A bounded map of case id to the latest alert built for it."""

    def __init__(self, limit: int = REMEMBERED_ALERTS) -> None:
        """Keep at most ``limit`` cases' alerts."""
        self.limit = limit
        self._alerts: OrderedDict[str, ModeratorAlert] = OrderedDict()
        #: case id -> (platform, latest decision taken here, with who pressed).
        self._decisions: OrderedDict[str, tuple[str, AlertDecision]] = OrderedDict()

    def remember(self, alert: ModeratorAlert) -> None:
        """Keep ``alert`` as its case's latest."""
        self._alerts[alert.case_id] = alert
        self._alerts.move_to_end(alert.case_id)
        while len(self._alerts) > self.limit:
            self._alerts.popitem(last=False)

    def latest(self, case_id: str) -> ModeratorAlert | None:
        """Return the latest alert of a case, if it is remembered."""
        return self._alerts.get(case_id)

    def remember_decision(self, case_id: str, platform: str, decision: AlertDecision) -> None:
        """Keep the latest decision taken here on a case (with who pressed)."""
        self._decisions[case_id] = (platform, decision)
        self._decisions.move_to_end(case_id)
        while len(self._decisions) > self.limit:
            self._decisions.popitem(last=False)

    def decision(self, case_id: str) -> AlertDecision | None:
        """Return the latest decision taken here on a case, if it is remembered."""
        kept = self._decisions.get(case_id)
        return None if kept is None else kept[1]

    def forget_user(self, platform: str, user_id: str) -> None:
        """Forget the alerts that name a person (an erasure request)."""
        named = [c for c, a in self._alerts.items() if a.platform == platform and a.names(user_id)]
        for case_id in named:
            del self._alerts[case_id]
        self._forget_deciders(platform, lambda uid: uid == user_id)

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
        return len(named) + self._forget_deciders(platform, matches)

    def _forget_deciders(self, platform: str, matches: Callable[[str], bool]) -> int:
        """Forget the decisions of moderators on ``platform`` whose id ``matches``."""
        named = [
            c
            for c, (p, d) in self._decisions.items()
            if p == platform and d.moderator_id is not None and matches(d.moderator_id)
        ]
        for case_id in named:
            del self._decisions[case_id]
        return len(named)
