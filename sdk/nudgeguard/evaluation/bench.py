"""Throughput of the pipeline against a baseline, on the same messages, in one run.

- baseline: read each message record and build its :class:`MessageEvent`;
- pipeline: the same, then ``await engine.handle(event)`` on an engine with the default
  policy, in-memory state and case stores and a recording adapter; the two are timed in
  turn on the same chunks of records (:func:`time_both`), so their ratio holds when the
  machine's speed drifts during the run;
- latency: per message, of the pipeline (building the event and handling it; p50, p99);
- memory: bytes the state store holds per tracked pair, measured with ``tracemalloc`` in
  a separate pass (so tracing does not slow the timed runs);
- hostile input: the slowest of a fixed set of hostile messages
  (:mod:`nudgeguard.evaluation.adversarial`), ``adversarial_max_us``.
"""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.engine import Engine
from nudgeguard.evaluation.adversarial import adversarial_max_us
from nudgeguard.evaluation.replay import PLATFORM, RecordingAdapter
from nudgeguard.evaluation.synthetic import Record, generate
from nudgeguard.inbox.events import ConversationKind, MessageEvent
from nudgeguard.local.transcript import read_transcripts
from nudgeguard.policy.model import PolicyPack
from nudgeguard.state.store import BoundedMap, MemoryStateStore

_START = 1_700_000_000.0
#: Records per chunk when the baseline and the pipeline are timed in turn.
CHUNK = 1_000
_KINDS = {"direct": ConversationKind.DIRECT, "group": ConversationKind.GROUP}


def load_corpus(path: str | Path) -> list[Record]:
    """Flatten a transcript corpus (the eval format) into time-ordered records."""
    out: list[Record] = []
    for t in read_transcripts(path):
        ts = 0.0
        for m in t.messages:
            ts = ts + 5.0 if m.ts is None else max(float(m.ts), ts)
            out.append(Record(t.id, t.kind, f"{t.id}/{m.author}", ts, m.text))
    return out


def build_event(r: Record, index: int) -> MessageEvent:
    """The baseline's work for one record: a validated MessageEvent."""
    return MessageEvent(
        platform=PLATFORM,
        community_id="bench",
        conversation_id=r.conversation,
        conversation_kind=_KINDS.get(r.kind, ConversationKind.GROUP),
        message_id=str(index),
        author={"id": r.author},  # validated as a Participant in the same call
        text=r.text,
        ts=_START + r.ts,
    )


def _engine(pack: PolicyPack) -> Engine:
    return Engine(
        pack,
        cases=SqliteCaseStore(":memory:"),
        state=MemoryStateStore(),
        adapters=[RecordingAdapter()],
    )


async def time_pipeline(
    records: Sequence[Record], pack: PolicyPack
) -> tuple[float, list[int], Engine]:
    """Return seconds for the whole pipeline, per-message nanoseconds, and the engine."""
    _, pipeline, latencies, engine = await time_both(records, pack, with_baseline=False)
    return pipeline, latencies, engine


async def time_both(
    records: Sequence[Record], pack: PolicyPack, chunk: int = CHUNK, with_baseline: bool = True
) -> tuple[float, float, list[int], Engine]:
    """Time the baseline and the pipeline on the same records, interleaved chunk by chunk.

    Each chunk of ``chunk`` records is first only built (the baseline), then built and
    handled (the pipeline), so both see the machine in the same state: a machine that
    speeds up or slows down during the run moves both figures, not their ratio.

    Returns:
        Baseline seconds, pipeline seconds, per-message pipeline nanoseconds, the engine.
    """
    engine = _engine(pack)
    await engine.start(background=False)
    latencies = [0] * len(records)
    clock = time.perf_counter_ns
    handle = engine.handle
    baseline = pipeline = 0
    for first in range(0, len(records), chunk):
        part = records[first : first + chunk]
        if with_baseline:
            start = clock()
            for i, r in enumerate(part, first):
                build_event(r, i)
            baseline += clock() - start
        # One clock read per message: each message's latency runs from the end of the one
        # before to the end of its own handling, so building its event is part of it.
        start = before = clock()
        for i, r in enumerate(part, first):
            await handle(build_event(r, i))
            after = clock()
            latencies[i] = after - before
            before = after
        pipeline += before - start
    await engine.outbox.drain()
    await engine.stop()
    return baseline / 1e9, pipeline / 1e9, latencies, engine


