"""Detectors turn a message into signals."""

from nudgeguard.detectors.base import Detector

__all__ = ["Detector"]
