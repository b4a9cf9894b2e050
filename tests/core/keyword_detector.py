"""A tiny detector for engine-mechanics tests, independent of the real lexicon."""

from __future__ import annotations

from collections.abc import Sequence

from nudgeguard.inbox.events import AgeBand, MessageEvent
from nudgeguard.pipeline.signals import Signal
from nudgeguard.pipeline.text import NormalizedText

TABLE = {
    "how old": "age_probe",
    "alone": "supervision_probe",
    "secret": "secrecy_request",
    "snapchat": "platform_migration",
    "photo": "image_request",
    "meet": "meet_request",
    "or i post": "sextortion_threat",
    "robux": "gift_offer",
}


class KeywordDetector:
    """Maps fixed keywords to signals; 'im 13' marks a minor, 'im 30' an adult."""

    name = "keywords"

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        found = []
        for key, sid in TABLE.items():
            at = text.text.find(key)
            if at >= 0:
                found.append(Signal(sid, (at, at + len(key))))
        if "im 13" in text.text:
            found.append(Signal("minor_self_disclosure", age_band=AgeBand.MINOR, confidence=0.9))
        if "im 30" in text.text:
            found.append(Signal("adult_age_cue", age_band=AgeBand.ADULT, confidence=0.9))
        return found


class BrokenDetector:
    """Always fails, to prove isolation."""

    name = "broken"

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        raise RuntimeError("boom")
