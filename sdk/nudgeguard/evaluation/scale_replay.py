"""Replaying a corpus for the scale bench: events per conversation, engine, fingerprints.

Participants are namespaced per conversation (as separate people), so a conversation's
decisions do not depend on which worker saw which other conversation first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from nudgeguard.adapter import Adapter
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import CaseStore
from nudgeguard.delivery.outbound import Capabilities, Delivery, ModeratorAlert, Nudge
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.local.transcript import AgesMode, read_transcripts, transcript_events
from nudgeguard.policy import load_policy
from nudgeguard.policy.engine import Decision
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.state.store import MemoryStateStore, StateStore

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
