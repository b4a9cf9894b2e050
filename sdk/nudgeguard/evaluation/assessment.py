"""Impact assessment: what a policy would do to a community before it goes live.

Replays transcript corpora (the community's own history, or public samples) through the
real engine with the policy forced to ``live`` and a recording adapter, on simulated time,
and projects nudges and moderator cases per 1,000 messages and per active child, by
signal. Examples are masked: only the signal id and the matched words with all but their
first letter starred ("a** u h*** a****?"), never readable text. Ground-truth labels in
the corpora are ignored.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from nudgeguard.adapter import Adapter
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.outbound import Capabilities, Delivery, ModeratorAlert, Nudge
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand
from nudgeguard.local.transcript import AgesMode, read_transcripts, transcript_events
from nudgeguard.pipeline.detectors import Detector
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.pipeline.text import normalize
from nudgeguard.policy.model import PolicyPack

PLATFORM = "assess"
_WORD = re.compile(r"\w+")


def mask(text: str, limit: int = 60) -> str:
    """Return text with every word reduced to its first letter and stars."""
    masked = _WORD.sub(lambda m: m.group()[0] + "*" * (len(m.group()) - 1), text)
    masked = " ".join(masked.split())
    return masked if len(masked) <= limit else masked[: limit - 1] + "\u2026"


class RecordingAdapter(Adapter):
    """Accepts every delivery and counts it; nothing leaves the process."""

    name: ClassVar[str] = PLATFORM
    capabilities: ClassVar[Capabilities] = Capabilities(
        ephemeral=True, direct_message=True, buttons=True
    )

    def __init__(self) -> None:
        super().__init__()
        self.nudges: list[Nudge] = []
        self.alerts: list[ModeratorAlert] = []

    async def send_nudge(self, nudge: Nudge) -> Delivery:  # noqa: D102
        self.nudges.append(nudge)
        return nudge.delivery[0]

    async def send_alert(self, alert: ModeratorAlert) -> str | None:  # noqa: D102
        self.alerts.append(alert)
        return None


@dataclass(slots=True)
class SignalImpact:
    """Projected effect of one signal."""

    signal: str
    nudges: int = 0
    cases: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ImpactReport:
    """Everything the assessment found."""

    policy: str
    ages: str
    corpora: list[str]
    conversations: int = 0
    messages: int = 0
    nudges: int = 0
    sender_warnings: int = 0
    cases: int = 0
    active_children: int = 0
    signals: dict[str, SignalImpact] = field(default_factory=dict)

    def per_1k(self, count: int) -> float:
        """Return ``count`` per 1,000 messages."""
        return 1000.0 * count / self.messages if self.messages else 0.0

    def per_child(self, count: int) -> float | None:
        """Return ``count`` per active child, or None without children."""
        return count / self.active_children if self.active_children else None

    def impact(self, signal: str) -> SignalImpact:
        """Return (creating) the entry of one signal."""
        return self.signals.setdefault(signal, SignalImpact(signal))


async def assess(
    corpora: Sequence[str | Path],
    pack: PolicyPack,
    ages: AgesMode = "declared",
    *,
    detectors: Sequence[Detector] | None = None,
    examples: int = 3,
) -> ImpactReport:
    """Replay the corpora through the engine and project the policy's impact."""
    live = pack.model_copy(update={"mode": "live"})
    store = SqliteCaseStore(":memory:")
    adapter = RecordingAdapter()
    engine = Engine(live, cases=store, adapters=[adapter], detectors=detectors)
    await engine.start(background=False)
    report = ImpactReport(pack.name, ages, [Path(c).name for c in corpora])
    try:
        for corpus in corpora:
            for t in read_transcripts(corpus):
                report.conversations += 1
                community = f"assess-{report.conversations}"
                people: set[str] = set()
                last = 0.0
                for event in transcript_events(t, ages, platform=PLATFORM, community_id=community):
                    report.messages += 1
                    people.add(event.author.id)
                    last = event.ts
                    decision = await engine.handle(event)
                    if decision is None:
                        continue
                    _collect_examples(report, event.text, decision.signals, examples)
                    if not decision.actions:
                        continue
                    kinds = {a.kind for a in decision.actions}
                    ids = sorted({s.id for s in decision.signals})
                    if "nudge_child" in kinds:
                        report.nudges += 1
                        for sid in ids:
                            report.impact(sid).nudges += 1
                    if "warn_sender" in kinds:
                        report.sender_warnings += 1
                for person in people:
                    age = await engine.state.load_age((PLATFORM, person), last)
                    if age.band is AgeBand.MINOR:
                        report.active_children += 1
        for case in await store.list_cases():
            report.cases += 1
            for sid in case.signals:
                report.impact(sid).cases += 1
    finally:
        await engine.stop()
        await store.close()
    return report


