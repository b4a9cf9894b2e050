"""The plain records the case store protocols pass (no I/O, no behaviour).

Outbox items and their visible state, recorded decisions, moderator feedback and what an
erasure did. Re-exported by :mod:`nudgeguard.cases.store`, where the protocols are.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A message waiting to be delivered (a nudge or a moderator alert).

    Attributes:
        id: De-duplication key; enqueuing the same id twice is a no-op.
        case_id: Case it belongs to, if any.
        target: Adapter or sink name that delivers it.
        kind: ``nudge``, ``alert`` or ``notice`` (a case-less moderator notice).
        payload: JSON of the :class:`~nudgeguard.adapter.Nudge` or alert.
        attempts: Delivery attempts so far.
        next_at: Earliest time of the next attempt (unix seconds).
    """

    id: str
    case_id: str | None
    target: str
    kind: str
    payload: str
    attempts: int = 0
    next_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Observation:
    """A decision recorded without text or ids (for dry runs and reports).

    Attributes:
        signals: Signal ids that counted for the decision.
        actions: Action kinds carried out (or, in observe mode, that would have been).
        mode: ``observe`` or ``live``.
        family: Nudge family of the decision, if a nudge was planned.
        detail: JSON of what would have been sent, to whom (pseudonyms, roles) and why (see
            :mod:`nudgeguard.policy.decisions`); never message text or a platform id.
        id: Row id as stored (0 before it is stored).
    """

    ts: float
    platform: str
    community_id: str
    level: str
    signals: tuple[str, ...]
    actions: tuple[str, ...]
    mode: str
    family: str = ""
    detail: str = ""
    id: int = 0


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """The visible state of an outbox item (no payload: it holds platform ids).

    Attributes:
        status: ``pending``, ``sent``, ``undeliverable``, ``dead``, ``erased`` or
            ``superseded`` (a newer alert of the same case replaced it before it was sent,
            or drew the post a retried decision update was for).
        last_error: Exception class name of the last failure (never its message).
    """

    id: str
    case_id: str | None
    target: str
    kind: str
    status: str
    attempts: int
    next_at: float
    created_at: float
    done_at: float | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Feedback:
    """A moderator decision on one signal of a case (no ids, no text).

    Attributes:
        verdict: ``confirmed`` or ``false_positive``.
    """

    case_id: str
    community_id: str
    signal: str
    verdict: str
    ts: float


@dataclass(frozen=True, slots=True)
class Erasure:
    """What a privacy erasure removed (counts only)."""

    cases: int
    messages: int
    audit_rows: int
    outbox_items: int
    #: Messages by other people whose @mentions of the person were blanked.
    mentions: int = 0


@dataclass(frozen=True, slots=True)
class ErasureNotice:
    """An erasure as a running bot learns of it (:meth:`PrivacyStore.erasures_after`).

    Attributes:
        seq: The audit row that recorded the erasure; pollers remember the last one seen.
        platform: The erased person's platform (``discord``, ``slack``); "" if not recorded.
        token: :meth:`~nudgeguard.privacy.Pseudonymizer.erasure_token` of the person: not
            their pseudonym, matched only with the key and their platform id; "" for
            erasures recorded before tokens were (nothing to match).
    """

    seq: int
    platform: str
    token: str
