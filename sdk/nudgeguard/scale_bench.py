"""Several bot processes sharing Redis and PostgreSQL: throughput and equal decisions.

The corpus is split by conversation across N worker processes. Every worker runs the full
engine (default policy) on a Redis :class:`~nudgeguard.stores.redis_state.RedisStateStore`
and, when a DSN is given, a :class:`~nudgeguard.cases.postgres.PostgresCaseStore` (else an
in-memory SQLite store per worker). Each run gets its own Redis key prefix and its own
PostgreSQL schema, removed afterwards. A single-process run with in-memory stores on the
same messages is the reference: ``decisions_match`` is true when every message got the
same decision (level, score, factors and actions) in both.

Participants are namespaced per conversation (as separate people), so a conversation's
decisions do not depend on which worker saw which other conversation first.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from nudgeguard.adapter import Adapter, Capabilities, Delivery, ModeratorAlert, Nudge
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import CaseStore
from nudgeguard.engine import Engine
from nudgeguard.events import MessageEvent
from nudgeguard.local.transcript import AgesMode, read_transcripts, transcript_events
from nudgeguard.policy import load_policy
from nudgeguard.policy.engine import Decision
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.state import MemoryStateStore, StateStore

PLATFORM = "bench"
_KEY = b"nudgeguard-bench-pseudonym-key!!"

Fingerprint = tuple[object, ...]


class BenchAdapter(Adapter):
    """Delivers nothing; counts what it is handed."""

    name: ClassVar[str] = PLATFORM
    capabilities: ClassVar[Capabilities] = Capabilities(
        ephemeral=True, direct_message=True, buttons=True, delete=True, timeout=True
    )

    def __init__(self) -> None:
        super().__init__()
        self.nudges = 0
        self.alerts = 0

    async def start(self) -> None:  # noqa: D102
        return None

    async def stop(self) -> None:  # noqa: D102
        return None

    async def send_nudge(self, nudge: Nudge) -> Delivery:  # noqa: D102
        self.nudges += 1
        return nudge.delivery[0] if nudge.delivery else Delivery.DIRECT_MESSAGE

    async def send_alert(self, alert: ModeratorAlert) -> str | None:  # noqa: D102
        self.alerts += 1
        return None


def conversations(
    paths: Sequence[str | Path], ages: AgesMode = "declared"
) -> list[list[MessageEvent]]:
    """Return the corpus as one event list per conversation, people namespaced by it."""
    out: list[list[MessageEvent]] = []
    for path in paths:
        for t in read_transcripts(path):
            n = len(out)
            community = f"community-{n % 16}"
            events = []
            for e in transcript_events(t, ages, platform=PLATFORM, community_id=community):
                author = e.author.model_copy(update={"id": f"{n}.{e.author.id}"})
                events.append(
                    e.model_copy(
                        update={
                            "author": author,
                            "conversation_id": f"c{n}",
                            "message_id": f"{n}.{e.message_id}",
                        }
                    )
                )
            if events:
                out.append(events)
    return out


def split(convs: Sequence[Sequence[object]], workers: int) -> list[list[int]]:
    """Assign whole conversations to workers, longest first to the least loaded one.

    Deterministic, and balanced by messages (a few long group chats would otherwise keep
    one worker busy long after the others finished).
    """
    loads = [0] * workers
    shares: list[list[int]] = [[] for _ in range(workers)]
    for n in sorted(range(len(convs)), key=lambda i: (-len(convs[i]), i)):
        w = loads.index(min(loads))
        shares[w].append(n)
        loads[w] += len(convs[n])
    for share in shares:
        share.sort()
    return shares


def synthetic(messages: int, seed: int) -> list[list[MessageEvent]]:
    """Return ``nudgeguard bench``'s seeded synthetic corpus, one event list per conversation.

    Events are built as the bench builds them (on this module's platform name, so the
    bench adapter delivers their nudges and alerts); authors are distinct per conversation.
    """
    from nudgeguard.evaluation.bench import build_event
    from nudgeguard.evaluation.synthetic import generate

    convs: dict[str, list[MessageEvent]] = {}
    for index, record in enumerate(generate(messages, seed)):
        event = build_event(record, index).model_copy(update={"platform": PLATFORM})
        convs.setdefault(record.conversation, []).append(event)
    return list(convs.values())


def load(corpus: Sequence[str], ages: str, messages: int, seed: int) -> list[list[MessageEvent]]:
    """Return transcript corpora (namespaced), or the synthetic corpus when none is given."""
    if corpus:
        return conversations(corpus, ages)  # type: ignore[arg-type]
    return synthetic(messages, seed)


def fingerprint(d: Decision | None) -> Fingerprint | None:
    """Return what must be equal between two runs for one message's decision."""
    if d is None:
        return None
    a = d.assessment
    factors = tuple(sorted(a.factors.items()))
    return (a.level.value, a.score, factors, tuple(x.kind for x in d.actions), d.target_id)


def make_engine(state: StateStore, cases: CaseStore) -> Engine:
    """Return the bench engine: default policy and detectors, fixed pseudonym key."""
    return Engine(
        load_policy("default"),
        cases=cases,
        state=state,
        adapters=[BenchAdapter()],
        pseudonymizer=Pseudonymizer(_KEY),
    )


async def replay(
    engine: Engine, convs: Iterable[list[MessageEvent]], concurrency: int = 1
) -> dict[str, Fingerprint | None]:
    """Feed conversations through ``engine``, ``concurrency`` conversations at a time."""
    todo = list(convs)
    todo.reverse()
    found: dict[str, Fingerprint | None] = {}

    async def lane() -> None:
        while todo:
            for event in todo.pop():
                found[event.message_id] = fingerprint(await engine.handle(event))

    await asyncio.gather(*(lane() for _ in range(max(1, concurrency))))
    return found


async def reference(convs: list[list[MessageEvent]]) -> tuple[dict[str, Any], float]:
    """Single process, in-memory stores: the decisions every other run must equal."""
    engine = make_engine(MemoryStateStore(), SqliteCaseStore(":memory:"))
    started = time.perf_counter()
    found = await replay(engine, convs)
    elapsed = time.perf_counter() - started
    await engine.cases.close()
    return found, elapsed


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
    asyncio.run(_work(job, barrier, results))


async def _work(job: WorkerJob, barrier: Any, results: Any) -> None:
    from nudgeguard.stores.redis_state import RedisStateStore

    convs = load(job.corpus, job.ages, job.messages, job.seed)
    mine = [convs[n] for n in split(convs, job.workers)[job.index]]
    state = RedisStateStore(job.state_url, prefix=job.prefix)
    cases: CaseStore
    if job.dsn:
        from nudgeguard.cases.postgres import PostgresCaseStore

        cases = await PostgresCaseStore(job.dsn, schema=job.schema).open()  # type: ignore[assignment]
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


async def _cleanup(state_url: str, prefix: str, dsn: str | None, schema: str | None) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(state_url, decode_responses=True)
    batch = [k async for k in client.scan_iter(match=prefix + "*", count=1000)]
    for start in range(0, len(batch), 1000):
        await client.delete(*batch[start : start + 1000])
    await client.aclose()
    if dsn and schema:
        import asyncpg  # type: ignore[import-untyped]

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
        for p in procs:
            p.join(60)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        asyncio.run(_cleanup(state_url, prefix, dsn, schema))
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
    """``python -m nudgeguard.scale_bench [--corpus F] --state URL [--cases DSN] --workers N``."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m nudgeguard.scale_bench")
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
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>24}: {value}")
    return 0 if report["decisions_match"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
