"""One replay worker of the fault test: ``python -m tests.scale.fault_worker ARGS``.

It handles every conversation ``n`` with ``n % workers == index`` in order, and after each
message writes its progress as a marker in the same atomic Redis batch as the state that
message produced. Started again after a SIGKILL, it resumes every conversation from its
marker; the case store is never behind the state, so replayed messages find their cases.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from nudgeguard.cases.postgres import PostgresCaseStore
from nudgeguard.delivery.outbox import Backoff
from nudgeguard.evaluation.scale_replay import conversations, fingerprint, make_engine
from nudgeguard.state.stores.redis_state import RedisStateStore


async def main(
    corpus: str,
    index: int,
    workers: int,
    url: str,
    prefix: str,
    dsn: str,
    schema: str,
    progress: str,
) -> None:
    convs = [c for n, c in enumerate(conversations([corpus])) if n % workers == index]
    state = RedisStateStore(url, prefix=prefix, flush_interval=3600.0, max_dirty=10**9)
    cases = await PostgresCaseStore(dsn, schema=schema).open()
    engine = make_engine(state, cases)
    engine.outbox.backoff = Backoff(lease=1.0)
    done = 0
    with Path(progress + ".decisions").open("a", encoding="utf-8") as log:
        for events in convs:
            key = events[0].conversation_id
            start = int(await state.get_marker(key) or 0)
            for n, event in enumerate(events[start:], start=start + 1):
                decision = fingerprint(await engine.handle(event))
                log.write(json.dumps([event.message_id, decision]) + "\n")
                log.flush()
                state.set_marker(key, str(n))
                await state.flush()
                done += 1
                if done % 10 == 0:
                    Path(progress).write_text(str(done))
    await asyncio.sleep(1.1)  # let a killed worker's delivery leases run out
    await engine.outbox.drain()
    await state.aclose()
    await cases.close()


if __name__ == "__main__":
    a = sys.argv[1:]
    asyncio.run(main(a[0], int(a[1]), int(a[2]), a[3], a[4], a[5], a[6], a[7]))
