"""Which wording of a nudge family fits what was seen.

A family groups signals for caps; within it, the words a child reads should match what the
other person actually did. Praise for seeming older ("you seem mature for your age") is not
a compliment on looks, and an adult saying their age is not the child oversharing. The
text looked at is the triggering message, in memory only, normalised once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nudgeguard.pipeline.signals import Signal
from nudgeguard.pipeline.text import normalize
from nudgeguard.policy.model import PolicyPack

# Both run on the matched span of a flattery signal (short); linear-time alternations.
_MATURITY = re.compile(r"\b(?:mature|grown|older|adult|wise|smart|old for|act (?:old|big))")
_LOOKS = re.compile(
    r"\b(?:look|pretty|cute|hot|beautiful|gorgeous|sexy|body|developed|tall|big|face|pic)"
)
_SPAN_LIMIT = 400


def wording_key(
    family: str, signals: Sequence[Signal], pack: PolicyPack, text: str | None = None
) -> str:
    """Return the catalog key for a child nudge of ``family`` about ``signals``.

    Args:
        family: The nudge family the policy chose (caps count per family).
        signals: The signals of the triggering message.
        pack: The pack in force (signal weights pick the dominant signal).
        text: The triggering message's text, if known.

    Returns:
        ``flattery_maturity`` for praise of seeming older without praise of looks,
        ``adult_age`` when the dominant signal is the author saying they are an adult,
        else ``family``.
    """
    if not signals:
        return family
    top = max(signals, key=lambda s: pack.weight(s.id) * s.confidence)
    adult = any(s.id == "adult_age_cue" for s in signals)
    if top.id == "adult_age_cue" or (family == "age" and adult):
        return "adult_age"
    if family == "flattery" and text:
        flattery = [s for s in signals if s.id == "flattery_appearance"]
        normal = normalize(text).text
        for s in flattery:
            start, end = s.span
            seen = normal[start:end] if end > start else normal[:_SPAN_LIMIT]
            if _MATURITY.search(seen) and not _LOOKS.search(seen):
                return "flattery_maturity"
    return family
