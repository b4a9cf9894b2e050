"""Detectors turn a message into signals."""

from nudgeguard.detectors.base import Detector


def default_detectors() -> list[Detector]:
    """Return the built-in detectors, in the order they run."""
    from nudgeguard.detectors.lexicon import LexiconDetector

    return [LexiconDetector()]


__all__ = ["Detector", "default_detectors"]
