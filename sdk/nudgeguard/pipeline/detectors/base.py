"""The detector protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from nudgeguard.inbox.events import MessageEvent
from nudgeguard.pipeline.signals import Signal
from nudgeguard.pipeline.text import NormalizedText


@runtime_checkable
class Detector(Protocol):
    """Something that turns one message into signals.

    Detectors are synchronous and must be fast: they run on every message. A detector that
    raises is isolated by the engine (counted, logged without message text) and skipped.
    Optional detectors are found through the ``nudgeguard.detectors`` entry-point group.

    A detector may also define ``detect_after(text, event, found)``: the engine then calls
    it instead of ``detect`` and passes the signals the detectors before it reported for
    the same message (a costly detector uses them to decline cheaply).

    A detector may define ``detect_joined(text, event)``: the engine also calls it with the
    author's last words before a short message joined to the message (a phrase cut
    over several messages, see :func:`~nudgeguard.pipeline.conversation.words_before`); a
    signal it returns counts for the message unless the message or those earlier pieces
    already had it.

    A detector whose class sets ``pair_evidence = True`` reports only evidence for the pair
    a message is aimed at (the learned scorer's ``learned_grooming``): the engine skips it
    for a message aimed at nobody, where nothing it could report would count.
    """

    name: str

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        """Return the signals found in ``text`` (the normalised form of ``event.text``)."""
        ...
