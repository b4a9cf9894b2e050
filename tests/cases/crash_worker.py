"""A bot process for the crash test: runs a grooming chat and dies mid-delivery.

Usage: ``python -m tests.cases.crash_worker STORE LOG MODE`` where MODE is

- ``block-alert``: the moderator alert send hangs (the test SIGKILLs the process);
- ``block-nudge``: the first nudge sent once a case is open hangs (the test SIGKILLs the
  process);
- ``die-after-store``: the process SIGKILLs itself right after the first alert is stored,
  before any delivery attempt;
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

from nudgeguard.adapter import Delivery, ModeratorAlert, Nudge
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import OutboxItem
from nudgeguard.testing import FakeAdapter, Scenario

from .helpers import groom, make_engine

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


class DyingStore(SqliteCaseStore):
    async def enqueue(self, item: OutboxItem) -> bool:
        stored = await super().enqueue(item)
        if item.kind == "alert":
            print(f"STORED {item.id}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return stored


async def main(store_path: str, log: str, mode: str) -> None:
    block = {"block-alert": "alert", "block-nudge": "nudge"}.get(mode)
    store_cls = DyingStore if mode == "die-after-store" else SqliteCaseStore
    store = store_cls(store_path)
    adapter = LoggingAdapter(log, block)
    if mode == "drain":
        engine = make_engine(store, adapter, clock=lambda: time.time() + LEASE_SKIP)
        await engine.start(background=False)
        await engine.stop()
        print("DRAINED", flush=True)
        return
    engine = make_engine(store, adapter)
    await engine.start(background=False)
    await groom(Scenario(engine))
    print("FINISHED", flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
