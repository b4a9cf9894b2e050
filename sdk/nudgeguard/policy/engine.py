"""PolicyEngine: turns a pair's assessment into planned actions.

It applies the pack's rules, the fatigue caps and the project's hard lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from nudgeguard.cases.model import Severity, severity_rank
from nudgeguard.inbox.events import AgeBand, ConversationKind
from nudgeguard.pipeline.detectors.learned import MIN_LINES, running_score
from nudgeguard.pipeline.risk import Assessment
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.policy.model import LEVEL_ORDER, Condition, Level, PolicyPack
from nudgeguard.state.store import ChildState, PairState

_DAY = 86400.0
_SUSPECT = "the person is the subject of a case here: a nudge could tip them off"


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One action the engine will take (or, in observe mode, would take)."""

    kind: str
    rule: str
    severity: Severity | None = None
    template: str | None = None
    family: str | None = None


class Decision(NamedTuple):
    """What the engine decided about one message, with everything that explains it.

    A named tuple: immutable, and one is built for every message, which a tuple does in a
    fraction of a dataclass's time.
    """

    platform: str
    community_id: str
    conversation_id: str
    message_id: str
    actor_id: str
    target_id: str
    ts: float
    mode: str
    assessment: Assessment
    actor_band: AgeBand
    target_band: AgeBand
    actions: tuple[PlannedAction, ...] = ()
    suppressed: tuple[tuple[PlannedAction, str], ...] = ()
    family: str | None = None
    reasons: tuple[str, ...] = ()

    @property
    def level(self) -> Level:
        """Return the assessed level."""
        return self.assessment.level

    @property
    def signals(self) -> tuple[Signal, ...]:
        """Return the signals of this message that counted."""
        return self.assessment.signals

    def wants(self, kind: str) -> PlannedAction | None:
        """Return the planned action of ``kind``, if any."""
        return next((a for a in self.actions if a.kind == kind), None)

    def explain(self) -> str:
        """Return a one-paragraph plain-words explanation (no message text)."""
        a = self.assessment
        parts = [f"level {a.level.value} (score {a.score:.2f})"]
        if a.signals:
            parts.append("signals " + ", ".join(s.id for s in a.signals))
        if a.stages:
            parts.append("stages " + "/".join(a.stages))
        if a.factors:
            parts.append(
                "factors " + ", ".join(f"{k} x{v:.2f}" for k, v in sorted(a.factors.items()))
            )
        if a.urgent_reason:
            parts.append(f"urgent because {a.urgent_reason}")
        for action in self.actions:
            parts.append(f"rule '{action.rule}' -> {action.kind}")
        for action, why in self.suppressed:
            parts.append(f"{action.kind} held back ({why})")
        return "; ".join(parts)


def _matches(
    cond: Condition,
    a: Assessment,
    actor: AgeBand,
    target: AgeBand,
    kind: ConversationKind,
    history: dict[str, int],
    target_declared: bool = False,
    learned: float | None = None,
) -> bool:
    if cond.min_level is not None and LEVEL_ORDER[a.level] < LEVEL_ORDER[cond.min_level]:
        return False
    if cond.below_level is not None and LEVEL_ORDER[a.level] >= LEVEL_ORDER[cond.below_level]:
        return False
    if cond.signals_any and not any(s.id in cond.signals_any for s in a.signals):
        return False
    if cond.signals_seen_any and not any(history.get(s) for s in cond.signals_seen_any):
        return False
    if cond.min_stages:
        ignored = cond.stages_not_counted
        counted = [s for s in a.stages if s not in ignored] if ignored else a.stages
        if len(counted) < cond.min_stages:
            return False
    floor = cond.min_learned_score
    if floor is not None and learned is not None and learned < floor:
        return False
    if cond.actor_age and actor not in cond.actor_age:
        return False
    if cond.target_age and target not in cond.target_age:
        return False
    if cond.target_age_source and (
        ("declared" if target_declared else "stated") not in cond.target_age_source
    ):
        return False
    return not (cond.conversation_kind and kind not in cond.conversation_kind)


_ORDER = ("escalate", "append_evidence", "nudge_child", "warn_sender", "observe")


def _action_order(action: PlannedAction) -> int:
    return _ORDER.index(action.kind)


def dominant_family(
    signals: tuple[Signal, ...], pack: PolicyPack, history: dict[str, int]
) -> str | None:
    """Return the nudge family of the weightiest signal (this message first, then history)."""
    if signals:
        top = max(signals, key=lambda s: pack.weight(s.id) * s.confidence)
        return TAXONOMY[top.id].family
    if history:
        top_id = max(history, key=lambda i: pack.weight(i) * history[i])
        return TAXONOMY[top_id].family
    return None


