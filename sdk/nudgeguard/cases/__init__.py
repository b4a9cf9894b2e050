"""Cases: the persistent record moderators act on."""

from nudgeguard.cases.model import (
    Case,
    CaseEvent,
    CaseStatus,
    EvidenceMessage,
    Outcome,
    Severity,
    severity_rank,
)

__all__ = [
    "Case",
    "CaseEvent",
    "CaseStatus",
    "EvidenceMessage",
    "Outcome",
    "Severity",
    "severity_rank",
]
