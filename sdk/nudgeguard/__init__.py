"""nudgeguard: private safety nudges for children and evidence-backed moderator cases.

This module is the public API: adapters import from here (and tests from
``nudgeguard.testing``) and nothing else of the core; CI checks it (import-linter).
"""

from typing import TYPE_CHECKING, Any

from nudgeguard.adapter import Adapter
from nudgeguard.cases import Case, CaseStatus, Severity
from nudgeguard.cases.model import EvidenceMessage, Outcome
from nudgeguard.countries import country_code
from nudgeguard.delivery.case_alert import decision_line
from nudgeguard.delivery.helpline_country import HelplineCountries, region_of
from nudgeguard.delivery.nudges import Catalog, Helpline, catalog, child_helpline, in_locale
from nudgeguard.delivery.outbound import (
    AlertDecision,
    Capabilities,
    Delivery,
    ModeratorAction,
    ModeratorAlert,
    ModeratorNotice,
    Nudge,
    NudgeAction,
    NudgeButton,
    TransientDeliveryError,
    UndeliverableError,
)
from nudgeguard.inbox.events import (
    AgeBand,
    AgeSource,
    ConversationKind,
    EventType,
    MessageEvent,
    Participant,
)
from nudgeguard.inbox.handle import EngineHandle, EventInbox
from nudgeguard.legend import signal_name, stage_label
from nudgeguard.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, choose_locale, supported
from nudgeguard.moderation_results import CheckResult, ModerationResult, Status
from nudgeguard.pipeline.detectors import Detector
from nudgeguard.pipeline.signals import Signal
from nudgeguard.responses import NudgeResponse
from nudgeguard.version import __version__

if TYPE_CHECKING:
    from nudgeguard.app import build_engine
    from nudgeguard.config import ConfigError, load_config

#: Loaded on first use: they pull in the engine and the stores.
_LAZY = {
    "build_engine": "nudgeguard.app",
    "ConfigError": "nudgeguard.config",
    "load_config": "nudgeguard.config",
}


def __getattr__(name: str) -> Any:
    """Import the heavier public names (engine building, config loading) on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nudgeguard' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "DEFAULT_LOCALE",
    "SUPPORTED_LOCALES",
    "Adapter",
    "AgeBand",
    "AgeSource",
    "AlertDecision",
    "Capabilities",
    "Case",
    "CaseStatus",
    "Catalog",
    "CheckResult",
    "ConfigError",
    "ConversationKind",
    "Delivery",
    "Detector",
    "EngineHandle",
    "EventInbox",
    "EventType",
    "EvidenceMessage",
    "Helpline",
    "HelplineCountries",
    "MessageEvent",
    "ModerationResult",
    "ModeratorAction",
    "ModeratorAlert",
    "ModeratorNotice",
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
    "build_engine",
    "catalog",
    "child_helpline",
    "choose_locale",
    "country_code",
    "decision_line",
    "in_locale",
    "load_config",
    "region_of",
    "signal_name",
    "stage_label",
    "supported",
]
