"""Running the detectors on one message: the engine's detection step.

Mixed into :class:`~nudgeguard.engine.Engine`. Every detector sees the normalised text;
a failing detector, or one that returns an invalid signal, is counted and logged without
message text and never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from nudgeguard.inbox.events import MessageEvent
from nudgeguard.pipeline.conversation import Before
from nudgeguard.pipeline.detectors import Detector
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.pipeline.text import NormalizedText, normalize

#: The engine's logger: detector failures are reported as the engine's, as before the split.
log = logging.getLogger("nudgeguard.engine")

DetectAfter = Callable[[NormalizedText, MessageEvent, tuple[Signal, ...]], Sequence[Signal]]
DetectJoined = Callable[[NormalizedText, MessageEvent], Sequence[Signal]]
#: Characters kept on each side of a joined text (see ``Detection._detect_joined``).
JOIN_CHARS = 256


def _valid(signal: object) -> bool:
    """True for a Signal of the taxonomy with a confidence in [0, 1] and finite logits.

    A plugin's out-of-range or NaN confidence (or learned evidence) would otherwise enter a
    pair's scores and stay there: NaN compares false with every threshold, so the pair
    would never reach a level again whatever the other detectors find.
    """
    return (
        isinstance(signal, Signal)
        and signal.id in TAXONOMY
        and 0.0 <= signal.confidence <= 1.0
        and -1e9 < signal.logit < 1e9
        and -1e9 < signal.conversation_logit < 1e9
    )


class _Counters(Protocol):
    detector_errors: dict[str, int]


class Detection:
    """The detection step on top of the engine's detector list."""

    if TYPE_CHECKING:
        detectors: list[Detector]
        stats: _Counters
        _planned: list[Detector]
        _plan: list[tuple[Detector, DetectAfter | None, bool]]
        _joined: list[tuple[Detector, DetectJoined]]

    def detect(
        self,
        event: MessageEvent,
        *,
        aimed: bool = True,
        text: str | None = None,
        before: Before | None = None,
    ) -> list[Signal]:
        """Run every detector on the event's text, isolating failures.

        A detector with a ``detect_after(text, event, found)`` method gets, instead of a
        ``detect`` call, the signals of the detectors before it (so a costly detector can
        decline cheaply, see :mod:`nudgeguard.pipeline.detectors.semantic`). A signal that is not
        valid (not a :class:`Signal`, an id outside the taxonomy, a confidence outside
        [0, 1]) is dropped and counted against its detector, like a detector that raises.

        Args:
            event: The message.
            aimed: False when the message is aimed at nobody (said to a busy room): the
                detectors whose ``pair_evidence`` is true are skipped, since what they
                report only counts towards the pair a message is aimed at (the learned
                scorer's evidence).
            text: ``event.text``, when the caller has read it already.
            before: The author's last words before a short message, when they said a short
                piece moments ago (:func:`~nudgeguard.pipeline.conversation.words_before`):
                the detectors with a ``detect_joined`` method also read them joined to the
                message (see :meth:`_detect_joined`).
        """
        raw = event.text if text is None else text
        normalized = normalize(raw)
        signals: list[Signal] = []
        plan = self._plan if self._planned == self.detectors else self._make_plan()
        for detector, after, pair_evidence in plan:
            if pair_evidence and not aimed:
                continue
            try:
                if after is not None:
                    found = after(normalized, event, tuple(signals))
                else:
                    found = detector.detect(normalized, event)
                for signal in found:
                    if _valid(signal):
                        signals.append(signal)
                    else:
                        self._detector_failed(detector, event, "returned an invalid signal")
            except Exception:
                self._detector_failed(detector, event, "failed")
        if before is not None and self._joined:
            signals += self._detect_joined(raw, before, event, signals)
        return signals

    def _detect_joined(
        self, raw: str, before: Before, event: MessageEvent, found: list[Signal]
    ) -> list[Signal]:
        """Return what a phrase cut over the author's messages says, and neither part alone.

        The author's last words and this (short) message are read as one text by each
        detector with a ``detect_joined`` method. Only a signal that neither this message
        nor the earlier ones the words come from had counts, so nothing is counted twice;
        it belongs to this message (the one that completed the phrase).
        """
        # Words of a phrase are short: the joined text is bounded whatever the pieces hold.
        joined = normalize(f"{before.words[-JOIN_CHARS:]} {raw[:JOIN_CHARS]}")
        known = {s.id for s in found} | before.signals
        extra: list[Signal] = []
        for detector, detect_joined in self._joined:
            try:
                for signal in detect_joined(joined, event):
                    if not _valid(signal):
                        self._detector_failed(detector, event, "returned an invalid signal")
                    elif signal.id not in known:
                        known.add(signal.id)
                        extra.append(signal)
            except Exception:
                self._detector_failed(detector, event, "failed")
        return extra

    def _detector_failed(self, detector: Detector, event: MessageEvent, what: str) -> None:
        name = getattr(detector, "name", type(detector).__name__)
        self.stats.detector_errors[name] = self.stats.detector_errors.get(name, 0) + 1
        log.warning("detector %s %s on message %s", name, what, event.message_id)

    def _make_plan(self) -> list[tuple[Detector, DetectAfter | None, bool]]:
        """Pair each detector with its ``detect_after`` (or None) and ``pair_evidence`` flag.

        Done once per detector list: rebuilt whenever ``detectors`` is replaced or changed
        in place (compared by element), so no attribute lookup per detector per message.
        """
        self._planned = list(self.detectors)
        self._joined = [
            (d, joined)
            for d in self._planned
            if (joined := getattr(d, "detect_joined", None)) is not None
        ]
        self._plan = [
            (d, getattr(d, "detect_after", None), getattr(d, "pair_evidence", False) is True)
            for d in self._planned
        ]
        return self._plan