async def state_bytes_per_pair(records: Sequence[Record], pack: PolicyPack) -> tuple[float, int]:
    """Bytes the state store's pair map holds per pair, and the number of pairs.

    Replays the records with ``tracemalloc`` on, then drops the pair map and measures how
    much memory that frees (keys, PairState objects and their dicts, map entries).
    """
    engine = _engine(pack)
    await engine.start(background=False)
    gc.collect()
    tracemalloc.start()
    for i, r in enumerate(records):
        await engine.handle(build_event(r, i))
    store = engine.state
    assert isinstance(store, MemoryStateStore)
    pairs = len(store.pairs)
    gc.collect()
    before, _ = tracemalloc.get_traced_memory()
    store.pairs = BoundedMap(1, 0.0)  # the old map (and everything only it holds) goes
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await engine.stop()
    return ((before - after) / pairs if pairs else 0.0), pairs


def _percentile(sorted_ns: Sequence[int], q: float) -> float:
    if not sorted_ns:
        return 0.0
    index = min(len(sorted_ns) - 1, max(0, round(q * (len(sorted_ns) - 1))))
    return sorted_ns[index] / 1000.0


async def run_bench(
    pack: PolicyPack,
    corpus: str | Path | None = None,
    messages: int = 100_000,
    seed: int = 7,
    memory_messages: int = 30_000,
) -> dict[str, Any]:
    """Run baseline, pipeline and memory measurement; return the bench report.

    Raises:
        ValueError: The corpus holds no message (there would be nothing to time).
    """
    records = load_corpus(corpus) if corpus is not None else generate(messages, seed)
    if not records:
        raise ValueError(f"{corpus}: no messages to time")
    # The corpus (a named tuple per message, which the collector keeps tracking) and what
    # was loaded before it live through the run: frozen out of the collector's generations,
    # so the full collections during the timed runs walk what the pipeline keeps, not the
    # input. They took about 4% of the pipeline's time walking the 100,000 records.
    gc.freeze()
    try:
        warm = records[: min(2000, len(records))]
        await time_both(warm, pack)
        baseline, pipeline, latencies, engine = await time_both(records, pack)
        latencies.sort()
        per_pair, pairs = await state_bytes_per_pair(records[:memory_messages], pack)
        hostile_us, hostile_n = await adversarial_max_us(pack)
    finally:
        gc.unfreeze()
    n = len(records)
    return {
        "messages": n,
        "baseline_msgs_per_s": round(n / baseline, 1) if baseline else None,
        "pipeline_msgs_per_s": round(n / pipeline, 1) if pipeline else None,
        "cost_ratio": round(pipeline / baseline, 2) if baseline else None,
        "p50_us": round(_percentile(latencies, 0.50), 1),
        "p99_us": round(_percentile(latencies, 0.99), 1),
        "state_bytes_per_pair": round(per_pair, 1),
        "adversarial_max_us": hostile_us,
        "adversarial_messages": hostile_n,
        "pairs_measured": pairs,
        "corpus": str(corpus) if corpus is not None else f"synthetic(seed={seed})",
        "nudges": engine.dispatcher.stats.by_action.get("nudge_child", 0),
        "cases": engine.dispatcher.stats.by_action.get("escalate", 0),
        "errors": engine.stats.errors,
    }


def to_json(report: dict[str, Any]) -> str:
    """Return the report as one JSON object."""
    return json.dumps(report)
