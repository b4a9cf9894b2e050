"""A bot process for the crash test: runs a grooming chat and dies mid-delivery.

Usage: ``python -m tests.cases.crash_worker STORE LOG MODE`` where STORE is an SQLite file
or ``postgresql://...#schema`` and MODE is

- ``block-alert``: the moderator alert send hangs (the test SIGKILLs the process);
- ``block-nudge``: the first nudge sent once a case is open hangs (the test SIGKILLs the
  process);
- ``die-after-store``: the process SIGKILLs itself right after the first case is
  committed, before the dispatcher does anything else (where the alert used to be lost);
- ``die-after-raise``: the same, right after a write that raised a case's severity;
- ``drain``: a restart after the lease of a killed send ran out: start the engine (which
  drains the outbox), stop, exit.

Every delivery that succeeds is appended (and fsynced) to LOG as ``kind id`` lines.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from typing import Any

from nudgeguard.cases.model import Case
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.outbound import Delivery, ModeratorAlert, Nudge
from nudgeguard.testing import FakeAdapter, Scenario

from .helpers import TRAJECTORY, calm_policy, groom, make_engine

#: A paraphrased threat that raises an open case to critical.
RAISE = "pay me or i post your pictures"

LEASE_SKIP = 3600.0


class LoggingAdapter(FakeAdapter):
    def __init__(self, log: str, block: str | None) -> None:
        super().__init__()
        self.log, self.block = log, block

    def _write(self, line: str) -> None:
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    async def _hang(self, what: str) -> None:
        print(f"SENDING {what}", flush=True)
        await asyncio.Event().wait()

    async def send_nudge(self, nudge: Nudge) -> Delivery:
        if self.block == "nudge" and nudge.case_id is not None:
            await self._hang(nudge.nudge_id)
        used = await super().send_nudge(nudge)
        self._write(f"nudge {nudge.nudge_id}")
        return used

    async def send_alert(self, alert: ModeratorAlert) -> str | None:
        if self.block == "alert":
            await self._hang(alert.alert_id)
        ref = await super().send_alert(alert)
        self._write(f"alert {alert.alert_id}")
        return ref


class Dying:
    """Dies by SIGKILL right after a case write commits (a mixin over a real store)."""

    mode = ""

    def _die(self, what: str) -> None:
        print(f"COMMITTED {what}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    async def open_case(self, case: Case, *args: Any, **kwargs: Any) -> Case:
        stored: Case = await super().open_case(case, *args, **kwargs)  # type: ignore[misc]
        if self.mode == "die-after-store":
            self._die(f"case {stored.id} {stored.severity.value}")
        return stored

    async def add_evidence(self, case_id: str, *args: Any, **kwargs: Any) -> Case:
        before = await self.find_severity(case_id)  # type: ignore[attr-defined]
        case: Case = await super().add_evidence(case_id, *args, **kwargs)  # type: ignore[misc]
        if self.mode == "die-after-raise" and case.severity.value != before:
            self._die(f"raise {case.id} {before} {case.severity.value}")
        return case

    async def find_severity(self, case_id: str) -> str | None:
        found = await self.get(case_id)  # type: ignore[attr-defined]
        return None if found is None else str(found.severity.value)


class DyingSqlite(Dying, SqliteCaseStore):
    pass


def open_store(spec: str, mode: str) -> Any:
    """Return the store named by ``spec`` (an SQLite path or ``postgresql://...#schema``)."""
    if spec.startswith("postgresql://"):
        from nudgeguard.cases.postgres import PostgresCaseStore

        class DyingPostgres(Dying, PostgresCaseStore):
            pass

        dsn, _, schema = spec.partition("#")
        pg = DyingPostgres(dsn, schema=schema)
        pg.mode = mode
        return pg
    store = DyingSqlite(spec)
    store.mode = mode
    return store


async def main(store_path: str, log: str, mode: str) -> None:
    block = {"block-alert": "alert", "block-nudge": "nudge"}.get(mode)
    store = open_store(store_path, mode)
    adapter = LoggingAdapter(log, block)
    if mode == "drain":
        store.mode = ""
        engine = make_engine(store, adapter, clock=lambda: time.time() + LEASE_SKIP)
        await engine.start(background=False)
        await engine.stop()
        print("DRAINED", flush=True)
        return
    if mode == "die-after-raise":  # opens at high, then a threat raises it to critical
        engine = make_engine(store, adapter, calm_policy())
        await engine.start(background=False)
        await groom(Scenario(engine), [*TRAJECTORY, RAISE])
    else:
        engine = make_engine(store, adapter)
        await engine.start(background=False)
        await groom(Scenario(engine))
    await engine.stop()
    print("FINISHED", flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
