"""Recorded decisions: what the bot did, would have done (observe mode) or held back.

Every decision that planned an action, and every nudge a cap held back, is written to the
case store as an :class:`~nudgeguard.cases.store.Observation` whose ``detail`` says what
would have been sent, to whom (by role and keyed pseudonym) and why (rule, signals, level).
No message text and no platform user id is ever recorded.

Readers (the ``decisions`` command, the transparency report, the web console) use
:func:`list_decisions`, which returns frozen :class:`RecordedDecision` values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nudgeguard.cases.store import Observation, ObservationStore
from nudgeguard.delivery.nudges.wording import wording_key
from nudgeguard.policy.engine import Decision, PlannedAction
from nudgeguard.policy.model import PolicyPack
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.telemetry import emit

#: The person each action addresses.
AUDIENCE = {
    "nudge_child": "child",
    "warn_sender": "sender",
    "escalate": "moderators",
    "append_evidence": "moderators",
}
#: Hold reasons that are not worth a record: the rule matched but this message adds nothing.
_NOT_RECORDED = ("no new signal",)


@dataclass(frozen=True, slots=True)
class Planned:
    """One action of a decision: sent, would have been sent (observe) or held back.

    Attributes:
        action: ``nudge_child``, ``warn_sender``, ``escalate`` or ``append_evidence``.
        audience: ``child``, ``sender`` or ``moderators``.
        recipient: Keyed pseudonym of the person addressed ("" for moderators).
        rule: Name of the policy rule that planned it.
        family: Nudge family (child nudges).
        text_key: Catalog key of the wording: ``family/copy`` for a child nudge,
            ``sender/template`` for a sender warning.
        severity: Case severity (moderator actions).
        held_back: Why it was not sent ("" when it was, or would have been).
    """

    action: str
    audience: str
    recipient: str
    rule: str
    family: str = ""
    text_key: str = ""
    severity: str = ""
    held_back: str = ""


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    """A decision as recorded in the case store (no text, pseudonyms only).

    Attributes:
        id: Row id in the store (``decisions show ID``).
        ts: Unix time of the message.
        mode: ``observe`` (nothing was sent) or ``live``.
        level: Risk level of the pair after the message.
        score: Risk score of the pair.
        signals: Signal ids of the message that counted.
        stages: Grooming stages seen in the pair so far.
        subject: Pseudonym of the message's author.
        target: Pseudonym of the person the message was aimed at.
        planned: The actions, with what was held back and why.
    """

    id: int
    ts: float
    platform: str
    community_id: str
    mode: str
    level: str
    score: float
    signals: tuple[str, ...]
    stages: tuple[str, ...]
    subject: str
    target: str
    planned: tuple[Planned, ...]

    @property
    def held_back(self) -> tuple[Planned, ...]:
        """Return the actions a cap or a hard line held back."""
        return tuple(p for p in self.planned if p.held_back)

    @property
    def would_have(self) -> tuple[Planned, ...]:
        """Return the actions taken (live) or that would have been taken (observe)."""
        return tuple(p for p in self.planned if not p.held_back)


def worth_recording(decision: Decision) -> bool:
    """Return True when a decision acted, or a cap or hard line held a nudge back."""
    return bool(decision.actions) or any(
        not why.startswith(_NOT_RECORDED) for _, why in decision.suppressed
    )


def _planned(
    action: PlannedAction,
    d: Decision,
    pack: PolicyPack,
    pseudonyms: Pseudonymizer,
    why: str,
    text: str | None,
) -> Planned:
    audience = AUDIENCE.get(action.kind, "moderators")
    person = {"child": d.target_id, "sender": d.actor_id}.get(audience)
    family = action.family or (d.family or "" if action.kind == "nudge_child" else "")
    key = ""
    if action.kind == "nudge_child":
        key = f"{wording_key(family or 'generic', d.signals, pack, text)}/{pack.nudges.copy_for}"
    elif action.kind == "warn_sender":
        key = f"sender/{action.template or 'keep_public'}"
    return Planned(
        action=action.kind,
        audience=audience,
        recipient=pseudonyms.pseudonym(d.platform, person) if person else "",
        rule=action.rule,
        family=family,
        text_key=key,
        severity=action.severity.value if action.severity else "",
        held_back=why,
    )


def observation_of(
    d: Decision, pack: PolicyPack, pseudonyms: Pseudonymizer, text: str | None = None
) -> Observation:
    """Return the record of a decision: actions, held-back nudges, pseudonyms, no text.

    ``text`` (the triggering message, if known) only chooses the wording key recorded.
    """
    planned = [_planned(a, d, pack, pseudonyms, "", text) for a in d.actions]
    planned += [
        _planned(a, d, pack, pseudonyms, why, text)
        for a, why in d.suppressed
        if not why.startswith(_NOT_RECORDED)
    ]
    a = d.assessment
    detail = {
        "score": round(a.score, 4) if math.isfinite(a.score) else 0.0,
        "stages": list(a.stages),
        "subject": pseudonyms.pseudonym(d.platform, d.actor_id),
        "target": pseudonyms.pseudonym(d.platform, d.target_id),
        "planned": [_asdict(p) for p in planned],
    }
    return Observation(
        ts=d.ts,
        platform=d.platform,
        community_id=d.community_id,
        level=d.level.value,
        signals=tuple(s.id for s in d.signals),
        actions=tuple(a.kind for a in d.actions),
        mode="observe" if d.mode == "observe" else "live",
        family=d.family or "",
        detail=json.dumps(detail, separators=(",", ":")),
    )


def log_recorded(d: Decision, pseudonyms: Pseudonymizer) -> None:
    """Log a recorded decision: each nudge held back, and an observe-mode decision."""
    for action, why in d.suppressed:
        if action.kind == "nudge_child" and not why.startswith(_NOT_RECORDED):
            recipient = pseudonyms.pseudonym(d.platform, d.target_id)
            reason = why.split(":")[0]
            emit("nudge_held_back", "child", recipient=recipient, family=d.family, reason=reason)
    if d.mode == "observe" and d.actions:
        would_have = ",".join(a.kind for a in d.actions)
        emit("decision_observed", level=d.level.value, would_have=would_have)


def describe(p: Planned, mode: str) -> str:
    """Return one action in plain words: what, to whom (role and pseudonym), why; no text."""
    if p.action == "nudge_child":
        what = f"nudge to the child {p.recipient} ({p.text_key})"
    elif p.action == "warn_sender":
        what = f"warning to the sender {p.recipient} ({p.text_key})"
    elif p.action == "escalate":
        what = f"moderator alert, case severity {p.severity}"
    else:
        what = f"evidence added to the open case (severity {p.severity})"
    if p.held_back:
        return f"held back: {what}; {p.held_back}"
    verb = "would have sent" if mode == "observe" else "sent"
    return f"{verb}: {what}; rule {p.rule}"


def _asdict(p: Planned) -> dict[str, str]:
    return {k: getattr(p, k) for k in Planned.__slots__ if getattr(p, k)}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def decision_of(obs: Observation) -> RecordedDecision | None:
    """Return the decision an observation records; None for other records (button presses)."""
    if not obs.detail:
        return None
    try:
        data = json.loads(obs.detail)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    items = data.get("planned") if isinstance(data.get("planned"), list) else []
    planned = tuple(
        Planned(**{k: _text(i.get(k)) for k in Planned.__slots__})
        for i in items or ()
        if isinstance(i, dict)
    )
    score = data.get("score")
    stages = data.get("stages")
    return RecordedDecision(
        id=obs.id,
        ts=obs.ts,
        platform=obs.platform,
        community_id=obs.community_id,
        mode=obs.mode,
        level=obs.level,
        score=float(score) if isinstance(score, int | float) else 0.0,
        signals=tuple(obs.signals),
        stages=tuple(_text(s) for s in stages) if isinstance(stages, list) else (),
        subject=_text(data.get("subject")),
        target=_text(data.get("target")),
        planned=planned,
    )


async def list_decisions(
    store: ObservationStore,
    community_id: str | None = None,
    since: float = 0.0,
    until: float | None = None,
) -> list[RecordedDecision]:
    """Return recorded decisions of a community (or all) in ``[since, until)``, oldest first.

    Args:
        store: The case store.
        community_id: Only this community's decisions; all when None.
        since: Earliest message time (unix seconds), inclusive.
        until: Latest message time, exclusive; no limit when None.
    """
    found = await store.observations(since=since, community_id=community_id)
    out: list[RecordedDecision] = []
    for obs in found:
        if until is not None and obs.ts >= until:
            continue
        d = decision_of(obs)
        if d is not None:
            out.append(d)
    return out


def summary(decisions: Sequence[RecordedDecision]) -> dict[str, int]:
    """Return counts for a report: would-have (observe) and held-back actions by kind."""
    counts: dict[str, int] = {}
    for d in decisions:
        for p in d.planned:
            if p.held_back:
                key = f"held back: {p.action}"
            elif d.mode == "observe":
                key = f"would have: {p.action}"
            else:
                continue
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))
