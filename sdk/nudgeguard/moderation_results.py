"""What moderation answers an adapter or the console: frozen results of the engine's calls.

Apart from :mod:`nudgeguard.moderation` (which returns them) so the public API and the
engine handle can name them without the engine's parts.
"""

from __future__ import annotations

from dataclasses import dataclass

from nudgeguard.cases.model import Case, EvidenceMessage
from nudgeguard.delivery.outbound import AlertDecision, ModeratorAlert, Nudge


@dataclass(frozen=True, slots=True)
class ModerationResult:
    """The answer to a moderator's click.

    Attributes:
        accepted: False when refused (not a moderator, unknown case, case closed).
        case: The case after the action.
        evidence: The evidence window, only for an accepted ``show_evidence``.
        note: A short plain-words message to show the moderator.
        alert: The case's alert as it stands after an accepted action (its new status,
            every action the platform offers, the participants' ids, the decision with
            who made it), to re-draw the moderators' post from; None when this process
            does not hold it (a restart).
        decision: The case's latest decision taken in this process (who, what, when),
            also when ``alert`` is None: an adapter patching its post words the "Last
            action" line from it with ``decision_line``.
    """

    accepted: bool
    case: Case | None
    evidence: tuple[EvidenceMessage, ...] = ()
    note: str = ""
    alert: ModeratorAlert | None = None
    decision: AlertDecision | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer to a child's "Check this message"."""

    level: str
    nudge: Nudge | None
    case_id: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Status:
    """A community's safety status."""

    open_cases: int
    mode: str


__all__ = ["CheckResult", "ModerationResult", "Status"]
