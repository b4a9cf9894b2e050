"""Plain names for what the console shows: signals, stages, ages and times."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from nudgeguard import legend
from nudgeguard.cases.model import Case, EvidenceMessage
from nudgeguard.legend import local_time as local_time  # for templates: local ISO times
from nudgeguard.pipeline.signals import TAXONOMY

ACTIONS: dict[str, str] = {
    "nudge_child": "Private nudge to the child",
    "warn_sender": "Private warning to the sender",
    "escalate": "Moderator alert (a case)",
    "append_evidence": "Evidence added to the open case",
}

#: Signals whose messages stay blurred after a reveal until clicked.
EXPLICIT = frozenset(
    s.id for s in TAXONOMY.values() if "SX" in s.stages or s.family in ("sexual", "sextortion")
)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def signal_name(signal: str) -> str:
    """Return a signal's plain name from the shared legend (its id when unknown)."""
    return _sentence(legend.SIGNALS.get(signal, signal.replace("_", " ")))


def action_name(kind: str) -> str:
    """Return a recorded action's plain name (its id when unknown)."""
    return ACTIONS.get(kind, kind.replace("_", " "))


def stage_name(code: str) -> str:
    """Return a stage code's plain name from the shared legend."""
    return _sentence(legend.STAGES.get(code, code))


def is_explicit(message: EvidenceMessage) -> bool:
    """Return True when a message should stay blurred until clicked."""
    return any(s in EXPLICIT for s in message.signals)


def role_of(case: Case, author: str) -> str:
    """Return ``subject``, ``target`` or ``other`` for an evidence author."""
    if author == case.subject:
        return "subject"
    if author == case.target:
        return "target"
    return "other"


def utc(ts: float) -> str:
    """Return a time as ``YYYY-MM-DD HH:MM UTC``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def age(ts: float, now: float | None = None) -> str:
    """Return how long ago ``ts`` was, in the largest sensible unit."""
    seconds = max(0.0, (time.time() if now is None else now) - ts)
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


@dataclass(frozen=True, slots=True)
class AgeCue:
    """What the evidence says about a person's age, and where that came from."""

    role: str
    what: str
    source: str


_AGE_SIGNALS = {
    "minor_self_disclosure": "said they are a minor",
    "adult_age_cue": "gave a cue suggesting an adult",
}


def age_cues(case: Case) -> list[AgeCue]:
    """Return the age cues of the subject and target, each naming its message.

    Cases keep no age band; the cues come from the signals on the evidence messages (the
    person's own words), so a moderator knows what an age is based on before reading.
    """
    cues: list[AgeCue] = []
    for pos, m in enumerate(case.evidence, start=1):
        role = role_of(case, m.author)
        for s in m.signals:
            if s in _AGE_SIGNALS:
                cues.append(AgeCue(role, _AGE_SIGNALS[s], f"their own words, message {pos}"))
            elif s == "age_probe" and role == "subject":
                cues.append(AgeCue("target", "was asked their age", f"message {pos}"))
    return cues
