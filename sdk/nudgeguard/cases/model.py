"""Case records: what moderators review and what an auditor checks."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    """How urgent a case is. Ordered: compare with :func:`severity_rank`."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


_SEVERITY_ORDER = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


def severity_rank(severity: Severity) -> int:
    """Return an integer that orders severities (low=0 ... critical=3)."""
    return _SEVERITY_ORDER[severity]


class CaseStatus(StrEnum):
    """Lifecycle: open -> acknowledged -> resolved or dismissed."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class Outcome(StrEnum):
    """Why a case was closed."""

    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    NO_ACTION = "no_action"


def closing_status(outcome: Outcome) -> CaseStatus:
    """Return the status a case closes with: dismissed for false positives, else resolved."""
    return CaseStatus.DISMISSED if outcome is Outcome.FALSE_POSITIVE else CaseStatus.RESOLVED


class EvidenceMessage(BaseModel):
    """One message of a case's evidence window, as stored.

    ``author`` is a pseudonym. Attachments are counted, never kept.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_id: str
    author: str
    ts: float
    text: str
    signals: tuple[str, ...] = ()
    attachment_count: int = 0
    deleted: bool = False
    edited: bool = False


class CaseEvent(BaseModel):
    """One audit event on a case."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    case_id: str
    ts: float
    kind: str
    actor: str
    detail: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    hash: str = ""


class Case(BaseModel):
    """A moderator case about one person (subject) and one person at risk (target).

    ``subject`` and ``target`` are pseudonyms; the platform ids are never stored.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    platform: str
    community_id: str
    conversation_id: str
    subject: str
    target: str
    severity: Severity
    status: CaseStatus = CaseStatus.OPEN
    outcome: Outcome | None = None
    score: float = 0.0
    signals: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    opened_at: float
    updated_at: float
    evidence: tuple[EvidenceMessage, ...] = ()
