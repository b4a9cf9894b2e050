"""Compact JSON encodings of working-memory objects for a shared store.

Short keys keep a pair's record near 150 bytes. Python's ``json`` writes floats with
``repr`` precision, so a value read back is bit-identical to the one written: a process
that resumes from the shared store makes exactly the decisions the first one would have.
Every record carries ``at``, the event time of its last write, so that expiry follows event
time as :class:`~nudgeguard.state.store.MemoryStateStore` does (replays of old transcripts).
"""

from __future__ import annotations

import json
import logging
from collections import deque
from typing import Any

from nudgeguard.inbox.events import AgeBand, AgeSource
from nudgeguard.state.store import (
    MAX_PARTICIPANTS,
    AgeInference,
    ChildState,
    ConversationState,
    EvidenceItem,
    PairState,
    RecentSet,
)

log = logging.getLogger(__name__)

_SEP = (",", ":")

# What decoding a record of the wrong shape raises (a hand edit, another version's format).
SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


_ENCODER = json.JSONEncoder(separators=_SEP)


def dumps(value: object) -> str:
    """Return compact JSON (ASCII: lone surrogates in odd input cannot break a write)."""
    return _ENCODER.encode(value)


def pair_dump(s: PairState, at: float) -> str:
    """Encode a pair's risk state (the learned running score only once it has lines)."""
    d: dict[str, Any] = {
        "s": s.scores,
        "c": s.signal_counts,
        "f": s.first_ts,
        "l": s.last_ts,
        "m": s.messages,
        "q": s.questions,
        "r": s.replies,
        "n": s.nudged,
        "w": s.warned_at,
        "k": s.case_id,
        "v": s.case_severity,
        "at": at,
    }
    if s.learned_lines:
        d["ls"], d["ll"] = round(s.learned_sum, 2), s.learned_lines
        d["lc"] = round(s.conversation_sum, 2)
    return dumps(d)


def pair_load(d: dict[str, Any]) -> PairState:
    """Decode a pair's risk state."""
    return PairState(
        scores={k: float(v) for k, v in (d.get("s") or {}).items()},
        signal_counts={k: int(v) for k, v in (d.get("c") or {}).items()},
        first_ts=float(d.get("f", 0.0)),
        last_ts=float(d.get("l", 0.0)),
        messages=int(d.get("m", 0)),
        questions=int(d.get("q", 0)),
        replies=int(d.get("r", 0)),
        nudged={k: float(v) for k, v in (d.get("n") or {}).items()},
        warned_at=float(d.get("w", -1.0)),
        case_id=d.get("k") or None,
        case_severity=d.get("v") or None,
        learned_sum=float(d.get("ls", 0.0)),
        learned_lines=int(d.get("ll", 0)),
        conversation_sum=float(d.get("lc", 0.0)),
    )


def age_dump(a: AgeInference, at: float) -> str:
    """Encode an age inference."""
    return dumps({"b": a.band.value, "s": a.source.value, "c": a.confidence, "at": at})


def age_load(d: dict[str, Any]) -> AgeInference:
    """Decode an age inference."""
    return AgeInference(AgeBand(d["b"]), AgeSource(d["s"]), float(d["c"]))


def child_dump(c: ChildState, at: float) -> str:
    """Encode a person's nudge history."""
    return dumps({"t": c.nudge_times, "o": c.opted_out_until, "at": at})


def child_load(d: dict[str, Any]) -> ChildState:
    """Decode a person's nudge history (times sorted, as the engine appends them)."""
    return ChildState(
        nudge_times=sorted(float(t) for t in d.get("t") or []),
        opted_out_until=float(d.get("o", 0.0)),
    )


def conv_dump(c: ConversationState, at: float) -> str:
    """Encode a conversation's speakers and participants (the window is a list of its own)."""
    return dumps({"sp": c.speakers, "pa": list(c.participants)[-MAX_PARTICIPANTS:], "at": at})


def conv_load(d: dict[str, Any], items: list[EvidenceItem], maxlen: int) -> ConversationState:
    """Decode a conversation's meta record; ``items`` is its decoded evidence window."""
    return ConversationState(
        speakers=[str(s) for s in d.get("sp") or []],
        window=deque(items, maxlen=maxlen),
        participants=RecentSet(str(p) for p in d.get("pa") or []),
    )


def item_dump(i: EvidenceItem) -> str:
    """Encode one evidence-window message."""
    return dumps(
        [
            i.message_id,
            i.author_id,
            i.ts,
            i.text,
            i.signals,
            i.attachment_count,
            i.edited,
            i.deleted,
            i.to,
        ]
    )


def item_load(raw: str) -> EvidenceItem:
    """Decode one evidence-window message."""
    m, a, ts, text, sig, att, ed, de, *rest = json.loads(raw)
    if len(rest) > 1:
        raise ValueError("too many fields")
    to = str(rest[0]) if rest and rest[0] is not None else None  # absent in older records
    return EvidenceItem(m, a, float(ts), text, tuple(sig), int(att), bool(ed), bool(de), to=to)


def items_load(raw: list[Any]) -> list[EvidenceItem]:
    """Decode an evidence window, leaving out items that are not valid encodings."""
    items = []
    for one in raw:
        try:
            items.append(item_load(one))
        except SHAPE_ERRORS:  # not JSON, or not the eight (or nine) fields
            continue
    return items


def item_fingerprint(i: EvidenceItem) -> tuple[object, ...]:
    """Return the mutable fields of an item, to notice edits and deletes since a flush."""
    return (i.text, i.signals, i.edited, i.deleted)


def note_unreadable(kind: str) -> None:
    """Log (kind only, never content) that a record could not be read and starts afresh."""
    log.warning("an unreadable %s record in Redis was started afresh", kind)


def record(kind: str, data: Any) -> dict[str, Any]:
    """Return a record's JSON object; {} (logged) when it is not one."""
    if not data:
        return {}
    try:
        decoded = json.loads(data)
        if isinstance(decoded, dict):
            float(decoded.get("at", 0.0))
            return decoded
    except SHAPE_ERRORS:
        pass
    note_unreadable(kind)
    return {}


def item_author(raw: Any) -> str | None:
    """Return the author of an encoded evidence item, None when it cannot be read."""
    items = items_load([raw])
    return items[0].author_id if items else None


def version(raw: Any) -> int:
    """Return a record's version number, 0 when it is missing or not a number."""
    try:
        return int(raw or 0)
    except (TypeError, ValueError):
        return 0
