"""Fault test: workers sharing Redis and PostgreSQL, one SIGKILLed mid-run and restarted.

Afterwards every case and every alert of the single-process run exists exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from nudgeguard.cases.postgres import PostgresCaseStore
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.evaluation.scale_replay import conversations, make_engine, replay
from nudgeguard.state.store import MemoryStateStore

from .corpus import write_corpus

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3


async def summary(store) -> tuple[Counter, Counter]:
    """Cases and alerts, named by what they are about (case ids are random per run)."""
    cases = {c.id: c for c in await store.list_cases()}
    about = {cid: (c.conversation_id, c.subject, c.target) for cid, c in cases.items()}
    case_keys = Counter((*about[cid], c.severity.value) for cid, c in cases.items())
    alerts = Counter()
    for item in await store.outbox_items(limit=100_000):
        if item.kind == "alert":
            _, cid, rest = item.id.split(":", 2)
            alerts[(*about[cid], rest)] += 1
    return case_keys, alerts


async def reference(corpus: Path) -> tuple[Counter, Counter, dict]:
    engine = make_engine(MemoryStateStore(), SqliteCaseStore(":memory:"))
    decisions = await replay(engine, conversations([corpus]))
    return (*await summary(engine.cases), json.loads(json.dumps(decisions)))


def decisions_of(progress: list[Path]) -> dict:
    """The last decision each worker logged per message (a killed one may log twice)."""
    found = {}
    for path in progress:
        for line in Path(str(path) + ".decisions").read_text().splitlines():
            message_id, decision = json.loads(line)
            found[message_id] = decision
    return found


def start(corpus, n, redis_url, prefix, dsn, schema, progress) -> subprocess.Popen:
    args = [str(corpus), str(n), str(WORKERS), redis_url, prefix, dsn, schema, str(progress)]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.scale.fault_worker", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_killed_worker_loses_and_duplicates_nothing(
    tmp_path, redis_url, redis_prefix, postgres_db, pg_schema
):
    corpus = write_corpus(tmp_path / "corpus.jsonl")
    want_cases, want_alerts, want_decisions = asyncio.run(reference(corpus))
    assert len(want_cases) > 10 and len(want_alerts) > 10

    progress = [tmp_path / f"progress-{n}" for n in range(WORKERS)]
    asyncio.run(PostgresCaseStore(postgres_db, schema=pg_schema).open())  # migrate once
    procs = [
        start(corpus, n, redis_url, redis_prefix, postgres_db, pg_schema, progress[n])
        for n in range(WORKERS)
    ]
    deadline = time.monotonic() + 60
    while not (progress[0].exists() and int(progress[0].read_text() or 0) >= 250):
        assert procs[0].poll() is None, "worker 0 finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    procs[0].send_signal(signal.SIGKILL)
    assert procs[0].wait(10) == -signal.SIGKILL
    procs[0] = start(corpus, 0, redis_url, redis_prefix, postgres_db, pg_schema, progress[0])
    for p in procs:
        assert p.wait(90) == 0

    async def check() -> tuple[Counter, Counter, dict]:
        store = PostgresCaseStore(postgres_db, schema=pg_schema)
        got = await summary(store)
        status = await store.outbox_status()
        chain = await store.verify_chain()
        await store.close()
        assert chain is None
        return (*got, status)

    got_cases, got_alerts, status = asyncio.run(check())
    assert decisions_of(progress) == want_decisions, "the restart resumed the same risk picture"
    assert got_cases == want_cases
    assert got_alerts == want_alerts
    assert set(status) == {"sent"}, "every nudge and alert was delivered in the end"
