"""A small cache for results that depend on a short text alone."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """A dict that starts afresh when full.

    Chat is Zipfian: the texts worth caching come back within moments, so emptying a full
    cache costs a few misses, while a plain dict's insert is about half the cost of an
    ordered one and there is no per-entry eviction to do. (Deleting a plain dict's first
    key over and over is no option: iteration skips the deleted slots, ~5 us a miss.)

    Args:
        size: Most entries kept.
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: K, value: V) -> None:
        """Store ``value``, emptying the cache first if it is full."""
        if len(self) >= self.size:
            self.clear()
        self[key] = value
