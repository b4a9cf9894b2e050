"""Retention: closed cases and old records are purged on a schedule.

Retention is counted from a case's last change (``updated_at``) and depends on how it
ended. Open and acknowledged cases are never purged automatically: a person still has to
decide on them. Set a class to ``null`` in the config to keep it until you purge by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from nudgeguard.cases.model import Case, CaseStatus, Outcome
from nudgeguard.cases.store import CaseRecords, PrivacyStore

log = logging.getLogger(__name__)


class RetentionStore(CaseRecords, PrivacyStore, Protocol):
    """What retention needs: the cases to age out, and the purges."""


DAY = 86_400.0


class RetentionDays(BaseModel):
    """Days to keep each class of data after its last change (``None``: keep)."""

    model_config = ConfigDict(extra="forbid")

    dismissed: int | None = Field(default=30, ge=0)
    resolved: int | None = Field(default=90, ge=0)
    confirmed: int | None = Field(default=365, ge=0)
    records: int | None = Field(default=90, ge=0)


class PrivacySettings(BaseModel):
    """The ``privacy:`` config section (finite numbers only: ``.inf`` would never purge)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    retention_days: RetentionDays = RetentionDays()
    purge_every_hours: float = Field(default=6.0, gt=0)


def retention_class(case: Case) -> str | None:
    """Return the retention class of a case, or None while it is still active."""
    if case.status is CaseStatus.DISMISSED:
        return "dismissed"
    if case.status is CaseStatus.RESOLVED:
        return "confirmed" if case.outcome is Outcome.CONFIRMED else "resolved"
    return None


@dataclass(slots=True)
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove)."""

    cases: dict[str, list[str]] = field(default_factory=dict)
    records: int = 0

    @property
    def case_count(self) -> int:
        """Return the number of cases purged."""
        return sum(len(ids) for ids in self.cases.values())


async def due_for_purge(
    store: RetentionStore, days: RetentionDays, now: float
) -> dict[str, list[str]]:
    """Return the ids of cases past their retention, by class."""
    limits = days.model_dump()
    due: dict[str, list[str]] = {}
    for case in await store.list_cases():
        cls = retention_class(case)
        if cls is None or limits[cls] is None:
            continue
        if case.updated_at <= now - limits[cls] * DAY:
            due.setdefault(cls, []).append(case.id)
    return due


async def purge(
    store: RetentionStore,
    days: RetentionDays,
    now: float | None = None,
    *,
    actor: str = "retention",
    dry_run: bool = False,
) -> PurgeReport:
    """Purge every case and record past its retention; every purge is audited."""
    now = time.time() if now is None else now
    report = PurgeReport(cases=await due_for_purge(store, days, now))
    if dry_run:
        return report
    limits = days.model_dump()
    for cls, ids in report.cases.items():
        await store.purge_cases(ids, actor, f"{cls} case older than {limits[cls]} days")
    if days.records is not None:
        report.records = await store.purge_records(now - days.records * DAY)
    return report


class RetentionService:
    """Runs :func:`purge` while the bot runs: at start, then every few hours.

    Args:
        settings: Retention days and interval.
        clock: Wall clock.
    """

    def __init__(self, settings: PrivacySettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.runs = 0
        self._task: asyncio.Task[None] | None = None
        self._store: RetentionStore | None = None

    async def run_once(self) -> PurgeReport:
        """Purge now."""
        assert self._store is not None, "start the service first"
        report = await purge(self._store, self.settings.retention_days, self.clock())
        self.runs += 1
        if report.case_count or report.records:
            log.info("retention purged %d cases, %d records", report.case_count, report.records)
        return report

    async def start(self, store: RetentionStore) -> None:
        """Start purging ``store`` in the background."""
        self._store = store
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="nudgeguard-retention")

    async def stop(self) -> None:
        """Stop the schedule."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as exc:
                log.warning("retention purge failed: %s", type(exc).__name__)
            await asyncio.sleep(self.settings.purge_every_hours * 3600)
