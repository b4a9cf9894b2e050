"""The case store protocols: cases, the audit chain, the outbox, observations, settings.

Narrow protocols, one per responsibility (:class:`CaseRecords`, :class:`AuditLog`,
:class:`OutboxStore`, :class:`ObservationStore`, :class:`SettingsStore`,
:class:`PrivacyStore`; console accounts are :class:`~nudgeguard.cases.accounts.AccountStore`):
a consumer types against the ones it uses. :class:`CaseStore` is their union, as the engine
holds it. They use only plain Python and pydantic types; ``tests/cases/contract.py`` holds
the contract suite every backend must pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from nudgeguard.cases.model import Case, CaseEvent, CaseStatus, EvidenceMessage, Outcome, Severity
from nudgeguard.cases.records import (
    Erasure,
    ErasureNotice,
    Feedback,
    Observation,
    OutboxItem,
    OutboxRecord,
)

if TYPE_CHECKING:
    from nudgeguard.cases.audit import ChainBreak
    from nudgeguard.cases.integrity import CaseDamage


#: Builds the outbox items that announce a case as a write leaves it (its alerts). The
#: store calls it inside the write's transaction with the case as stored and queues what
#: it returns in that same transaction: a case and its alert commit together or not at
#: all. It must be pure (no I/O): it may run again if the transaction is retried.
Announce = Callable[[Case], Sequence[OutboxItem]]


class CaseClosedError(KeyError):
    """The case exists but is no longer open: its evidence is final."""


class StoreError(ValueError):
    """A case store that cannot be used: the message says why (never a password)."""


class CaseRecords(Protocol):
    """Cases, their evidence and what moderators decided on them."""

    async def open_case(
        self,
        case: Case,
        evidence: Sequence[EvidenceMessage],
        announce: Announce | None = None,
    ) -> Case:
        """Persist a new case with its evidence window; audited as ``opened``.

        ``announce`` (if given) is called with the stored case and its items are queued in
        the same transaction (see :data:`Announce`).

        Returns the case as stored, without its evidence (use :meth:`get`).
        """
        ...

    async def find_open(
        self, platform: str, community_id: str, conversation_id: str, subject: str, target: str
    ) -> Case | None:
        """Return the open (or acknowledged) case of a directed pair, if any."""
        ...

    async def add_evidence(
        self,
        case_id: str,
        evidence: Sequence[EvidenceMessage],
        severity: Severity | None = None,
        score: float | None = None,
        signals: Sequence[str] = (),
        stages: Sequence[str] = (),
        open_only: bool = False,
        reasons: Sequence[str] = (),
        announce: Announce | None = None,
    ) -> Case:
        """Append messages (de-duplicated by message id) and maybe raise the severity.

        ``reasons`` replace the case's reasons when they come with its resulting severity
        (the case's "why" always explains its current severity). ``announce`` (if given) is
        called with the updated case and its items are queued in the same transaction (see
        :data:`Announce`).

        Returns the updated case; its ``evidence`` may be left empty (use :meth:`get`).

        Raises:
            KeyError: No such case.
            CaseClosedError: ``open_only`` and the case is neither open nor acknowledged
                (nothing is written).
        """
        ...

    async def get(self, case_id: str, *, evidence: bool = True) -> Case | None:
        """Return a case, with its evidence unless ``evidence`` is False.

        Without evidence the case's ``evidence`` is empty (drawing an alert needs none:
        the alert carries its count).
        """
        ...

    async def list_cases(
        self, status: CaseStatus | None = None, community_id: str | None = None
    ) -> list[Case]:
        """Return cases (without evidence), newest first."""
        ...

    async def transition(
        self,
        case_id: str,
        status: CaseStatus,
        actor: str,
        outcome: Outcome | None = None,
        note: str | None = None,
        announce: Announce | None = None,
    ) -> Case:
        """Change a case's status; audited with the actor.

        ``announce`` (if given) is called with the changed case and its items (the post's
        update) are queued in the same transaction as the audit row (see :data:`Announce`).

        The audit kind is ``confirmed`` for outcome confirmed, ``dismissed`` for a false
        positive, else the new status (``acknowledged``, ``resolved``). A confirmed or
        false-positive outcome also writes one :class:`Feedback` row per case signal
        (replacing earlier feedback on the same case and signal), in the same transaction.
        """
        ...

    async def cases_of(self, pseudonym: str) -> list[Case]:
        """Return every case (with evidence) a person is in, oldest first.

        That is: the person is the subject or the target, or authored an evidence message.
        """
        ...

    async def feedback(self, since: float = 0.0, community_id: str | None = None) -> list[Feedback]:
        """Return moderator feedback recorded at or after ``since``, oldest first."""
        ...


class AuditLog(Protocol):
    """The hash-chained audit log and the integrity checks built on it."""

    async def record(
        self,
        case_id: str,
        kind: str,
        actor: str,
        detail: dict[str, str | int | float | bool | None] | None = None,
        queue: Sequence[OutboxItem] = (),
    ) -> None:
        """Append an audit event, and queue ``queue`` (its alerts) in the same transaction."""
        ...

    async def events(self, case_id: str | None = None) -> list[CaseEvent]:
        """Return audit events, oldest first."""
        ...

    async def last_event(self, case_id: str, kinds: Sequence[str]) -> CaseEvent | None:
        """Return a case's newest audit event of one of ``kinds``, or None.

        One indexed read, however long the case's chain (every appended message is a row):
        the "Last action" of a post drawn after a restart comes from it.
        """
        ...

    async def verify_chain(self) -> ChainBreak | None:
        """Return the first broken audit link, or None when the chain is intact."""
        ...

    async def verify_cases(self) -> list[CaseDamage]:
        """Return every case whose rows differ from what the audit chain committed to.

        Names deleted, edited and unreadable cases and cases whose evidence was rewritten
        (see :mod:`nudgeguard.cases.integrity`).
        """
        ...

    async def check_storage(self) -> list[str]:
        """Return the database's own integrity findings (SQLite ``quick_check``); [] if fine."""
        ...

    async def audit_head(self) -> str | None:
        """Return ``"seq:hash"`` of the newest audit row (write it down to anchor the chain)."""
        ...


