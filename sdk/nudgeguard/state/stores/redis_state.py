"""RedisStateStore: working memory shared by every bot process, on Redis (extra ``redis``).

How it stays fast and correct:

* **Near cache.** Loaded records stay in a bounded per-process cache. Conversations and
  their pairs are read from Redis once per process (a conversation is normally handled by
  one process at a time: Discord shards by guild, Slack workers by channel); per-person
  records that other conversations also write (age, nudge history, fan-out) are re-read
  when their cached copy is older than ``shared_refresh`` seconds.
* **Batched, atomic writes.** ``save_*`` marks a record dirty; a background flush sends
  every dirty record in ONE script call (see :mod:`nudgeguard.state.stores.redis_lua`). Each
  record is a compare-and-set on its version and merges instead of overwriting when another
  process wrote in between, so no concurrent update is lost.
* **Reads batched too.** Cache misses of concurrent coroutines go out in one pipeline.
* **Bounded.** Evidence windows are Redis lists trimmed to ``window`` items; nudge times
  and fan-out sets are capped; every key has a TTL; records expire in event time as well.
* **Outages.** When Redis is unreachable the store keeps working from its cache (a miss
  gives a fresh record), keeps dirty records and retries the flush; it never raises into
  the engine. ``healthy`` and ``last_error`` tell a status page what is going on.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from nudgeguard.state.store import (
    UNKNOWN_AGE,
    AgeInference,
    ChildState,
    ConversationKey,
    ConversationState,
    PairKey,
    PairState,
    UserKey,
)
from nudgeguard.state.stores import codec
from nudgeguard.state.stores.redis_batch import Entry, RedisWriter
from nudgeguard.state.stores.redis_io import DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT

log = logging.getLogger(__name__)

_SHARED_KINDS = ("age", "child", "fan")


class RedisStateStore(RedisWriter):
    """A :class:`~nudgeguard.state.store.StateStore` on Redis, shared by several processes.

    Args:
        url: ``redis://[:password@]host:port/db``.
        prefix: Key prefix; tests and several deployments on one server use their own.
        window: Messages kept per conversation in the evidence window.
        ttl_seconds: Records untouched for longer are forgotten (Redis TTL and event time).
        flush_interval: Seconds between background flushes of dirty records.
        max_dirty: Flush at once when this many records are dirty.
        shared_refresh: Age of a cached per-person record before it is read again.
        max_cached: Cap on cached records (the oldest clean ones are dropped first).
        client: An existing ``redis.asyncio.Redis`` (decode_responses=True) to use instead.
        connect_timeout: Seconds to open a connection.
        command_timeout: Seconds one command may take. Past either, the store works from
            local memory and stops asking Redis until a background flush gets through.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "ng:",
        window: int = 40,
        ttl_seconds: float = 14 * 24 * 3600,
        flush_interval: float = 0.02,
        max_dirty: int = 2000,
        shared_refresh: float = 1.0,
        max_cached: int = 200_000,
        client: aioredis.Redis | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
    ) -> None:
        super().__init__(
            url,
            prefix,
            client,
            timeouts=(connect_timeout, command_timeout),
            window=window,
            ttl=ttl_seconds,
            flush_interval=flush_interval,
            max_dirty=max_dirty,
        )
        self.shared_refresh = shared_refresh
        self.max_cached = max_cached
        self._cache: OrderedDict[str, Entry] = OrderedDict()
        # Conversations that had no record in Redis when this process first read them:
        # their pairs not in the cache have never been written, so reading them is skipped.
        # Forgotten whenever a conversation's or pair's entry leaves the cache.
        self._born: dict[str, None] = {}

    def _cached(self, key: str, now: float) -> Entry | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        if entry.dirty or entry.flushing:
            return entry
        if now - entry.at > self.ttl:
            self._drop(key)
            return None
        if entry.kind in _SHARED_KINDS and time.monotonic() - entry.fetched > self.shared_refresh:
            return None
        return entry

    async def _load_json(self, kind: str, key: str, now: float) -> tuple[dict[str, Any], Entry]:
        got = await self._read("H", key)
        return self._decode_json(kind, got, now)

    def _decode_json(self, kind: str, got: Any, now: float) -> tuple[dict[str, Any], Entry]:
        ver, data = (got[0], got[1]) if got else ("", "")
        decoded = codec.record(kind, data)
        if not decoded:
            data = ""  # nothing to merge from: the next write replaces the record
        entry = Entry(kind, None, codec.version(ver), data or "", fetched=time.monotonic())
        if decoded and now - float(decoded.get("at", now)) > self.ttl:
            decoded = {}
        if not self.healthy:
            entry.version = -1
        entry.at = float(decoded.get("at", now)) if decoded else now
        return decoded, entry

    def _keep(self, key: str, entry: Entry) -> None:
        self._cache[key] = entry
        if len(self._cache) > self.max_cached:
            # Drop the oldest clean entries, a batch at a time (Redis still has them).
            excess = len(self._cache) - self.max_cached + max(1, self.max_cached // 100)
            for k in list(itertools.islice(self._cache, 2 * excess)):
                e = self._cache[k]
                if excess > 0 and not (e.dirty or e.flushing):
                    self._drop(k)
                    excess -= 1

    def _drop(self, key: str) -> None:
        entry = self._cache.pop(key)
        if entry.kind in ("pair", "conv"):
            self._born.clear()

    def _newer(self, key: str, before: Entry | None) -> Entry | None:
        """Return the cached entry if it changed while we were reading (it wins)."""
        current = self._cache.get(key)
        if current is not None and (current is not before or current.busy):
            return current
        return None

    # -- StateStore ------------------------------------------------------------------------
    def cached_pair(self, key: PairKey, now: float) -> PairState | None:  # noqa: D102
        pk = self._key("pair", key)
        if pk not in self._cache and self._key("conv", key[:3]) in self._born:
            # A conversation this process created: Redis cannot know its pairs yet.
            fresh = PairState(first_ts=now, last_ts=now)
            self._keep(pk, Entry("pair", fresh, 0, "", now, fetched=time.monotonic()))
            return fresh
        entry = self._cached(pk, now)
        return entry.obj if entry is not None else None

    async def load_pair(self, key: PairKey, now: float) -> PairState:  # noqa: D102
        cached = self.cached_pair(key, now)
        if cached is not None:
            return cached
        return await self._load_simple("pair", self._key("pair", key), now)  # type: ignore[no-any-return]

    def cached_age(self, key: UserKey, now: float) -> AgeInference | None:  # noqa: D102
        entry = self._cached(self._key("age", key), now)
        return entry.obj if entry is not None else None

    async def load_age(self, key: UserKey, now: float) -> AgeInference:  # noqa: D102
        return await self._load_simple("age", self._key("age", key), now)  # type: ignore[no-any-return]

    async def load_child(self, key: UserKey, now: float) -> ChildState:  # noqa: D102
        return await self._load_simple("child", self._key("child", key), now)  # type: ignore[no-any-return]

    async def _load_simple(self, kind: str, key: str, now: float) -> Any:
        entry = self._cached(key, now)
        if entry is not None:
            return entry.obj
        before = self._cache.get(key)
        decoded, entry = await self._load_json(kind, key, now)
        newer = self._newer(key, before)
        if newer is not None:
            return newer.obj
        fresh: Any
        load: Callable[[dict[str, Any]], Any]
        if kind == "pair":
            load, fresh = codec.pair_load, PairState(first_ts=now, last_ts=now)
        elif kind == "age":
            load, fresh = codec.age_load, UNKNOWN_AGE
        else:
            load, fresh = codec.child_load, ChildState()
        entry.obj = fresh
        if decoded:
            try:
                entry.obj = load(decoded)
            except codec.SHAPE_ERRORS:
                codec.note_unreadable(kind)
                entry.base = ""
        self._keep(key, entry)
        return entry.obj

    def save_pair(self, key: PairKey, state: PairState, now: float) -> None:  # noqa: D102
        self._mark("pair", self._key("pair", key), state, now)

    def save_age(self, key: UserKey, value: AgeInference, now: float) -> None:  # noqa: D102
        self._mark("age", self._key("age", key), value, now)

    def save_child(self, key: UserKey, value: ChildState, now: float) -> None:  # noqa: D102
        self._mark("child", self._key("child", key), value, now)

    def cached_conversation(  # noqa: D102
        self, key: ConversationKey, now: float
    ) -> ConversationState | None:
        entry = self._cached(self._key("conv", key), now)
        return entry.obj if entry is not None else None

    async def load_conversation(  # noqa: D102
        self, key: ConversationKey, now: float
    ) -> ConversationState:
        ck = self._key("conv", key)
        entry = self._cached(ck, now)
        if entry is not None:
            return entry.obj  # type: ignore[no-any-return]
        before = self._cache.get(ck)
        got = await self._read("C", ck, self._key("win", key))
        newer = self._newer(ck, before)
        if newer is not None:
            return newer.obj  # type: ignore[no-any-return]
        decoded, entry = self._decode_json("conv", got, now)
        window = list(got[2] or []) if got else []
        if not decoded:
            entry.rewrite, window = bool(window), []
            if self.healthy:
                self._born[ck] = None
                if len(self._born) > self.max_cached:
                    self._born.clear()
        items = codec.items_load(window)
        if len(items) < len(window):
            codec.note_unreadable("evidence window")
            entry.rewrite = True  # the next flush rewrites the list without them
        try:
            entry.obj = codec.conv_load(decoded, items, self.window)
        except codec.SHAPE_ERRORS:
            codec.note_unreadable("conv")
            entry.obj, entry.base = codec.conv_load({}, items, self.window), ""
        entry.items = list(entry.obj.window)
        entry.fps = [codec.item_fingerprint(i) for i in entry.items]
        self._keep(ck, entry)
        return entry.obj  # type: ignore[no-any-return]

    def save_conversation(  # noqa: D102
        self, key: ConversationKey, state: ConversationState, now: float
    ) -> None:
        self._mark("conv", self._key("conv", key), state, now)

    async def note_contact(
        self, actor: UserKey, target_id: str, now: float, window_seconds: float
    ) -> int:
        """Record that ``actor`` addressed the minor ``target_id``; return distinct targets.

        The count covers every community and every process, within ``window_seconds``.
        """
        fk = self._key("fan", actor)
        entry = self._cached(fk, now)
        if entry is None:
            before = self._cache.get(fk)
            got = list(await self._read("Z", fk) or [])
            entry = self._newer(fk, before)
            if entry is None:
                known = {str(m): float(s) for m, s in zip(got[::2], got[1::2], strict=True)}
                entry = Entry("fan", known, fetched=time.monotonic())
                self._keep(fk, entry)
        contacts: dict[str, float] = entry.obj
        if contacts.get(target_id, -1.0) < now:
            contacts[target_id] = now
            entry.fan_new[target_id] = now
        entry.at = now
        self._dirty[fk] = entry
        entry.dirty = True
        self._after_write()
        return sum(1 for t in contacts.values() if t >= now - window_seconds)

    async def forget_user(self, key: UserKey) -> int:
        """Drop everything held about one user, in Redis and in this process's cache."""
        await self.flush()
        platform, user = key
        gone = 0
        async for k in self.redis.scan_iter(match=self._key("pair", (platform,)) + ":*"):
            parts = k[len(self.prefix) :].split(":")
            if user.replace(":", "%3A") in parts[4:6]:
                gone += await self.redis.delete(k)
        for kind in ("age", "child", "fan"):
            gone += await self.redis.delete(self._key(kind, key))
        async for k in self.redis.scan_iter(match=self._key("fan", (platform,)) + ":*"):
            try:
                await self.redis.zrem(k, user)
            except ResponseError:  # not a sorted set (a hand edit): nothing of ours is in it
                gone += await self.redis.delete(k)
        async for k in self.redis.scan_iter(match=self._key("win", (platform,)) + ":*"):
            try:
                items = await self.redis.lrange(k, 0, -1)
            except ResponseError:
                gone += await self.redis.delete(k)
                continue
            # An item that cannot be read cannot be shown not to be theirs: it goes too.
            kept = [i for i in items if codec.item_author(i) not in (user, None)]
            if len(kept) != len(items):
                gone += len(items) - len(kept)
                pipe = self.redis.pipeline(transaction=True)
                pipe.delete(k)
                if kept:
                    pipe.rpush(k, *kept)
                    pipe.pexpire(k, int(self.ttl * 1000))
                await pipe.execute()
        self._cache.clear()
        self._born.clear()
        return gone

    async def forget_matching(self, platform: str, matches: Callable[[str], bool]) -> int:
        """Forget every user on ``platform`` whose id ``matches`` (see :meth:`forget_user`).

        Reads the ids out of the platform's key names, contact sets and evidence windows
        (one scan each; erasures are rare), then forgets each match.
        """
        await self.flush()
        known: set[str] = set()
        for kind, first, last in (("pair", 4, 6), ("age", 2, 3), ("child", 2, 3), ("fan", 2, 3)):
            async for k in self.redis.scan_iter(match=self._key(kind, (platform,)) + ":*"):
                for part in k[len(self.prefix) :].split(":")[first:last]:
                    known.update((part, part.replace("%3A", ":")))
        async for k in self.redis.scan_iter(match=self._key("fan", (platform,)) + ":*"):
            with contextlib.suppress(ResponseError):  # not a sorted set: forget_user drops it
                known.update(str(m) for m in await self.redis.zrange(k, 0, -1))
        async for k in self.redis.scan_iter(match=self._key("win", (platform,)) + ":*"):
            with contextlib.suppress(ResponseError):
                for item in await self.redis.lrange(k, 0, -1):
                    author = codec.item_author(item)
                    if author is not None:
                        known.add(author)
        gone = 0
        for user in sorted(u for u in known if matches(u)):
            gone += await self.forget_user((platform, user))
        return gone

    # -- writing ---------------------------------------------------------------------------
    def _mark(self, kind: str, key: str, obj: Any, now: float) -> None:
        entry = self._cache.get(key)
        if entry is None or entry.obj is not obj:
            old = entry
            entry = Entry(kind, obj, -1, "", fetched=time.monotonic())
            if old is not None:
                entry.version, entry.base = old.version, old.base
                entry.items, entry.fps, entry.rewrite = old.items, old.fps, old.rewrite
            self._cache[key] = entry
        entry.at = now
        entry.dirty = True
        self._dirty[key] = entry
        self._after_write()
