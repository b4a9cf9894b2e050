"""Policy packs and the policy engine."""

from nudgeguard.policy.engine import Decision, PlannedAction, PolicyEngine
from nudgeguard.policy.loader import (
    PolicyError,
    PolicyIssue,
    builtin_names,
    load_policy,
    parse_policy,
    schema_json,
)
from nudgeguard.policy.model import LEVEL_ORDER, Level, PolicyPack

__all__ = [
    "LEVEL_ORDER",
    "Decision",
    "Level",
    "PlannedAction",
    "PolicyEngine",
    "PolicyError",
    "PolicyIssue",
    "PolicyPack",
    "builtin_names",
    "load_policy",
    "parse_policy",
    "schema_json",
]