class OutboxStore(Protocol):
    """Messages waiting to be delivered, claimed under a lease."""

    async def enqueue(self, item: OutboxItem) -> bool:
        """Store an outbox item; False if its id was already there."""
        ...

    async def due(self, now: float, limit: int = 50) -> list[OutboxItem]:
        """Return pending items whose next attempt is due, oldest due first."""
        ...

    async def claim(self, item_id: str, now: float, lease: float) -> bool:
        """Atomically take a due pending item for one delivery attempt.

        Returns True (and moves its next attempt to ``now + lease``) only if the item is
        pending and due; so two workers never send the same item at once, and an item whose
        worker died is retried once the lease runs out.
        """
        ...

    async def mark_sent(self, item_id: str, ref: str | None, now: float) -> None:
        """Mark an item delivered and drop its payload (it held platform ids)."""
        ...

    async def mark_retry(self, item_id: str, attempts: int, next_at: float, error: str) -> None:
        """Schedule another attempt."""
        ...

    async def sent_ref(self, case_id: str, target: str) -> str | None:
        """Return the platform reference of a case's latest delivered alert to ``target``.

        That is the ``ref`` :meth:`mark_sent` stored (what the adapter's ``send_alert``
        returned); None when no alert of the case was delivered there with one.
        """
        ...

    async def overtaken(self, item_id: str) -> bool:
        """Return True if an alert of the item's case to its target was queued after it.

        Only one that is pending or sent counts: it drew the case's post, or will, so an
        older update re-drawing the post after it would show an older decision.
        """
        ...

    async def alert_targets(self, case_id: str) -> list[str]:
        """Return where a case's alerts were ever queued to (adapters, sinks), sorted.

        A change to the case made by another process (the console, the CLI) re-draws the
        case's post there.
        """
        ...

    async def mark_failed(self, item_id: str, status: str, error: str, now: float) -> None:
        """Give up on an item and drop its payload.

        ``status`` is ``undeliverable``, ``dead`` or ``superseded`` (a later update of its
        case drew the post it was for).
        """
        ...

    async def outbox_items(self, status: str | None = None, limit: int = 100) -> list[OutboxRecord]:
        """Return outbox items (newest first) without payloads."""
        ...

    async def outbox_status(self) -> dict[str, int]:
        """Return outbox item counts by status."""
        ...


