"""Cache entries of :class:`~nudgeguard.state.stores.redis_state.RedisStateStore` and their flush.

A flush turns every dirty entry into ops for the ``BATCH`` script (see
:mod:`nudgeguard.state.stores.redis_lua`) and, once Redis answered, settles each entry: the
version it now holds, and the merged record when another process had written meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from nudgeguard.state.stores import codec
from nudgeguard.state.stores.redis_io import RedisIO
from nudgeguard.state.stores.redis_lua import BATCH

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
            e.obj = codec.age_load(decoded)  # immutable: the next load returns the merged one
            continue
        else:
            fresh = codec.child_load(decoded)
        # The live object is updated in place (the engine may hold it), field by field.
        for f in fields(e.obj):
            setattr(e.obj, f.name, getattr(fresh, f.name))


class RedisWriter(RedisIO):
    """Marks records dirty and flushes them in one atomic script call per batch.

    Args:
        url: Redis URL.
        prefix: Key prefix.
        client: An existing client to use instead.
        window: Messages kept per evidence window.
        ttl: Seconds a record lives without writes.
        flush_interval: Seconds between background flushes.
        max_dirty: Flush at once when this many records are dirty.
    """

    def __init__(
        self,
        url: str,
        prefix: str,
        client: aioredis.Redis | None,
        *,
        timeouts: tuple[float, float],
        window: int,
        ttl: float,
        flush_interval: float,
        max_dirty: int,
    ) -> None:
        super().__init__(url, prefix, client, timeouts)
        self.window = window
        self.ttl = ttl
        self.flush_interval = flush_interval
        self.max_dirty = max_dirty
        self.flushes = 0
        self._dirty: dict[str, Entry] = {}
        self._markers: dict[str, str] = {}
        self._flush_lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        self._retry: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[bool]] = set()

    def set_marker(self, name: str, value: str) -> None:
        """Write ``value`` under ``name`` in the same atomic batch as the next flush.

        Replay workers store their progress this way: the marker and the state it describes
        reach Redis together or not at all.
        """
        self._markers[self.prefix + "mark:" + name] = value
        self._after_write()

    def _after_write(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())
        if len(self._dirty) >= self.max_dirty and not self._flush_lock.locked():
            task = asyncio.create_task(self.flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self.flush_interval)
        await self.flush()

    async def flush(self) -> bool:
        """Write every dirty record to Redis in one atomic batch; False if Redis is down."""
        async with self._flush_lock:
            if not self._dirty and not self._markers:
                return True
            batch, markers = self._dirty, self._markers
            self._dirty, self._markers = {}, {}
            blob, jobs = encode_writes(
                batch, markers, prefix=self.prefix, window=self.window, ttl=self.ttl
            )
            try:
                result = await self._script(BATCH, blob)
            except (RedisError, OSError) as exc:
                self._down(exc)
                for k, e in batch.items():
                    e.flushing = False
                    # Not written: write the whole window and the unsent contacts next time.
                    e.dirty, e.rewrite = True, e.kind == "conv"
                    e.fan_new = {**e.fan_sent, **e.fan_new}
                    self._dirty.setdefault(k, e)
                for k, v in markers.items():
                    self._markers.setdefault(k, v)
                if self._retry is None or self._retry.done():
                    self._retry = asyncio.create_task(self._retry_later())
                return False
            self.healthy = True
            self.flushes += 1
            settle(jobs, result)
            for e in batch.values():
                e.flushing = False
            return True

    async def _retry_later(self) -> None:
        """Retry the flush until Redis takes it (every second, then up to every 10 s)."""
        delay = max(self.flush_interval, 1.0)
        while True:
            await asyncio.sleep(delay)
            if await self.flush():
                return
            delay = min(delay * 2, 10.0)

    async def aclose(self) -> None:
        """Flush what is dirty and close the connection pool."""
        for task in (self._flusher, self._retry):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        with contextlib.suppress(RedisError, OSError):
            await self.flush()
        await self.redis.aclose()
