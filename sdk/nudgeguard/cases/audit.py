"""The audit hash chain, independent of any database.

Every case event is one row. Each row's hash covers the previous row's hash, its sequence
number, case id, time, kind and detail, and a *commitment* to its actor:
``sha256(salt || actor)`` with a random per-row salt. The actor itself is not hashed into
the chain. That is what lets a privacy erasure remove a person's pseudonym from old rows
without breaking verification: erasure blanks the actor and the salt, keeps the
commitment, and lists the redacted row numbers in a new (chained) ``erased`` row.

:func:`verify_rows` checks a whole chain; stores call it with their rows so every backend
verifies the same way.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64
#: Actor value of a row whose actor was erased.
ERASED_ACTOR = "[erased]"
#: Case id of audit rows about the whole store (erasures).
STORE_WIDE = "*"
#: Audit kind of the row that lists redacted rows.
ERASURE_KIND = "erased"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first broken link of the audit chain."""

    seq: int
    reason: str


def new_salt() -> str:
    """Return a fresh random salt for one row's actor commitment."""
    return secrets.token_hex(16)


def commit_actor(salt: str, actor: str) -> str:
    """Return the commitment to an actor: sha256 of salt, a NUL byte and the actor, in hex."""
    return hashlib.sha256(f"{salt}\x00{actor}".encode()).hexdigest()


# The same settings as json.dumps(..., separators=(",", ":"), ensure_ascii=False) (and
# sort_keys), built once: json.dumps with any non-default argument constructs an encoder
# per call, which was a third of the cost of writing an audit row.
_DETAIL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_LINK_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def canonical_detail(detail: dict[str, object]) -> str:
    """Return the canonical JSON text of an event's detail (sorted keys, no spaces)."""
    return _DETAIL_JSON.encode(detail)


def link_hash(
    prev: str, seq: int, case_id: str, ts: float, kind: str, actor_commit: str, detail: str
) -> str:
    """Return the hash of one audit row chained to the previous row's hash.

    Args:
        prev: Hash of the previous row (:data:`GENESIS` for the first).
        seq: 1-based row number.
        case_id: Case of the event (:data:`STORE_WIDE` for store-wide events).
        ts: Unix time of the event.
        kind: Event kind.
        actor_commit: :func:`commit_actor` of the actor.
        detail: :func:`canonical_detail` of the event's detail.
    """
    body = _LINK_JSON.encode([prev, seq, case_id, repr(float(ts)), kind, actor_commit, detail])
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One stored audit row, as every backend keeps it."""

    seq: int
    case_id: str
    ts: float
    kind: str
    actor: str
    salt: str
    actor_commit: str
    detail: str
    prev_hash: str
    hash: str

    @property
    def redacted(self) -> bool:
        """Return True if an erasure blanked this row's actor."""
        return self.actor == ERASED_ACTOR and self.salt == ""


def make_row(
    prev: str, seq: int, case_id: str, ts: float, kind: str, actor: str, detail: dict[str, object]
) -> AuditRow:
    """Return a new, correctly chained audit row."""
    salt = new_salt()
    commit = commit_actor(salt, actor)
    body = canonical_detail(detail)
    digest = link_hash(prev, seq, case_id, ts, kind, commit, body)
    return AuditRow(seq, case_id, float(ts), kind, actor, salt, commit, body, prev, digest)


def redacted_seqs(row: AuditRow) -> set[int]:
    """Return the row numbers an ``erased`` row declares redacted."""
    if row.kind != ERASURE_KIND:
        return set()
    try:
        listed = json.loads(row.detail).get("redacted_rows", "")
    except (ValueError, AttributeError):
        return set()
    return {int(n) for n in str(listed).split(",") if n.strip().isdigit()}


def verify_rows(rows: Iterable[AuditRow], head: str | None) -> ChainBreak | None:
    """Return the first broken link of a chain, or None when it is intact.

    Args:
        rows: All audit rows, ordered by ``seq``.
        head: The stored ``"seq:hash"`` of the last row written, if any; it reveals rows
            removed from the end.
    """
    prev, expected = GENESIS, 1
    pending_redactions: set[int] = set()
    for r in rows:
        if r.seq != expected:
            return ChainBreak(expected, f"row {expected} is missing")
        if r.prev_hash != prev:
            return ChainBreak(r.seq, "does not link to the previous row")
        digest = link_hash(prev, r.seq, r.case_id, r.ts, r.kind, r.actor_commit, r.detail)
        if digest != r.hash:
            return ChainBreak(r.seq, "content was altered")
        if r.redacted:
            pending_redactions.add(r.seq)
        elif commit_actor(r.salt, r.actor) != r.actor_commit:
            return ChainBreak(r.seq, "actor was altered")
        pending_redactions -= redacted_seqs(r)
        prev, expected = r.hash, expected + 1
    if pending_redactions:
        first = min(pending_redactions)
        return ChainBreak(first, "actor blanked without a recorded erasure")
    last = expected - 1
    if head is not None and head != f"{last}:{prev}":
        return ChainBreak(last + 1, "rows after this point were removed")
    if head is None and last > 0:
        return ChainBreak(last + 1, "the chain head record is missing")
    return None
