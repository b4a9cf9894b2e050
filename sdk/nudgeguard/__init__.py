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
from nudgeguard.detectors import Detector
from nudgeguard.events import (
    AgeBand,
    AgeSource,
    ConversationKind,
    EventType,
    MessageEvent,
    Participant,
)
from nudgeguard.signals import Signal

__version__ = "0.1.0"

__all__ = [
    "Adapter",
    "AgeBand",
    "AgeSource",
    "Capabilities",
    "Case",
    "CaseStatus",
    "ConversationKind",
    "Delivery",
    "Detector",
    "EventType",
    "MessageEvent",
    "ModeratorAction",
    "ModeratorAlert",
    "Nudge",
    "NudgeAction",
    "NudgeButton",
    "Participant",
    "Severity",
    "Signal",
    "TransientDeliveryError",
    "UndeliverableError",
    "__version__",
]
