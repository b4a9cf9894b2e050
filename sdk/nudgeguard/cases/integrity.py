"""What the audit chain commits to beyond its own rows: each case and its evidence.

The chain (:mod:`nudgeguard.cases.audit`) proves its rows were not edited, removed or
reordered. That alone says nothing about the ``cases`` and ``evidence`` tables moderators
read. So every audit row that changes what a moderator relies on carries, in its (hashed)
detail, digests of the case as that write left it:

- ``state``: the case row's moderator-facing fields (platform, community, conversation,
  subject, target, severity, status, outcome), see :func:`state_digest`;
- ``evidence_digest``: every evidence message (id, author, time, text, attachment
  count), folded in position order, see :func:`fold`. Appends extend it incrementally.

:func:`check_cases` compares the tables with the newest digests the chain holds, and
names every case that was deleted, edited, whose evidence was rewritten or removed, or
whose rows cannot be read at all. Both stores call it, so they verify the same way.
Fields a store updates without an audit row (score, signal list, timestamps, the
edited/deleted flags of a message) are deliberately not committed to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nudgeguard.cases.audit import STORE_WIDE, AuditRow

#: Detail key of the case-row digest.
STATE_KEY = "state"
#: Detail key of the evidence digest.
EVIDENCE_KEY = "evidence_digest"
#: Evidence digest of a case without messages.
EMPTY = "0" * 64

_STATE_FIELDS = (
    "id",
    "platform",
    "community_id",
    "conversation_id",
    "subject",
    "target",
    "severity",
    "status",
    "outcome",
)
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class CaseDamage:
    """A case whose stored rows do not match what the audit chain committed to."""

    case_id: str
    problem: str


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def state_digest(row: Any) -> str:
    """Return the digest of a ``cases`` row's moderator-facing fields."""
    return _sha(_JSON.encode([row[f] or "" for f in _STATE_FIELDS]))


def message_digest(row: Any) -> str:
    """Return the digest of one evidence row (or :class:`EvidenceMessage`-like mapping)."""
    fields = [
        row["message_id"],
        row["author"],
        repr(float(row["ts"])),
        row["text"],
        int(row["attachment_count"]),
    ]
    return _sha(_JSON.encode(fields))


def fold(prev: str, rows: Iterable[Any]) -> str:
    """Extend an evidence digest with evidence rows, in position order."""
    for row in rows:
        prev = _sha(prev + message_digest(row))
    return prev


def commitments(state: str | None = None, evidence: str | None = None) -> dict[str, str]:
    """Return the detail entries that commit an audit row to a case's state."""
    out: dict[str, str] = {}
    if state is not None:
        out[STATE_KEY] = state
    if evidence is not None:
        out[EVIDENCE_KEY] = evidence
    return out


def latest_evidence_digest(details: Iterable[str]) -> str | None:
    """Return the newest evidence digest among a case's audit details (newest first).

    None when no row has one (a case written before digests existed).
    """
    for text in details:
        try:
            found = json.loads(text).get(EVIDENCE_KEY)
        except (ValueError, AttributeError):
            continue
        if isinstance(found, str):
            return found
    return None


@dataclass(slots=True)
class _Committed:
    opened: bool = False
    purged: bool = False
    state: str | None = None
    evidence: str | None = None


def committed(rows: Iterable[AuditRow]) -> dict[str, _Committed]:
    """Return, per case, the newest commitments found in the chain."""
    out: dict[str, _Committed] = {}
    for r in rows:
        if r.case_id == STORE_WIDE:
            continue
        c = out.setdefault(r.case_id, _Committed())
        if r.kind == "opened":
            c.opened, c.purged = True, False
        elif r.kind == "purged":
            c.purged = True
        try:
            detail = json.loads(r.detail)
        except ValueError:
            continue
        if not isinstance(detail, dict):
            continue
        if isinstance(detail.get(STATE_KEY), str):
            c.state = detail[STATE_KEY]
        if isinstance(detail.get(EVIDENCE_KEY), str):
            c.evidence = detail[EVIDENCE_KEY]
    return out


def check_cases(
    audit: Iterable[AuditRow],
    cases: Mapping[str, Any],
    evidence_of: Callable[[str], Iterable[Any]],
    unreadable: tuple[type[BaseException], ...] = (),
) -> list[CaseDamage]:
    """Return every case whose rows differ from what the chain committed to.

    Args:
        audit: All audit rows, oldest first.
        cases: Case rows by id (``cases`` table).
        evidence_of: Returns a case's evidence rows in position order.
        unreadable: Driver errors that mean a row cannot be read (damaged storage).
    """
    damage: list[CaseDamage] = []
    chain = committed(audit)
    for case_id, c in sorted(chain.items()):
        row = cases.get(case_id)
        if not c.opened:
            continue
        if c.purged:
            if row is not None:
                damage.append(CaseDamage(case_id, "a purged case is back in the store"))
            continue
        if row is None:
            damage.append(CaseDamage(case_id, "the case row was deleted"))
            continue
        if c.state is not None and state_digest(row) != c.state:
            damage.append(
                CaseDamage(
                    case_id, "the case row was altered (status, severity, outcome or people)"
                )
            )
        if c.evidence is None:
            continue
        try:
            digest = fold(EMPTY, evidence_of(case_id))
        except unreadable as exc:
            damage.append(CaseDamage(case_id, f"its evidence cannot be read ({exc})"))
            continue
        if digest != c.evidence:
            damage.append(CaseDamage(case_id, "its evidence was altered, added to or removed"))
    for case_id in sorted(set(cases) - {k for k, c in chain.items() if c.opened}):
        damage.append(CaseDamage(case_id, "the case is not in the audit chain"))
    return damage