class PolicyEngine:
    """Applies a policy pack to an assessment."""

    def decide(
        self,
        pack: PolicyPack,
        assessment: Assessment,
        *,
        pair: PairState,
        child: ChildState | None,
        actor_band: AgeBand,
        target_band: AgeBand,
        kind: ConversationKind,
        ident: tuple[str, str, str, str, str, str],
        ts: float,
        target_is_suspect: bool = False,
        target_declared: bool = False,
    ) -> Decision:
        """Plan actions for one message.

        Hard lines enforced here, whatever the pack says: no sender warning when the pair
        has an open case or this decision escalates; nudges only when this message carried a
        signal about the actor or opens a case about the pair (never a nudge for someone
        else's old message, and the person at risk hears of a case's danger no later than
        the moderators do); caps never hold back a critical nudge: an urgent one that comes
        with a threat, a meeting request, or a case that opens or rises in severity. A pair
        that merely stays urgent gets the usual caps, as the same words again and again stop
        being read. A known adult who is the subject of a case
        in the conversation gets no nudge at all: a message from the bot could tip them off.

        Args:
            pack: The pack in force.
            assessment: The pair's assessment after this message.
            pair: The pair's state (signal history, open case, earlier nudges).
            child: The target's nudge history; None when this message can nudge neither by
                a signal nor by opening a case (so the caps are not needed).
            actor_band: The author's age band.
            target_band: The target's age band.
            kind: Direct, group or thread.
            ident: (platform, community, conversation, message, actor, target) ids.
            ts: Event time.
            target_is_suspect: The target is the subject of a case in this conversation
                and known to be an adult.
            target_declared: The target's band was declared by the platform or an admin
                (not stated in the chat).
        """
        planned: dict[str, PlannedAction] = {}
        rules = pack.rules
        if not assessment.signals and assessment.level is Level.NONE:
            rules = pack.quiet_rules
            if not rules:
                return Decision(
                    *ident,
                    ts,
                    pack.mode,
                    assessment,
                    actor_band,
                    target_band,
                )
        # The pair's learned running score, once the scorer has read enough of it.
        learned = running_score(pair) if pair.learned_lines >= MIN_LINES else None
        for rule in rules:
            if not _matches(
                rule.when,
                assessment,
                actor_band,
                target_band,
                kind,
                pair.signal_counts,
                target_declared,
                learned,
            ):
                continue
            for act in rule.do:
                prior = planned.get(act.action)
                if act.action == "escalate" and prior is not None and prior.severity is not None:
                    assert act.severity is not None
                    if severity_rank(act.severity) <= severity_rank(prior.severity):
                        continue
                elif prior is not None:
                    continue
                planned[act.action] = PlannedAction(
                    act.action, rule.name, act.severity, act.template
                )
        family = dominant_family(assessment.signals, pack, pair.signal_counts)
        suppressed: list[tuple[PlannedAction, str]] = []
        escalate = planned.get("escalate")
        if (
            escalate is not None
            and pair.case_id is not None
            and pair.case_severity is not None
            and severity_rank(escalate.severity or Severity.LOW)
            <= severity_rank(Severity(pair.case_severity))
        ):
            # The open case gets the new evidence; no new alert for the same severity.
            planned["escalate"] = PlannedAction(
                "append_evidence", escalate.rule, Severity(pair.case_severity)
            )
        warn = planned.get("warn_sender")
        if warn is not None and (escalate is not None or pair.case_id is not None):
            suppressed.append((warn, "a case is open or opening: the sender is never warned"))
            del planned["warn_sender"]
        nudge = planned.get("nudge_child")
        if nudge is not None:
            opens_case = escalate is not None and pair.case_id is None
            alert = planned.get("escalate")
            critical = assessment.level is Level.URGENT and (
                assessment.urgent_reason is not None
                or (alert is not None and alert.kind == "escalate")
            )
            why = (
                _SUSPECT
                if target_is_suspect
                else self._nudge_hold(
                    pack, assessment, pair, child, family, ts, opens_case, critical
                )
            )
            if why is not None:
                suppressed.append((nudge, why))
                del planned["nudge_child"]
            else:
                planned["nudge_child"] = PlannedAction("nudge_child", nudge.rule, family=family)
        actions = tuple(sorted(planned.values(), key=_action_order)) if planned else ()
        return Decision(
            *ident,
            ts,
            pack.mode,
            assessment,
            actor_band,
            target_band,
            actions,
            tuple(suppressed),
            family,
        )

    @staticmethod
    def _nudge_hold(
        pack: PolicyPack,
        a: Assessment,
        pair: PairState,
        child: ChildState | None,
        family: str | None,
        ts: float,
        opens_case: bool,
        critical: bool,
    ) -> str | None:
        if not (a.signals or opens_case) or family is None or child is None:
            return "no new signal in this message"
        if critical:
            return None
        if child.opted_out_until > ts:
            return "paused: the child blocked or reported recently"
        last = pair.nudged.get(family)
        window = pack.caps.family_per_conversation_hours * 3600.0
        if last is not None and ts - last < window:
            hours = pack.caps.family_per_conversation_hours
            return f"{hours:g}-hour cap: already nudged about {family} in this conversation"
        recent = [t for t in child.nudge_times if ts - t < _DAY]
        if len(recent) >= pack.caps.child_per_day:
            return f"{pack.caps.child_per_day}-a-day cap: daily nudge cap for this child reached"
        return None
