"""Numbers for the transparency report, per community, from the case store."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from nudgeguard.cases.model import CaseEvent, CaseStatus, Outcome
from nudgeguard.cases.store import AuditLog, CaseRecords, ObservationStore
from nudgeguard.policy.decisions import decision_of, summary


class ReportStore(CaseRecords, AuditLog, ObservationStore, Protocol):
    """What the report reads: cases, feedback, audit events and observations."""


#: Audit kinds that mean a moderator has looked at and acted on a case.
DECISIONS = ("acknowledged", "confirmed", "dismissed", "resolved")


@dataclass(frozen=True, slots=True)
class SignalPrecision:
    """Moderator verdicts on cases that carried one signal."""

    signal: str
    confirmed: int
    false_positive: int

    @property
    def decided(self) -> int:
        """Return how many decisions there were."""
        return self.confirmed + self.false_positive

    @property
    def precision(self) -> float | None:
        """Return the share confirmed, or None without decisions."""
        return self.confirmed / self.decided if self.decided else None


@dataclass(slots=True)
class CommunityReport:
    """One community's numbers for the period."""

    community_id: str
    platform: str = ""
    nudges: int = 0
    nudges_by_signal: Counter[str] = field(default_factory=Counter)
    nudges_by_family: Counter[str] = field(default_factory=Counter)
    sender_warnings: int = 0
    observed_only: int = 0
    cases_opened: int = 0
    cases_by_severity: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    ack_seconds: list[float] = field(default_factory=list)
    precision: list[SignalPrecision] = field(default_factory=list)
    #: "would have: ACTION" (observe mode) and "held back: ACTION" (caps, hard lines).
    would_have: Counter[str] = field(default_factory=Counter)
    #: Held-back reasons ("3-a-day cap", ...), by reason.
    held_back: Counter[str] = field(default_factory=Counter)
    #: Week (the Monday, YYYY-MM-DD, UTC) -> counts of nudges, cases, would-have, held back.
    weekly: dict[str, Counter[str]] = field(default_factory=dict)

    def week(self, ts: float) -> Counter[str]:
        """Return the counters of the week holding ``ts``."""
        day = datetime.fromtimestamp(ts, UTC).date()
        monday = (day - timedelta(days=day.weekday())).isoformat()
        return self.weekly.setdefault(monday, Counter())

    @property
    def median_ack_seconds(self) -> float | None:
        """Return the median time from opening to a moderator's first action."""
        return statistics.median(self.ack_seconds) if self.ack_seconds else None

    @property
    def dismissed_share(self) -> float | None:
        """Return the share of decided cases dismissed as false positives."""
        decided = self.outcomes["confirmed"] + self.outcomes["false_positive"]
        decided += self.outcomes["no_action"]
        return self.outcomes["false_positive"] / decided if decided else None


def _outcome(status: CaseStatus, outcome: Outcome | None) -> str:
    if outcome is not None:
        return outcome.value
    return "awaiting review" if status is CaseStatus.OPEN else "in review"


def _ack_delay(events: list[CaseEvent]) -> float | None:
    opened = next((e.ts for e in events if e.kind == "opened"), None)
    acted = next((e.ts for e in events if e.kind in DECISIONS), None)
    if opened is None or acted is None:
        return None
    return max(0.0, acted - opened)


async def collect(
    store: ReportStore, since: float, until: float | None = None
) -> list[CommunityReport]:
    """Return one report per community with activity in ``[since, until)``."""
    end = float("inf") if until is None else until
    reports: dict[str, CommunityReport] = {}

    def of(community: str) -> CommunityReport:
        return reports.setdefault(community, CommunityReport(community))

    for obs in await store.observations(since=since):
        if obs.ts >= end:
            continue
        r = of(obs.community_id)
        r.platform = obs.platform
        recorded = decision_of(obs)
        if recorded is not None:
            r.would_have.update(summary([recorded]))
            r.held_back.update(p.held_back.split(":")[0] for p in recorded.held_back)
            week = r.week(obs.ts)
            week["held back"] += len(recorded.held_back)
            if obs.mode == "observe":
                week["would have"] += len(recorded.would_have)
        if obs.mode != "live":
            r.observed_only += 1
            continue
        if "nudge_child" in obs.actions:
            r.nudges += 1
            r.week(obs.ts)["nudges"] += 1
            r.nudges_by_signal.update(obs.signals)
            r.nudges_by_family[obs.family or "generic"] += 1
        if "warn_sender" in obs.actions:
            r.sender_warnings += 1
    events_by_case: dict[str, list[CaseEvent]] = {}
    for e in await store.events():
        events_by_case.setdefault(e.case_id, []).append(e)
    for case in await store.list_cases():
        events = events_by_case.get(case.id, [])
        opened = next((e.ts for e in events if e.kind == "opened"), case.opened_at)
        if not since <= opened < end:
            continue
        r = of(case.community_id)
        r.platform = r.platform or case.platform
        r.cases_opened += 1
        r.week(opened)["cases"] += 1
        r.cases_by_severity[case.severity.value] += 1
        r.outcomes[_outcome(case.status, case.outcome)] += 1
        delay = _ack_delay(events)
        if delay is not None:
            r.ack_seconds.append(delay)
    verdicts: dict[str, dict[str, Counter[str]]] = {}
    for f in await store.feedback(since=since):
        if f.ts < end:
            verdicts.setdefault(f.community_id, {}).setdefault(f.signal, Counter())[f.verdict] += 1
    for community, by_signal in verdicts.items():
        of(community).precision = sorted(
            (SignalPrecision(s, c["confirmed"], c["false_positive"]) for s, c in by_signal.items()),
            key=lambda p: (-p.decided, p.signal),
        )
    return [reports[k] for k in sorted(reports)]
