"""A digest of every decision the engine takes, to show a speed change decides the same.

Usage::

    python scripts/decisions.py [--messages N] [--dump FILE] [CORPUS.jsonl ...]

Runs the bench corpus (the first N synthetic messages of ``nudgeguard bench``, 100,000 by
default, through one engine as the bench does) and every transcript of each corpus given
(a fresh engine per transcript, as ``nudgeguard eval`` does; ages unknown, then declared)
and prints, per run, the number of decisions, nudges and cases and a SHA-256 over every
decision: message, actor, target, level, score and factors (rounded to 9 places),
signals (id, span, confidence, source, band, evasion, logit, a digest of the n-grams),
stages, actions and rules, held-back actions, family, reasons and both age bands, in
order. Two code versions decide the same when
their outputs are equal. ``--dump`` writes the digested lines too, for a diff.
No message text is printed or written.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from nudgeguard.engine import Engine
from nudgeguard.evaluation import bench
from nudgeguard.evaluation.replay import replay_corpora
from nudgeguard.evaluation.synthetic import generate
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.policy.engine import Decision
from nudgeguard.policy.loader import load_policy

Handle = Callable[[Engine, MessageEvent], Coroutine[Any, Any, Decision | None]]


def _hidden(words: tuple[str, ...]) -> str:
    """A learned signal's n-grams are message text: only their digest is kept."""
    return hashlib.sha256("\x00".join(words).encode()).hexdigest()[:16]


def line(d: Decision) -> str:
    """Return one decision as a canonical JSON line (ids, scores, rules; no text)."""
    a = d.assessment
    return json.dumps(
        [
            d.conversation_id,
            d.message_id,
            d.actor_id,
            d.target_id,
            d.mode,
            a.level.value,
            round(a.score, 9),
            [
                [
                    s.id,
                    list(s.span),
                    round(s.confidence, 9),
                    s.source,
                    s.age_band and s.age_band.value,
                    s.evasion,
                    s.about_target,
                    _hidden(s.features),
                    round(s.logit, 9),
                ]
                for s in a.signals
            ],
            list(a.stages),
            sorted((k, round(v, 9)) for k, v in a.factors.items()),
            a.urgent_reason,
            [[p.kind, p.rule, str(p.severity), p.template, p.family] for p in d.actions],
            [[p.kind, p.rule, why] for p, why in d.suppressed],
            d.family,
            list(d.reasons),
            d.actor_band.value,
            d.target_band.value,
        ]
    )


class Recorder:
    """Wraps ``Engine.handle`` and digests every decision it returns."""

    def __init__(self, dump: list[str] | None) -> None:
        self.digest = hashlib.sha256()
        self.decisions = self.nudges = self.cases = self.events = 0
        self.dump = dump

    def wrap(self, handle: Handle) -> Handle:
        """Return ``handle`` recording what it returns."""

        async def recorded(engine: Engine, event: MessageEvent) -> Decision | None:
            decision = await handle(engine, event)
            self.events += 1
            if decision is not None:
                text = line(decision)
                self.digest.update(text.encode())
                self.decisions += 1
                self.nudges += decision.wants("nudge_child") is not None
                self.cases += decision.wants("escalate") is not None
                if self.dump is not None:
                    self.dump.append(text)
            return decision

        return recorded

    def report(self, name: str) -> dict[str, object]:
        """Return the counts and the digest of one run."""
        return {
            "run": name,
            "events": self.events,
            "decisions": self.decisions,
            "nudges": self.nudges,
            "cases": self.cases,
            "sha256": self.digest.hexdigest(),
        }


async def main() -> None:
    """Run the bench corpus and each corpus given; print one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    pack = load_policy("default")
    dump: list[str] | None = [] if args.dump else None
    original = Engine.handle
    runs: list[tuple[str, Callable[[], Coroutine[Any, Any, object]]]] = [
        ("bench", lambda: bench.time_pipeline(generate(args.messages, 7), pack))
    ]
    for ages in ("unknown", "declared"):
        for path in args.corpora:
            runs.append(
                (f"{path.stem}:{ages}", lambda p=path, a=ages: replay_corpora([p], pack, a))
            )
    for name, run in runs:
        recorder = Recorder(dump)
        Engine.handle = recorder.wrap(original)  # type: ignore[method-assign]
        try:
            await run()
        finally:
            Engine.handle = original  # type: ignore[method-assign]
        print(json.dumps(recorder.report(name)), flush=True)
        if dump is not None:
            dump.append(f"== {name}")
    if args.dump and dump is not None:
        args.dump.write_text("\n".join(dump) + "\n", encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
