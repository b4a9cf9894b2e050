"""nudgeguard: private safety nudges for children and evidence-backed moderator cases."""

from nudgeguard.adapter import (
    Adapter,
    Capabilities,
    Delivery,
    ModeratorAction,
    ModeratorAlert,
    Nudge,
    NudgeAction,
    NudgeButton,
    TransientDeliveryError,
    UndeliverableError,
)
from nudgeguard.cases import Case, CaseStatus, Severity
from nudgeguard.cases.model import EvidenceMessage, Outcome
from nudgeguard.detectors import Detector
from nudgeguard.events import (
    AgeBand,
    AgeSource,
    ConversationKind,
    EventType,
    MessageEvent,
    Participant,
)
from nudgeguard.handle import EngineHandle, EventInbox
from nudgeguard.moderation import CheckResult, ModerationResult, Status
from nudgeguard.responses import NudgeResponse
from nudgeguard.signals import Signal

__version__ = "0.1.0"

__all__ = [
    "Adapter",
    "AgeBand",
    "AgeSource",
    "Capabilities",
    "Case",
    "CaseStatus",
    "CheckResult",
    "ConversationKind",
    "Delivery",
    "Detector",
    "EngineHandle",
    "EventInbox",
    "EventType",
    "EvidenceMessage",
    "MessageEvent",
    "ModerationResult",
    "ModeratorAction",
    "ModeratorAlert",
    "Nudge",
    "NudgeAction",
    "NudgeButton",
    "NudgeResponse",
    "Outcome",
    "Participant",
    "Severity",
    "Signal",
    "Status",
    "TransientDeliveryError",
    "UndeliverableError",
    "__version__",
]
