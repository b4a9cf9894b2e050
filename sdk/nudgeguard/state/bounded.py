"""Bounded containers of the working memory: an LRU set of ids, an LRU map with a TTL.

Re-exported by :mod:`nudgeguard.state.store`, whose records and memory store use them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, MutableSet
from typing import Generic, TypeVar

#: Participants remembered per conversation, most recent first kept (see :class:`RecentSet`).
MAX_PARTICIPANTS = 512


class RecentSet(MutableSet[str]):
    """A set of at most ``cap`` ids that forgets the least recently added one first.

    Adding an id already there makes it the most recent. Every operation is O(1), so a
    message costs the same in a channel of five people and of five hundred thousand.
    """

    __slots__ = ("_items", "cap")

    def __init__(self, items: Iterable[str] = (), cap: int = MAX_PARTICIPANTS) -> None:
        self._items: dict[str, None] = {}
        self.cap = cap
        self.update(items)

    def __contains__(self, value: object) -> bool:
        return value in self._items

    def __iter__(self) -> Iterator[str]:
        """Iterate from the least to the most recently added."""
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"RecentSet({list(self._items)!r})"

    def add(self, value: str) -> None:
        """Add ``value`` as the most recent; forget the oldest when over the cap."""
        items = self._items
        items.pop(value, None)
        items[value] = None
        if len(items) > self.cap:
            del items[next(iter(items))]

    def discard(self, value: str) -> None:
        """Remove ``value`` if present."""
        self._items.pop(value, None)

    def update(self, values: Iterable[str]) -> None:
        """Add each of ``values`` in order."""
        for value in values:
            self.add(value)


K = TypeVar("K")
V = TypeVar("V")


class BoundedMap(Generic[K, V]):
    """A map with an LRU size cap and a time-to-live measured on event time.

    Event time (not wall time) is used so that replays of old transcripts behave as live
    traffic would. Values and their last-write times are kept in two maps rather than as
    ``(time, value)`` pairs: the engine writes back the same live object after every
    message, and a fresh pair per write was garbage the collector had to chase through
    its older generations.
    """

    def __init__(self, max_items: int, ttl_seconds: float) -> None:
        self._data: OrderedDict[K, V] = OrderedDict()
        self._written: dict[K, float] = {}
        self.max_items = max_items
        self.ttl = ttl_seconds

    def get(self, key: K, now: float) -> V | None:
        """Return the live value for ``key`` or None if absent or expired."""
        value = self._data.get(key)
        if value is None:
            return None
        if now - self._written[key] > self.ttl:
            del self._data[key], self._written[key]
            return None
        self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V, now: float) -> None:
        """Store ``value``, evicting the least recently used entries beyond the cap.

        Writing back the live object ``get`` just returned (the engine's every message)
        only renews its time: ``get`` already made it the most recently used.
        """
        data = self._data
        if data.get(key) is value:
            self._written[key] = now
            return
        data[key] = value
        data.move_to_end(key)
        self._written[key] = now
        while len(data) > self.max_items:
            del self._written[data.popitem(last=False)[0]]

    def pop(self, key: K) -> V | None:
        """Remove and return the value for ``key``."""
        self._written.pop(key, None)
        return self._data.pop(key, None)

    def values(self) -> list[V]:
        """Return the stored values (expired ones included until touched)."""
        return list(self._data.values())

    def items(self) -> list[tuple[K, V]]:
        """Return (key, value) pairs without refreshing their age."""
        return list(self._data.items())

    def keys(self) -> list[K]:
        """Return the stored keys."""
        return list(self._data.keys())

    def __len__(self) -> int:
        return len(self._data)
