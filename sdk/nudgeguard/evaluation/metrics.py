"""Conversation-level metrics of a replay (the keys ``nudgeguard eval --json`` prints)."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median
from typing import Any

from nudgeguard.evaluation.replay import Outcome

#: Keys DESIGN.md fixes for ``nudgeguard eval --json`` (more may follow them).
KEYS = (
    "conversations",
    "grooming_conversations",
    "normal_conversations",
    "messages",
    "escalated_grooming",
    "escalated_normal",
    "recall",
    "precision",
    "f0_5",
    "median_messages_to_escalation",
    "child_nudged_grooming",
    "median_messages_to_child_nudge",
    "nudges_per_1k_normal_messages",
    "cases_per_1k_normal_messages",
    "subject_correct",
)


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _median(values: Sequence[int]) -> float | None:
    return float(median(values)) if values else None


def compute_metrics(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Return the metrics of a set of replayed conversations.

    ``recall`` is the share of grooming conversations in which a case opened;
    ``precision`` the share of conversations with a case that are grooming; ``f0_5``
    weighs precision twice as much as recall. ``child_nudged_grooming`` is the share of
    grooming conversations in which the child got a nudge; ``child_nudged_by_escalation``
    the share of escalated grooming conversations in which that nudge came at or before
    the case. Ratios are None when their denominator is zero.
    """
    grooming = [o for o in outcomes if o.label == "grooming"]
    normal = [o for o in outcomes if o.label != "grooming"]
    esc_g = [o for o in grooming if o.escalated_at is not None]
    esc_n = [o for o in normal if o.escalated_at is not None]
    normal_messages = sum(o.messages for o in normal)
    recall = _ratio(len(esc_g), len(grooming))
    precision = _ratio(len(esc_g), len(esc_g) + len(esc_n))
    f05 = None
    if recall is not None and precision is not None and (recall or precision):
        f05 = round(1.25 * precision * recall / (0.25 * precision + recall), 4)
    nudged = [o for o in grooming if o.child_nudged_at is not None]
    nudged_first = [
        o
        for o in esc_g
        if o.child_nudged_at is not None
        and o.escalated_at is not None
        and o.child_nudged_at <= o.escalated_at
    ]
    result: dict[str, Any] = {
        "conversations": len(outcomes),
        "grooming_conversations": len(grooming),
        "normal_conversations": len(normal),
        "messages": sum(o.messages for o in outcomes),
        "escalated_grooming": len(esc_g),
        "escalated_normal": len(esc_n),
        "recall": recall,
        "precision": precision,
        "f0_5": f05,
        "median_messages_to_escalation": _median([o.escalated_at for o in esc_g if o.escalated_at]),
        "child_nudged_grooming": _ratio(len(nudged), len(grooming)),
        "median_messages_to_child_nudge": _median(
            [o.child_nudged_at for o in nudged if o.child_nudged_at]
        ),
        "nudges_per_1k_normal_messages": _ratio(
            1000 * sum(o.nudges for o in normal), normal_messages
        ),
        "cases_per_1k_normal_messages": _ratio(
            1000 * sum(o.cases for o in normal), normal_messages
        ),
        "subject_correct": _ratio(sum(o.subject_truth == "suspect" for o in esc_g), len(esc_g)),
        "child_nudged_by_escalation": _ratio(len(nudged_first), len(esc_g)),
        "normal_messages": normal_messages,
        "escalated_normal_share": _ratio(len(esc_n), len(normal)),
        "errors": sum(o.errors for o in outcomes),
    }
    return result


def by_corpus(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    """Return the metrics of each corpus file separately."""
    names = sorted({o.corpus for o in outcomes})
    return {n: compute_metrics([o for o in outcomes if o.corpus == n]) for n in names}


def by_language(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    """Return the metrics of each language (the corpus line's ``lang``) separately."""
    names = sorted({o.lang for o in outcomes})
    return {n: compute_metrics([o for o in outcomes if o.lang == n]) for n in names}