class ObservationStore(Protocol):
    """Decisions recorded without text or ids (dry runs, reports)."""

    async def observe(self, obs: Observation) -> None:
        """Record a decision without text or ids."""
        ...

    async def observations(
        self, since: float = 0.0, community_id: str | None = None
    ) -> list[Observation]:
        """Return recorded decisions at or after ``since``, oldest first."""
        ...


class SettingsStore(Protocol):
    """Runtime settings (for example a community's mode)."""

    async def get_setting(self, key: str) -> str | None:
        """Return a runtime setting (for example a community's mode)."""
        ...

    async def set_setting(self, key: str, value: str) -> None:
        """Store a runtime setting."""
        ...


class PrivacyStore(Protocol):
    """Retention purges and data-subject erasure."""

    async def purge_cases(self, case_ids: Sequence[str], actor: str, reason: str) -> int:
        """Delete cases with their evidence and outbox items; return how many were deleted.

        Each deletion is audited as ``purged`` (detail: reason) on the case. Audit rows stay
        so the chain still verifies. Physical space is reclaimed (no deleted text remains
        readable in the database files).
        """
        ...

    async def purge_records(self, before: float) -> int:
        """Delete observations and finished outbox items older than ``before``; return count."""
        ...

    async def erase_person(
        self, pseudonym: str, user_id: str, actor: str, *, platform: str = "", token: str = ""
    ) -> Erasure:
        """Remove a person from the store for a data-subject erasure request.

        Deletes evidence messages they authored, blanks their platform id wherever other
        people's evidence mentions it (:func:`~nudgeguard.cases.rows.scrub_id`), replaces
        their pseudonym as a case's subject or target by ``[erased]``, blanks it as an audit
        actor (keeping the chain verifiable, see :mod:`nudgeguard.cases.audit`), drops
        outbox payloads naming ``user_id`` (status ``erased`` if not yet sent) and records
        an ``erased`` audit row on each affected case (committing to the case as erasure
        leaves it) plus one store-wide row (case id ``*``) listing the redacted rows and,
        when given, ``platform`` and the erasure ``token`` (see :class:`ErasureNotice`);
        none of them contain the erased data. Physical space is reclaimed afterwards.
        """
        ...

    async def erasures_after(self, seq: int, limit: int = 100) -> list[ErasureNotice]:
        """Return the store-wide erasure records after audit row ``seq``, oldest first.

        How a running bot learns of erasures another process made (``privacy erase``).
        """
        ...


class CaseStore(
    CaseRecords, AuditLog, OutboxStore, ObservationStore, SettingsStore, PrivacyStore, Protocol
):
    """The whole case store, as the engine holds it.

    Every mutation is written to the audit chain in the same transaction. Consumers type
    against the narrow protocols above that they use.
    """

    async def close(self) -> None:
        """Release resources."""
        ...


__all__ = [
    "Announce",
    "AuditLog",
    "CaseClosedError",
    "CaseRecords",
    "CaseStore",
    "Erasure",
    "ErasureNotice",
    "Feedback",
    "Observation",
    "ObservationStore",
    "OutboxItem",
    "OutboxRecord",
    "OutboxStore",
    "PrivacyStore",
    "SettingsStore",
    "StoreError",
]
