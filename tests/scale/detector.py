"""A tiny keyword detector so the scale tests do not depend on the real lexicon."""

from __future__ import annotations

from collections.abc import Sequence

from nudgeguard.events import AgeBand, MessageEvent
from nudgeguard.signals import Signal
from nudgeguard.text import NormalizedText

TABLE = {
    "how old": "age_probe",
    "alone": "supervision_probe",
    "secret": "secrecy_request",
    "snapchat": "platform_migration",
    "photo": "image_request",
    "meet": "meet_request",
    "robux": "gift_offer",
}


class KeywordDetector:
    """Maps fixed keywords to signals; 'im 13' marks a minor."""

    name = "keywords"

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        found = []
        for key, sid in TABLE.items():
            at = text.text.find(key)
            if at >= 0:
                found.append(Signal(sid, (at, at + len(key))))
        if "im 13" in text.text:
            found.append(Signal("minor_self_disclosure", age_band=AgeBand.MINOR, confidence=0.9))
        return found
