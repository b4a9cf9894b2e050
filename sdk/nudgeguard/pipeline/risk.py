"""RiskTracker: accumulates evidence per directed pair, across stages and over time.

Grooming is one person working on another, so risk is tracked per (actor -> target) pair in
a conversation. Each signal adds its weight to the score of its primary stage; stage scores
decay with a half-life; the sum is multiplied by factors that research ties to grooming:
several distinct stages, an age gap towards a minor, first contact, a fast pace and
one-sided questioning. Stages are labels, not a state machine: order does not matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from nudgeguard.inbox.events import AgeBand
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.policy.model import Level, PolicyPack
from nudgeguard.state.store import PairState

_MIN_QUESTIONING_MESSAGES = 10
_RAPID_WINDOW_SECONDS = 3600.0
_RAPID_STAGES = 3
#: Context signals that add to a pair's score only the first time.
_ONCE_PER_PAIR = frozenset({"adult_age_cue"})


class RiskContext(NamedTuple):
    """Facts about the message being scored, beyond its signals."""

    now: float
    actor_band: AgeBand
    target_band: AgeBand
    is_question: bool = False
    fanout: int = 0
    """Distinct minors this actor addressed lately, across communities (shared state)."""


class Assessment(NamedTuple):
    """The pair's risk after one message, with everything needed to explain it.

    A named tuple, like :class:`RiskContext`: immutable and about ten times cheaper to build
    than a frozen dataclass, and one is built for every message of a pair with risk.

    Attributes:
        score: Decayed stage sum times factors.
        level: Level reached under the pack's thresholds.
        signals: Signals of this message that count towards the pair.
        stages: Stages with a score above the pack's minimum, highest first.
        factors: Multipliers applied (name -> value), only those not equal to 1.
        urgent_reason: Why the level was forced to urgent, if it was.
    """

    score: float
    level: Level
    signals: tuple[Signal, ...]
    stages: tuple[str, ...]
    factors: dict[str, float]
    urgent_reason: str | None = None


def age_factor(pack: PolicyPack, actor: AgeBand, target: AgeBand) -> tuple[str, float]:
    """Return the named age factor for an actor -> target pair."""
    f = pack.factors
    if target is AgeBand.MINOR:
        if actor is AgeBand.ADULT:
            return "adult_to_minor", f.adult_to_minor
        if actor is AgeBand.MINOR:
            return "minor_to_minor", f.minor_to_minor
        return "unknown_to_minor", f.unknown_to_minor
    if target is AgeBand.ADULT:
        return "to_adult", f.to_adult
    if actor is AgeBand.MINOR:
        # A (declared or self-disclosed) minor towards someone of unknown age: scored like
        # a contact towards an adult, so that the child in a chat is not made the subject.
        return "minor_to_unknown", f.to_adult
    return "unknown_pair", f.unknown_pair


class RiskTracker:
    """Updates a pair's state with one message's signals and scores it."""

    def update(
        self,
        pack: PolicyPack,
        state: PairState,
        signals: Sequence[Signal],
        ctx: RiskContext,
    ) -> Assessment:
        """Decay, add this message's signals, and return the pair's assessment.

        Args:
            pack: The policy pack in force for this conversation.
            state: The pair's state; mutated in place.
            signals: Signals found in the actor's message.
            ctx: Time, age bands and message facts.
        """
        f = pack.factors
        now = ctx.now
        scores = state.scores
        if scores and now > state.last_ts:
            self._decay(state, now, f.half_life_hours * 3600.0)
        state.messages += 1
        if ctx.is_question:
            state.questions += 1

        counted = self._add(pack, state, signals) if signals else ()
        total = sum(scores.values())
        floor = f.stage_min_score
        # Highest first; ties keep their order (a stable sort, reversed or not).
        stages = tuple([s for s in sorted(scores, key=scores.__getitem__, reverse=True)
                        if scores[s] >= floor])  # fmt: skip
        # Factors equal to 1.0 are left out (multiplying by 1.0 changes nothing).
        factors: dict[str, float] = {}
        if len(stages) > 1 and f.stage_diversity_bonus:
            factors["stage_diversity"] = 1.0 + f.stage_diversity_bonus * (min(len(stages), 4) - 1)
        name, value = age_factor(pack, ctx.actor_band, ctx.target_band)
        if value != 1.0:
            factors[name] = value
        since_first = now - state.first_ts
        if since_first <= f.first_contact_hours * 3600.0 and f.first_contact != 1.0:
            factors["first_contact"] = f.first_contact
        if (
            len(stages) >= _RAPID_STAGES
            and since_first <= _RAPID_WINDOW_SECONDS
            and f.rapid_pace != 1.0
        ):
            factors["rapid_pace"] = f.rapid_pace
        if (
            state.messages >= _MIN_QUESTIONING_MESSAGES
            and state.questions * 2 >= state.messages
            and state.replies * 2 < state.messages
            and f.one_sided_questioning != 1.0
        ):
            factors["one_sided_questioning"] = f.one_sided_questioning
        if f.fanout_min_targets and ctx.fanout >= f.fanout_min_targets and f.high_fanout != 1.0:
            factors["high_fanout"] = f.high_fanout
        if counted and f.evasion != 1.0 and any(s.evasion for s in counted):
            factors["evasion"] = f.evasion

        score = total
        for value in factors.values():
            score *= value
        urgent_reason = self._urgent_reason(state, counted, ctx) if counted else None
        level = Level.URGENT if urgent_reason is not None else self._level(pack, score)
        state.last_ts = now
        return Assessment(round(score, 4), level, counted, stages, factors, urgent_reason)

    @staticmethod
    def _decay(state: PairState, now: float, half_life: float) -> None:
        elapsed = now - state.last_ts
        if elapsed <= 0 or not state.scores:
            return
        keep = 0.5 ** (elapsed / half_life)
        for stage in list(state.scores):
            value = state.scores[stage] * keep
            if value < 0.01:
                del state.scores[stage]
            else:
                state.scores[stage] = value

    @staticmethod
    def _add(pack: PolicyPack, state: PairState, signals: Sequence[Signal]) -> tuple[Signal, ...]:
        best: dict[str, Signal] = {}
        for sig in signals:
            spec = TAXONOMY.get(sig.id)
            if spec is None or not spec.about_actor or sig.id in pack.disabled_signals:
                continue
            prior = best.get(sig.id)
            if prior is None or sig.confidence > prior.confidence:
                best[sig.id] = sig
        budget = pack.factors.per_message_cap
        for sig in sorted(best.values(), key=lambda s: -pack.weight(s.id) * s.confidence):
            stage = TAXONOMY[sig.id].stages[0]
            weight = min(pack.weight(sig.id) * sig.confidence, budget)
            if sig.id == "sextortion_threat":
                weight = pack.weight(sig.id) * sig.confidence
            elif sig.id in _ONCE_PER_PAIR and state.signal_counts.get(sig.id):
                weight = 0.0  # someone repeating their own age is not new evidence
            budget = max(0.0, budget - weight)
            if weight:  # a signal of weight 0 counts for rules, never for a stage
                state.scores[stage] = state.scores.get(stage, 0.0) + weight
            state.signal_counts[sig.id] = state.signal_counts.get(sig.id, 0) + 1
        return tuple(best.values())

    @staticmethod
    def _urgent_reason(
        state: PairState, counted: tuple[Signal, ...], ctx: RiskContext
    ) -> str | None:
        ids = {s.id for s in counted}
        if "sextortion_threat" in ids:
            return "threat to expose or demand (sextortion)"
        if "meet_request" in ids:
            if state.signal_counts.get("secrecy_request", 0) > 0:
                return "meeting request after a request for secrecy"
            if ctx.target_band is AgeBand.MINOR and ctx.actor_band is AgeBand.ADULT:
                return "meeting request from an adult to a minor"
        return None

    @staticmethod
    def _level(pack: PolicyPack, score: float) -> Level:
        t = pack.thresholds
        if score >= t.urgent:
            return Level.URGENT
        if score >= t.review:
            return Level.REVIEW
        if score >= t.nudge:
            return Level.NUDGE
        return Level.NONE
