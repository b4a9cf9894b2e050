"""Data-subject requests: erasure and access (export) for one person.

A person is named as ``PLATFORM:ID``; the store only knows their keyed pseudonym, so the
pseudonymizer (same key as the bot) links the two.

Two safeguarding rules apply. Erasure is refused while the person is the *subject* of a
case that is still active or was confirmed (evidence may be needed by the police or a
hotline) unless the operator forces it. Access exports leave out cases in which the
person is the subject and that are active or confirmed, because telling a suspect about
a live case could tip them off; the operator is told how many were withheld and can
include them deliberately.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from nudgeguard.cases.bundle import iso, sha256_text
from nudgeguard.cases.model import Case, CaseStatus, Outcome
from nudgeguard.cases.store import AuditLog, CaseRecords, Erasure, PrivacyStore
from nudgeguard.privacy import Pseudonymizer


class RequestStore(CaseRecords, AuditLog, PrivacyStore, Protocol):
    """What data-subject requests need: a person's cases, erasure and the audit log."""


class ErasureHeld(Exception):
    """The person is the subject of cases that must be kept (active or confirmed)."""

    def __init__(self, held: list[str]) -> None:
        super().__init__(f"{len(held)} case(s) with this person as subject are on hold")
        self.held = held


def _held(case: Case, pseudonym: str) -> bool:
    """Return True if a case must be kept from this person and from erasure."""
    if case.subject != pseudonym:
        return False
    active = case.status in (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED)
    return active or case.outcome is Outcome.CONFIRMED


async def erase_user(
    store: RequestStore,
    pseudonyms: Pseudonymizer,
    platform: str,
    user_id: str,
    *,
    actor: str = "privacy-request",
    force: bool = False,
) -> Erasure:
    """Erase a person from the store (their messages, pseudonym and raw id).

    The store keeps the erasure's keyed token (not the pseudonym) in its audit record, so
    bots running elsewhere forget the person too (see :mod:`nudgeguard.erasure`).

    Raises:
        ErasureHeld: They are the subject of an active or confirmed case and ``force``
            is False.
    """
    pseudonym = pseudonyms.pseudonym(platform, user_id)
    held = [c.id for c in await store.cases_of(pseudonym) if _held(c, pseudonym)]
    if held and not force:
        raise ErasureHeld(held)
    return await store.erase_person(
        pseudonym,
        user_id,
        actor,
        platform=platform,
        token=pseudonyms.erasure_token(platform, user_id),
    )


@dataclass(frozen=True, slots=True)
class AccessExport:
    """The answer to an access request, and what was withheld from it."""

    data: dict[str, Any]
    withheld: list[str]


def _role(case: Case, pseudonym: str) -> str:
    if case.subject == pseudonym:
        return "subject"
    if case.target == pseudonym:
        return "person at risk"
    return "participant"


async def export_user(
    store: RequestStore,
    pseudonyms: Pseudonymizer,
    platform: str,
    user_id: str,
    *,
    actor: str = "privacy-request",
    include_withheld: bool = False,
) -> AccessExport:
    """Return what the store holds about a person: their cases and their own messages.

    Other people's messages are not included (they are other people's data). Each case
    looked at is audited as ``subject_access``.
    """
    pseudonym = pseudonyms.pseudonym(platform, user_id)
    cases, withheld = [], []
    for case in await store.cases_of(pseudonym):
        keep_back = _held(case, pseudonym) and not include_withheld
        await store.record(case.id, "subject_access", actor, {"included": not keep_back})
        if keep_back:
            withheld.append(case.id)
            continue
        cases.append(
            {
                "case_id": case.id,
                "your_role": _role(case, pseudonym),
                "platform": case.platform,
                "community_id": case.community_id,
                "conversation_id": case.conversation_id,
                "status": case.status.value,
                "outcome": case.outcome.value if case.outcome else None,
                "severity": case.severity.value,
                "signals": list(case.signals),
                "opened_utc": iso(case.opened_at),
                "updated_utc": iso(case.updated_at),
                "your_messages": [
                    {
                        "time_utc": iso(m.ts),
                        "text": m.text,
                        "text_sha256": sha256_text(m.text),
                        "attachments_counted": m.attachment_count,
                        "edited": m.edited,
                        "deleted": m.deleted,
                    }
                    for m in case.evidence
                    if m.author == pseudonym
                ],
            }
        )
    data = {
        "format": "nudgeguard-subject-access/1",
        "generated_utc": iso(time.time()),
        "user": f"{platform}:{user_id}",
        "pseudonym": pseudonym,
        "stored": "nudgeguard keeps no profile of anyone. It stores moderator cases: the "
        "messages around a risky moment (the evidence window), the signals found, and "
        "an audit trail, with people as keyed pseudonyms. Images are never stored.",
        "cases": cases,
    }
    return AccessExport(data, withheld)
