"""Cache entries of :class:`~nudgeguard.stores.redis_state.RedisStateStore` and their flush.

A flush turns every dirty entry into ops for the ``BATCH`` script (see
:mod:`nudgeguard.stores.redis_lua`) and, once Redis answered, settles each entry: the
version it now holds, and the merged record when another process had written meanwhile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from nudgeguard.stores import codec

FANOUT_CAP = 256
"""Distinct targets kept per actor in the shared fan-out set."""


@dataclass(slots=True)
class Entry:
    """One cached record: the live object, its version in Redis and what Redis holds.

    Attributes:
        kind: ``pair``, ``age``, ``child``, ``conv`` or ``fan``.
        obj: The live object the engine mutates.
        version: Version in Redis this object derives from; -1 forces a merge.
        base: The record as Redis held it at ``version`` ('' when there was none).
        at: Event time of the last write.
        dirty: Saved since the last flush.
        fetched: Monotonic time of the last read from Redis (per-person records expire).
        items: Evidence items as last written (held so their ``id()`` stays unique).
        fps: Their mutable fields as last written.
        rewrite: Redis holds an expired window that must be replaced, not appended to.
        fan_new: Fan-out contacts not yet written.
        fan_sent: Fan-out contacts in the flush under way.
        flushing: Written by the flush under way (a read racing it may see older data).
    """

    kind: str
    obj: Any
    version: int = 0
    base: str = ""
    at: float = 0.0
    dirty: bool = False
    fetched: float = 0.0
    items: list[Any] = field(default_factory=list)
    fps: list[tuple[object, ...]] = field(default_factory=list)
    rewrite: bool = False
    fan_new: dict[str, float] = field(default_factory=dict)
    fan_sent: dict[str, float] = field(default_factory=dict)
    flushing: bool = False

    @property
    def busy(self) -> bool:
        """Holds writes Redis may not have yet: never refresh or drop it from the cache."""
        return self.dirty or self.flushing


Job = tuple[Entry, str]


def encode_writes(
    batch: dict[str, Entry],
    markers: dict[str, str],
    *,
    prefix: str,
    window: int,
    ttl: float,
) -> tuple[str, list[Job]]:
    """Return the script argument for a batch and the entries awaiting a version."""
    ttl_ms = str(int(ttl * 1000))
    ops: list[str] = []
    jobs: list[Job] = []
    for key, e in batch.items():
        e.dirty, e.flushing = False, True
        if e.kind == "fan":
            flat = [x for m, s in e.fan_new.items() for x in (repr(s), m)]
            ops += ["Z", key, ttl_ms, repr(e.at - ttl), str(FANOUT_CAP), str(len(e.fan_new))]
            ops += flat
            e.fan_sent, e.fan_new = e.fan_new, {}
            continue
        if e.kind == "conv":
            _encode_window(prefix + "win:" + key[len(prefix) + 5 :], e, ops, ttl_ms, window)
            data = codec.conv_dump(e.obj, e.at)
        elif e.kind == "pair":
            data = codec.pair_dump(e.obj, e.at)
        elif e.kind == "age":
            data = codec.age_dump(e.obj, e.at)
        else:
            data = codec.child_dump(e.obj, e.at)
        ops += ["J", key, ttl_ms, e.kind, str(e.version), e.base, data]
        jobs.append((e, data))
    for key, value in markers.items():
        ops += ["S", key, ttl_ms, value]
    return json.dumps(ops, separators=(",", ":")), jobs


def _encode_window(wkey: str, e: Entry, ops: list[str], ttl_ms: str, window: int) -> None:
    items = list(e.obj.window)
    fps = [codec.item_fingerprint(i) for i in items]
    known = {id(i): fp for i, fp in zip(e.items, e.fps, strict=True)}
    changed = e.rewrite or any(known.get(id(i), fp) != fp for i, fp in zip(items, fps, strict=True))
    if changed:
        ops += ["W", wkey, ttl_ms, str(len(items)), *(codec.item_dump(i) for i in items)]
    else:
        fresh = [codec.item_dump(i) for i in items if id(i) not in known]
        if fresh:
            ops += ["A", wkey, ttl_ms, str(window), str(len(fresh)), *fresh]
    e.items, e.fps, e.rewrite = items, fps, False


def settle(jobs: list[Job], result: list[Any]) -> None:
    """Record the versions Redis answered; adopt merged records where there was a race."""
    for n, (e, data) in enumerate(jobs):
        version, merged = int(result[2 * n]), result[2 * n + 1]
        if not merged:
            e.version, e.base = version, data
            continue
        decoded = json.loads(merged)
        if e.kind == "conv":
            e.obj.participants.update(decoded.get("pa") or [])
            e.version, e.base = version, merged
            continue
        if e.dirty:
            # Written again meanwhile: merge again from what we sent at the next flush.
            e.version, e.base = -1, data
            continue
        e.version, e.base = version, merged
        fresh: Any
        if e.kind == "pair":
            fresh = codec.pair_load(decoded)
        elif e.kind == "age":
            fresh = codec.age_load(decoded)
        else:
            fresh = codec.child_load(decoded)
        for slot in type(e.obj).__slots__:
            setattr(e.obj, slot, getattr(fresh, slot))