def _collect_examples(
    report: ImpactReport, text: str, signals: Sequence[Signal], limit: int
) -> None:
    norm = normalize(text).text
    for s in signals:
        start, end = s.span
        entry = report.impact(s.id)
        if len(entry.examples) >= limit or end <= start:
            continue
        snippet = mask(norm[start:end])
        if snippet and snippet not in entry.examples:
            entry.examples.append(snippet)


def _rows(r: ImpactReport) -> list[tuple[str, str]]:
    def per_child(n: int) -> str:
        value = r.per_child(n)
        return "n/a (no child identified)" if value is None else f"{value:.2f}"

    return [
        ("Conversations", str(r.conversations)),
        ("Messages", str(r.messages)),
        ("Active children (declared minor or self-disclosed)", str(r.active_children)),
        ("Nudges to children", f"{r.nudges} ({r.per_1k(r.nudges):.2f} per 1,000 messages)"),
        ("Nudges per active child", per_child(r.nudges)),
        ("Moderator cases", f"{r.cases} ({r.per_1k(r.cases):.2f} per 1,000 messages)"),
        ("Cases per active child", per_child(r.cases)),
        ("Warnings to senders", str(r.sender_warnings)),
    ]


def _signal_rows(r: ImpactReport) -> list[tuple[str, str, str, str, str]]:
    items = sorted(r.signals.values(), key=lambda s: (-(s.nudges + s.cases), s.signal))
    return [
        (
            s.signal,
            TAXONOMY[s.signal].family if s.signal in TAXONOMY else "",
            f"{s.nudges} ({r.per_1k(s.nudges):.2f}/1k)",
            f"{s.cases} ({r.per_1k(s.cases):.2f}/1k)",
            " \u00b7 ".join(s.examples),
        )
        for s in items
    ]


_NOTE = (
    "Projection made by replaying the corpora through the engine with the policy set to live. "
    "Examples are masked (first letter of each matched word) so no explicit text appears here. "
    "Signals counted under cases are all signals a case carried when it was opened or updated."
)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(r: ImpactReport) -> str:
    """Return the assessment as Markdown."""
    lines = [
        f"# Impact assessment: policy {_md(r.policy)}",
        "",
        f"Corpora: {_md(', '.join(r.corpora))}; ages: {r.ages}.",
        "",
        _NOTE,
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in _rows(r)],
        "",
        "## By signal",
        "",
        "| signal | family | nudges | cases | masked examples |",
        "|---|---|---|---|---|",
        *[f"| {' | '.join(_md(c) for c in row)} |" for row in _signal_rows(r)],
    ]
    return "\n".join(lines) + "\n"


def render_html(r: ImpactReport) -> str:
    """Return the assessment as a self-contained HTML page."""
    e = html.escape
    summary = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _rows(r))
    signals = "".join(
        "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in _signal_rows(r)
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\"><title>nudgeguard impact assessment</title><style>"
        "body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:1000px}table{"
        "border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        "</style></head><body>"
        f"<h1>Impact assessment: policy {e(r.policy)}</h1>"
        f"<p>Corpora: {e(', '.join(r.corpora))}; ages: {e(r.ages)}.</p><p>{e(_NOTE)}</p>"
        f"<table>{summary}</table><h2>By signal</h2><table><tr><th>signal</th><th>family</th>"
        f"<th>nudges</th><th>cases</th><th>masked examples</th></tr>{signals}</table>"
        "</body></html>\n"
    )
