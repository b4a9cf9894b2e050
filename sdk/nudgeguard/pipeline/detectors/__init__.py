"""Detectors turn a message into signals.

The built-ins are :class:`LexiconDetector` (the taxonomy patterns in
``nudgeguard/patterns/lexicon.yaml`` compiled into one matcher), :class:`AgeDetector`
(self-disclosed ages and adult cues) and :class:`LearnedDetector` (the learned scorer,
weights in ``nudgeguard/patterns/learned_scorer.bin``). Optional detectors plug in through the
``nudgeguard.detectors`` entry-point group.
"""

from nudgeguard.pipeline.age import AgeDetector
from nudgeguard.pipeline.detectors.base import Detector
from nudgeguard.pipeline.detectors.learned import LearnedDetector
from nudgeguard.pipeline.detectors.lexicon import LexiconDetector, load_lexicon

__all__ = [
    "AgeDetector",
    "Detector",
    "LearnedDetector",
    "LexiconDetector",
    "default_detectors",
    "load_lexicon",
]


def default_detectors() -> list[Detector]:
    """Return fresh instances of the built-in detectors, in the order the engine runs them."""
    return [LexiconDetector(), AgeDetector(), LearnedDetector()]
