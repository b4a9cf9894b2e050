"""Several bot processes sharing Redis and PostgreSQL: throughput and equal decisions.

The corpus is split by conversation across N worker processes. Every worker runs the full
engine (default policy) on a Redis :class:`~nudgeguard.state.stores.redis_state.RedisStateStore`
and, when a DSN is given, a :class:`~nudgeguard.cases.postgres.PostgresCaseStore` (else an
in-memory SQLite store per worker). Each run gets its own Redis key prefix and its own
PostgreSQL schema, removed afterwards. A single-process run with in-memory stores on the
same messages is the reference: ``decisions_match`` is true when every message got the
same decision (level, score, factors and actions) in both. Corpus loading, the engine
and the fingerprints live in :mod:`nudgeguard.evaluation.scale_replay`.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import CaseStore
from nudgeguard.evaluation.scale_replay import (
    load,
    make_engine,
    reference,
    replay,
    split,
)
from nudgeguard.local.transcript import AgesMode

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerJob:
    """What one worker process does (picklable)."""

    index: int
    workers: int
    corpus: tuple[str, ...]
    ages: str
    state_url: str
    prefix: str
    dsn: str | None
    schema: str | None
    concurrency: int
    messages: int
    seed: int


def _worker(job: WorkerJob, barrier: Any, results: Any) -> None:
    try:
        asyncio.run(_work(job, barrier, results))
    except Exception as exc:  # reported to the parent, which must not wait for this one
        barrier.abort()
        results.put(("failed", job.index, f"{type(exc).__name__}: {exc}"))


async def _work(job: WorkerJob, barrier: Any, results: Any) -> None:
    from nudgeguard.state.stores.redis_state import RedisStateStore

    convs = load(job.corpus, job.ages, job.messages, job.seed)
    mine = [convs[n] for n in split(convs, job.workers)[job.index]]
    state = RedisStateStore(job.state_url, prefix=job.prefix)
    cases: CaseStore
    if job.dsn:
        from nudgeguard.cases.postgres import PostgresCaseStore

        cases = await PostgresCaseStore(job.dsn, schema=job.schema).open()
    else:
        cases = SqliteCaseStore(":memory:")
    engine = make_engine(state, cases)
    await state.ping()
    await asyncio.to_thread(barrier.wait)
    started = time.time()
    found = await replay(engine, mine, job.concurrency)
    await state.flush()
    ended = time.time()
    results.put((job.index, started, ended, sum(len(c) for c in mine), found))
    await state.aclose()
    await cases.close()


async def _preflight(state_url: str, dsn: str | None) -> None:
    """Fail at once, in plain words, when Redis (or PostgreSQL) cannot be used.

    Raises:
        ValueError: A malformed URL, or a server that does not answer or refuses.
    """
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError

    try:
        client = aioredis.Redis.from_url(state_url)
        try:
            await client.ping()
        finally:
            await client.aclose()
    except (ValueError, RedisError, OSError) as exc:
        raise ValueError(f"--state: Redis cannot be used ({type(exc).__name__}: {exc})") from None
    if dsn:
        import asyncpg  # type: ignore[import-untyped]

        try:
            con = await asyncpg.connect(dsn, timeout=10)
            await con.close()
        except (TimeoutError, ValueError, OSError, asyncpg.PostgresError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            raise ValueError(f"--cases: PostgreSQL cannot be used ({reason})") from None


async def _cleanup(state_url: str, prefix: str, dsn: str | None, schema: str | None) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(state_url, decode_responses=True)
    batch = [k async for k in client.scan_iter(match=prefix + "*", count=1000)]
    for start in range(0, len(batch), 1000):
        await client.delete(*batch[start : start + 1000])
    await client.aclose()
    if dsn and schema:
        import asyncpg

        con = await asyncpg.connect(dsn)
        await con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await con.close()


def run_workers(
    corpus: Sequence[str | Path] = (),
    *,
    state_url: str,
    dsn: str | None = None,
    workers: int = 2,
    concurrency: int = 32,
    ages: AgesMode = "declared",
    messages: int = 100_000,
    seed: int = 7,
) -> dict[str, Any]:
    """Run a corpus on ``workers`` processes sharing Redis (and PostgreSQL); report.

    Args:
        corpus: Transcript files; when empty, the bench's synthetic corpus.
        state_url: Redis URL.
        dsn: PostgreSQL DSN; each worker uses an in-memory SQLite store without one.
        workers: Worker processes.
        concurrency: Conversations in flight per worker.
        ages: Pass declared ages of transcript participants (``declared``) or not.
        messages: Size of the synthetic corpus.
        seed: Seed of the synthetic corpus.
    """
    asyncio.run(_preflight(state_url, dsn))
    paths = tuple(str(p) for p in corpus)
    convs = load(paths, ages, messages, seed)
    expected, ref_elapsed = asyncio.run(reference(convs))
    total = sum(len(c) for c in convs)
    run = uuid.uuid4().hex[:10]
    prefix, schema = f"ngbench:{run}:", (f"ngbench_{run}" if dsn else None)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    jobs = [
        WorkerJob(
            n,
            workers,
            paths,
            ages,
            state_url,
            prefix,
            dsn,
            schema,
            concurrency,
            messages,
            seed,
        )
        for n in range(workers)
    ]
    procs = [ctx.Process(target=_worker, args=(j, barrier, results)) for j in jobs]
    try:
        for p in procs:
            p.start()
        reports = [results.get(timeout=600) for _ in procs]
        failed = [r for r in reports if r[0] == "failed"]
        if failed:
            raise ValueError(f"worker {failed[0][1]} failed: {failed[0][2]}")
        for p in procs:
            p.join(60)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        try:
            asyncio.run(_cleanup(state_url, prefix, dsn, schema))
        except Exception as exc:  # never hide the run's own outcome behind the cleanup's
            log.warning("could not remove the bench's keys (%s)", type(exc).__name__)
    got: dict[str, Any] = {}
    for report in reports:
        got.update(report[4])
    wall = max(r[2] for r in reports) - min(r[1] for r in reports)
    per_worker = [r[3] / (r[2] - r[1]) for r in reports]
    wrong = sorted(k for k, v in expected.items() if got.get(k, "missing") != v)
    mismatched = len(wrong)
    return {
        "messages": total,
        "conversations": len(convs),
        "workers": workers,
        "state": "redis",
        "cases": "postgres" if dsn else "sqlite-memory",
        "pipeline_msgs_per_s": round(total / wall, 1),
        "per_worker_msgs_per_s": [round(x, 1) for x in per_worker],
        "inmemory_msgs_per_s": round(total / ref_elapsed, 1),
        "decisions_match": mismatched == 0 and len(got) == len(expected),
        "decisions_mismatched": mismatched,
        "first_mismatched_messages": wrong[:5],
        "run": run,
    }


def bench_workers(
    corpus: Path | None,
    messages: int,
    seed: int,
    policy: str,
    workers: int | None,
    state_url: str | None,
    cases_dsn: str | None,
) -> dict[str, Any]:
    """``nudgeguard bench --workers N --state URL [--cases DSN]``: the worker report.

    Raises:
        ValueError: A missing or unsupported option (the message names it).
    """
    if not state_url or not workers:
        raise ValueError("--workers and --state go together (a Redis URL the workers share)")
    if policy != "default":
        raise ValueError("--workers measures the default policy only")
    return run_workers(
        [corpus] if corpus else [],
        state_url=state_url,
        dsn=cases_dsn,
        workers=workers,
        messages=messages,
        seed=seed,
        ages="unknown",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench from the command line.

    ``python -m nudgeguard.evaluation.scale_bench [--corpus F] --state URL [--cases DSN] --workers
    N``
    """
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m nudgeguard.evaluation.scale_bench")
    parser.add_argument("--corpus", action="append", default=[], help="JSONL transcripts")
    parser.add_argument("--messages", type=int, default=100_000, help="synthetic corpus size")
    parser.add_argument("--seed", type=int, default=7, help="synthetic corpus seed")
    parser.add_argument("--state", required=True, help="Redis URL shared by the workers")
    parser.add_argument("--cases", default=None, help="PostgreSQL DSN (else SQLite per worker)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32, help="conversations in flight")
    parser.add_argument("--ages", choices=["declared", "unknown"], default="declared")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        report = run_workers(
            args.corpus,
            state_url=args.state,
            dsn=args.cases,
            workers=args.workers,
            concurrency=args.concurrency,
            ages=args.ages,
            messages=args.messages,
            seed=args.seed,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>24}: {value}")
    return 0 if report["decisions_match"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
