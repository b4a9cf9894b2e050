"""Replay transcripts through the engine and record what happened in each conversation.

Each conversation gets a fresh engine (fresh working memory, fresh in-memory case store)
so that nothing learnt about one transcript's participants leaks into another. Ground
truth (``label``, ``truth``) stays here: the engine only ever sees MessageEvents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from nudgeguard.adapter import Adapter
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.outbound import Capabilities, Delivery, ModeratorAlert, Nudge
from nudgeguard.engine import Engine
from nudgeguard.local.transcript import AgesMode, Transcript, read_transcripts, transcript_events
from nudgeguard.pipeline.detectors import Detector, default_detectors
from nudgeguard.policy.model import PolicyPack
from nudgeguard.state.store import MemoryStateStore

PLATFORM = "eval"


class RecordingAdapter(Adapter):
    """An adapter that delivers nothing and records every nudge and alert it is handed."""

    name: ClassVar[str] = PLATFORM
    capabilities: ClassVar[Capabilities] = Capabilities(
        ephemeral=True, direct_message=True, buttons=True, delete=True, timeout=True
    )

    def __init__(self) -> None:
        super().__init__()
        self.nudges: list[Nudge] = []
        self.alerts: list[ModeratorAlert] = []

    async def start(self) -> None:  # noqa: D102
        return None

    async def stop(self) -> None:  # noqa: D102
        return None

    async def send_nudge(self, nudge: Nudge) -> Delivery:  # noqa: D102
        self.nudges.append(nudge)
        return nudge.delivery[0] if nudge.delivery else Delivery.EPHEMERAL

    async def send_alert(self, alert: ModeratorAlert) -> str | None:  # noqa: D102
        self.alerts.append(alert)
        return f"eval-alert-{len(self.alerts)}"


@dataclass(slots=True)
class Outcome:
    """What happened in one replayed conversation (indices are 1-based message numbers).

    Attributes:
        corpus: File stem the conversation came from.
        id: Conversation id.
        label: Ground truth label (grooming or normal).
        kind: direct or group.
        messages: Number of messages replayed.
        escalated_at: Message number at which the first case opened, if one did.
        subject: Participant the first case is about.
        subject_truth: Ground truth of that participant.
        cases: Cases opened in the conversation (first escalations per pair).
        nudges: Nudges planned for anyone.
        child_nudged_at: Message number of the first nudge to a participant whose truth is
            ``child``.
        delivered_nudges: Nudges the recording adapter received.
        delivered_alerts: Alerts the recording adapter received.
        errors: Events the engine reported as failed.
        lang: Language of the conversation (the corpus line's ``lang``, default en).
    """

    corpus: str
    id: str
    label: str
    kind: str
    messages: int = 0
    escalated_at: int | None = None
    subject: str | None = None
    subject_truth: str | None = None
    cases: int = 0
    nudges: int = 0
    child_nudged_at: int | None = None
    delivered_nudges: int = 0
    delivered_alerts: int = 0
    errors: int = 0
    first_nudges: list[int] = field(default_factory=list)
    lang: str = "en"


async def replay_transcript(
    t: Transcript,
    pack: PolicyPack,
    ages: AgesMode,
    corpus: str = "",
    on_message: Callable[[], None] | None = None,
    extra_detectors: Sequence[Detector] = (),
) -> Outcome:
    """Replay one transcript through a fresh engine and return its outcome.

    ``extra_detectors`` run after fresh built-in detectors (they are shared between
    transcripts, so a costly model loads once); one named like a built-in replaces it
    (a learned scorer with other weights, say).
    """
    adapter = RecordingAdapter()
    detectors = None
    if extra_detectors:
        names = {d.name for d in extra_detectors}
        detectors = [*(d for d in default_detectors() if d.name not in names), *extra_detectors]
    engine = Engine(
        pack,
        cases=SqliteCaseStore(":memory:"),
        state=MemoryStateStore(),
        adapters=[adapter],
        detectors=detectors,
    )
    await engine.start(background=False)
    truth = {p.id: p.truth for p in t.participants}
    out = Outcome(corpus, t.id, t.label, t.kind, lang=t.lang)
    try:
        for index, event in enumerate(
            transcript_events(t, ages, platform=PLATFORM, community_id="eval"), start=1
        ):
            decision = await engine.handle(event)
            out.messages = index
            if on_message is not None:
                on_message()
            if decision is None:
                continue
            if decision.wants("escalate") is not None:
                out.cases += 1
                if out.escalated_at is None:
                    out.escalated_at = index
                    out.subject = decision.actor_id
                    out.subject_truth = truth.get(decision.actor_id)
            if decision.wants("nudge_child") is not None:
                out.nudges += 1
                if truth.get(decision.target_id) == "child" and out.child_nudged_at is None:
                    out.child_nudged_at = index
        await engine.outbox.drain()
    finally:
        await engine.stop()
        out.errors = engine.stats.errors
    out.delivered_nudges = len(adapter.nudges)
    out.delivered_alerts = len(adapter.alerts)
    return out


def corpus_name(path: str | Path) -> str:
    """Return the short name of a corpus file (its stem)."""
    return Path(path).stem


def count_messages(paths: Sequence[str | Path]) -> int:
    """Count the messages in corpora (for a progress bar)."""
    return sum(len(t.messages) for p in paths for t in read_transcripts(p))


async def replay_corpora(
    paths: Iterable[str | Path],
    pack: PolicyPack,
    ages: AgesMode = "unknown",
    on_message: Callable[[], None] | None = None,
    extra_detectors: Sequence[Detector] = (),
) -> list[Outcome]:
    """Replay every transcript of every corpus and return the outcomes in order."""
    outcomes = []
    for path in paths:
        name = corpus_name(path)
        for t in read_transcripts(path):
            outcomes.append(
                await replay_transcript(t, pack, ages, name, on_message, extra_detectors)
            )
    return outcomes
