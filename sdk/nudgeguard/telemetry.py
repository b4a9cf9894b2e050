"""Operational events: one structured log line per nudge, alert, case change and failure.

:func:`emit` writes a line through the ``nudgeguard.events`` logger (formatted as JSON or
``key=value`` text by :mod:`nudgeguard.logformat`) and counts it for the metrics endpoint
(:mod:`nudgeguard.metrics`). Fields are ids the bot made (case ids), keyed pseudonyms,
platform and community names, family names and counts: never message text, never a
platform user id, never a token. Callers pass pseudonyms, not ids.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Final

EVENTS: Final = logging.getLogger("nudgeguard.events")

#: Events counted so far in this process, by (event, label): read by the metrics endpoint.
COUNTS: Counter[tuple[str, str]] = Counter()

Field = str | int | float | bool | None

#: What each event's label is (a log field and the metric's label name).
LABELS = {
    "nudge": "audience",
    "nudge_held_back": "audience",
    "case_opened": "severity",
    "case_updated": "severity",
    "case_status": "status",
    "alert": "sink",
    "delivery_failed": "kind",
}


def emit(event: str, label: str = "", *, log_level: int = logging.INFO, **fields: Field) -> None:
    """Log one operational event and count it.

    Args:
        event: Event name: ``nudge``, ``nudge_held_back``, ``alert``, ``case_opened``,
            ``case_updated``, ``case_status``, ``delivery_failed``, ``decision_observed``.
        label: The label it is counted under (an audience, a kind), "" for none.
        log_level: Log level (failures are warnings).
        **fields: What happened; pseudonyms and bot-made ids only, never text.
    """
    COUNTS[(event, label)] += 1
    if EVENTS.isEnabledFor(log_level):
        named = {LABELS[event]: label} if label and event in LABELS else {}
        EVENTS.log(log_level, event, extra={"ng_fields": {"event": event, **named, **fields}})


def count(event: str) -> dict[str, int]:
    """Return the counts of one event, by label."""
    return {label: n for (name, label), n in COUNTS.items() if name == event}
