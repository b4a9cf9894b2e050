"""The CaseStore protocol: cases, their evidence, the audit chain and the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from nudgeguard.cases.model import Case, CaseEvent, CaseStatus, EvidenceMessage, Outcome, Severity


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A message waiting to be delivered (a nudge or a moderator alert).

    Attributes:
        id: De-duplication key; enqueuing the same id twice is a no-op.
        case_id: Case it belongs to, if any.
        target: Adapter or sink name that delivers it.
        kind: ``nudge`` or ``alert``.
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
    """A decision recorded without text or ids (for dry runs and reports)."""

    ts: float
    platform: str
    community_id: str
    level: str
    signals: tuple[str, ...]
    actions: tuple[str, ...]
    mode: str


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first broken link of the audit chain."""

    seq: int
    reason: str


class CaseStore(Protocol):
    """Persistent cases. Every mutation is written to the audit chain in the same transaction."""

    async def open_case(self, case: Case, evidence: Sequence[EvidenceMessage]) -> Case:
        """Persist a new case with its evidence window; audited as ``opened``."""
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
    ) -> Case:
        """Append messages (de-duplicated by message id) and maybe raise the severity.

        Returns the updated case; its ``evidence`` may be left empty (use :meth:`get`).
        """
        ...

    async def get(self, case_id: str) -> Case | None:
        """Return a case with its evidence."""
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
    ) -> Case:
        """Change a case's status; audited with the actor."""
        ...

    async def record(
        self,
        case_id: str,
        kind: str,
        actor: str,
        detail: dict[str, str | int | float | bool | None] | None = None,
    ) -> None:
        """Append an audit event."""
        ...

    async def events(self, case_id: str | None = None) -> list[CaseEvent]:
        """Return audit events, oldest first."""
        ...

    async def verify_chain(self) -> ChainBreak | None:
        """Return the first broken audit link, or None when the chain is intact."""
        ...

    async def enqueue(self, item: OutboxItem) -> bool:
        """Store an outbox item; False if its id was already there."""
        ...

    async def due(self, now: float, limit: int = 50) -> list[OutboxItem]:
        """Return pending items whose next attempt is due."""
        ...

    async def mark_sent(self, item_id: str, ref: str | None, now: float) -> None:
        """Mark an item delivered and drop its payload (it held platform ids)."""
        ...

    async def mark_retry(self, item_id: str, attempts: int, next_at: float, error: str) -> None:
        """Schedule another attempt."""
        ...

    async def mark_failed(self, item_id: str, status: str, error: str, now: float) -> None:
        """Give up on an item (``undeliverable`` or ``dead``) and drop its payload."""
        ...

    async def observe(self, obs: Observation) -> None:
        """Record a decision without text or ids."""
        ...

    async def get_setting(self, key: str) -> str | None:
        """Return a runtime setting (for example a community's mode)."""
        ...

    async def set_setting(self, key: str, value: str) -> None:
        """Store a runtime setting."""
        ...

    async def close(self) -> None:
        """Release resources."""
        ...
