"""The detector protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from nudgeguard.events import MessageEvent
from nudgeguard.signals import Signal
from nudgeguard.text import NormalizedText


@runtime_checkable
class Detector(Protocol):
    """Something that turns one message into signals.

    Detectors are synchronous and must be fast: they run on every message. A detector that
    raises is isolated by the engine (counted, logged without message text) and skipped.
    Optional detectors are found through the ``nudgeguard.detectors`` entry-point group.
    """

    name: str

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        """Return the signals found in ``text`` (the normalised form of ``event.text``)."""
        ...
