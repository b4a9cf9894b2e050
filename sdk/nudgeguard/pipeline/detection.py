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
from nudgeguard.pipeline.detectors import Detector
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.pipeline.text import NormalizedText, normalize

#: The engine's logger: detector failures are reported as the engine's, as before the split.
log = logging.getLogger("nudgeguard.engine")

DetectAfter = Callable[[NormalizedText, MessageEvent, tuple[Signal, ...]], Sequence[Signal]]


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

    def detect(
        self, event: MessageEvent, *, aimed: bool = True, text: str | None = None
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
        """
        normalized = normalize(event.text if text is None else text)
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
        return signals

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
        self._plan = [
            (d, getattr(d, "detect_after", None), getattr(d, "pair_evidence", False) is True)
            for d in self._planned
        ]
        return self._plan
