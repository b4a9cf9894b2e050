"""A small first-in-first-out cache for results that depend on a short text alone."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class FifoCache(OrderedDict[K, V]):
    """A dict that drops its oldest entry when full.

    Evicting with ``popitem(last=False)`` is O(1); deleting a plain dict's first key over
    and over is not (iteration skips the deleted slots), which cost about 5 us a miss.

    Args:
        size: Most entries kept.
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: K, value: V) -> None:
        """Store ``value``, dropping the oldest entry if the cache is full."""
        if len(self) >= self.size:
            self.popitem(last=False)
        self[key] = value
