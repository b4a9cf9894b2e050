"""Turning stored rows into case models; shared by the SQLite and PostgreSQL stores.

Both drivers' rows (``sqlite3.Row``, ``asyncpg.Record``) are read by column name; list
columns are stored as JSON text in both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from nudgeguard.cases.model import (
    Case,
    CaseStatus,
    EvidenceMessage,
    Outcome,
    Severity,
    severity_rank,
)
from nudgeguard.cases.store import OutboxItem, OutboxRecord


@lru_cache(maxsize=4096)
def json_list(items: tuple[str, ...]) -> str:
    """Return ``items`` as a JSON array, the stored form of list columns.

    Cached: the same few signal, stage and action lists are written over and over, and
    ``json.dumps`` of even an empty list costs about a microsecond.
    """
    return json.dumps(list(items))


@lru_cache(maxsize=4096)
def parse_list(text: str) -> tuple[str, ...]:
    """Return a stored JSON array as a tuple (cached, see :func:`json_list`)."""
    return tuple(json.loads(text))


#: The ``cases`` columns an append rewrites, in the order both stores' UPDATE lists them.
APPENDED_COLUMNS = ("severity", "score", "signals", "stages", "updated_at")


def appended(
    row: Any,
    severity: Severity | None,
    score: float | None,
    signals: Iterable[str],
    stages: Iterable[str],
    now: float,
) -> dict[str, Any]:
    """Return a ``cases`` row as an append leaves it (both stores write the same).

    The severity is only ever raised, the score is the highest seen, and signals and
    stages are united with those already recorded.
    """
    current = Severity(row["severity"])
    if severity is None or severity_rank(severity) <= severity_rank(current):
        severity = current
    return {
        **dict(row),
        "severity": severity.value,
        "score": max(row["score"], score or 0.0),
        "signals": json_list(tuple(sorted({*parse_list(row["signals"]), *signals}))),
        "stages": json_list(tuple(sorted({*parse_list(row["stages"]), *stages}))),
        "updated_at": now,
    }


def evidence_from_row(row: Any) -> EvidenceMessage:
    """Return an evidence message from an ``evidence`` row."""
    return EvidenceMessage(
        message_id=row["message_id"],
        author=row["author"],
        ts=row["ts"],
        text=row["text"],
        signals=parse_list(row["signals"]),
        attachment_count=row["attachment_count"],
        edited=bool(row["edited"]),
        deleted=bool(row["deleted"]),
    )


def case_from_row(row: Any, evidence: Iterable[Any] = ()) -> Case:
    """Return a case from a ``cases`` row and its ``evidence`` rows (if wanted)."""
    return Case(
        id=row["id"],
        platform=row["platform"],
        community_id=row["community_id"],
        conversation_id=row["conversation_id"],
        subject=row["subject"],
        target=row["target"],
        severity=Severity(row["severity"]),
        status=CaseStatus(row["status"]),
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
        score=row["score"],
        signals=parse_list(row["signals"]),
        stages=parse_list(row["stages"]),
        reasons=parse_list(row["reasons"]),
        opened_at=row["opened_at"],
        updated_at=row["updated_at"],
        evidence=tuple(evidence_from_row(e) for e in evidence),
    )


def outbox_item_from_row(row: Any) -> OutboxItem:
    """Return a deliverable item from an ``outbox`` row."""
    return OutboxItem(
        row["id"],
        row["case_id"],
        row["target"],
        row["kind"],
        row["payload"],
        row["attempts"],
        row["next_at"],
    )


def outbox_record_from_row(row: Any) -> OutboxRecord:
    """Return an outbox row's status record (no payload)."""
    return OutboxRecord(
        id=row["id"],
        case_id=row["case_id"],
        target=row["target"],
        kind=row["kind"],
        status=row["status"],
        attempts=row["attempts"],
        next_at=row["next_at"],
        created_at=row["created_at"],
        done_at=row["done_at"],
        last_error=row["last_error"],
    )


def case_values(case: Case) -> tuple[Any, ...]:
    """Return a case as the column values of a ``cases`` row, in table order."""
    return (
        case.id,
        case.platform,
        case.community_id,
        case.conversation_id,
        case.subject,
        case.target,
        case.severity.value,
        case.status.value,
        case.outcome.value if case.outcome else None,
        case.score,
        json_list(case.signals),
        json_list(case.stages),
        json_list(case.reasons),
        case.opened_at,
        case.updated_at,
    )


#: What an erased person's platform id is replaced by in other people's messages.
ERASED_MENTION = "[erased]"
#: Ids shorter than this are never scrubbed from text (no platform issues ids that short;
#: a one-character "id" would blank unrelated words).
MIN_SCRUBBED_ID = 5


def scrub_id(text: str, user_id: str) -> str:
    """Return ``text`` with every whole-token occurrence of ``user_id`` blanked.

    Covers mention markup of every platform (``<@123>``, ``<@!123>``, ``<@U123|name>``)
    and the bare id, but not an id that is part of a longer word or number.
    """
    if len(user_id) < MIN_SCRUBBED_ID or user_id not in text:
        return text
    pattern = r"(?<![0-9A-Za-z])" + re.escape(user_id) + r"(?![0-9A-Za-z])"
    return re.sub(pattern, ERASED_MENTION, text)
