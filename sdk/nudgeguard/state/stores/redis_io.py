"""Connection, key names, batched reads and scripts of the Redis state store."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisError

from nudgeguard.state.stores.redis_lua import READ

log = logging.getLogger("nudgeguard.state.stores.redis_state")

#: Default seconds to open a connection to Redis.
DEFAULT_CONNECT_TIMEOUT = 2.0
#: Default seconds one Redis command may take.
DEFAULT_COMMAND_TIMEOUT = 2.0
#: Seconds reads skip an unreachable Redis before trying it again.
READ_RETRY_INTERVAL = 5.0


class RedisIO:
    """Talks to Redis: one script call per loop turn of reads, scripts loaded on demand.

    Args:
        url: ``redis://[:password@]host:port/db``.
        prefix: Key prefix.
        client: An existing ``redis.asyncio.Redis`` (decode_responses=True) to use instead.
    """

    def __init__(
        self,
        url: str,
        prefix: str,
        client: aioredis.Redis | None,
        timeouts: tuple[float, float] = (DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT),
    ) -> None:
        connect_timeout, command_timeout = timeouts
        # No client-side retries: a timed-out command fails once, at once, and the store
        # degrades to local memory instead of waiting several timeouts in a row.
        self.redis = client or aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=connect_timeout,
            socket_timeout=command_timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self.prefix = prefix
        self.healthy = True
        #: While unhealthy, reads skip Redis until this monotonic time (a flush retries).
        self._quiet_until = 0.0
        self.last_error: str | None = None
        self._keys: dict[tuple[str, tuple[str, ...]], str] = {}
        self._sha: dict[str, str] = {}
        self._reads: list[tuple[list[str], asyncio.Future[Any]]] = []
        self._reader: asyncio.Task[None] | None = None

    # -- keys ------------------------------------------------------------------------------
    def _key(self, kind: str, parts: tuple[str, ...]) -> str:
        cached = self._keys.get((kind, parts))
        if cached is not None:
            return cached
        joined = ":".join(parts)
        if joined.count(":") != len(parts) - 1:
            joined = ":".join(p.replace(":", "%3A") for p in parts)
        if len(self._keys) > 100_000:
            self._keys.clear()
        key = self._keys[(kind, parts)] = self.prefix + kind + ":" + joined
        return key

    # -- reading ---------------------------------------------------------------------------
    async def _read(self, *op: str) -> Any:
        """Queue a read; reads queued in the same loop turn go out in one script call."""
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._reads.append((list(op), fut))
        if self._reader is None:
            self._reader = asyncio.create_task(self._run_reads())
        return await fut

    async def _run_reads(self) -> None:
        await asyncio.sleep(0)
        batch, self._reads, self._reader = self._reads, [], None
        if not self.healthy and time.monotonic() < self._quiet_until:
            results: list[Any] = [None] * len(batch)  # Redis is down: a miss, at once
        else:
            results = await self._fetch(batch)
        for (_, fut), result in zip(batch, results, strict=True):
            if not fut.done():
                fut.set_result(result or None)

    async def _fetch(self, batch: list[tuple[list[str], asyncio.Future[Any]]]) -> list[Any]:
        try:
            raw = await self._script(READ, json.dumps([op for op, _ in batch]))
            results: list[Any] = json.loads(raw)
        except (RedisError, OSError) as exc:
            self._down(exc)
            return [None] * len(batch)
        self.healthy = True
        return results

    async def _script(self, source: str, arg: str) -> Any:
        sha = self._sha.get(source)
        if sha is None:
            sha = self._sha[source] = await self.redis.script_load(source)
        try:
            return await self.redis.evalsha(sha, 0, arg)
        except NoScriptError:
            self._sha[source] = await self.redis.script_load(source)
            return await self.redis.evalsha(self._sha[source], 0, arg)

    def _down(self, exc: BaseException) -> None:
        if self.healthy:
            log.warning(
                "redis state store unreachable (%s); using local memory", type(exc).__name__
            )
        self.healthy = False
        self.last_error = type(exc).__name__
        self._quiet_until = time.monotonic() + READ_RETRY_INTERVAL

    async def get_marker(self, name: str) -> str | None:
        """Return a marker written by :meth:`set_marker`."""
        value = await self.redis.get(self.prefix + "mark:" + name)
        return None if value is None else str(value)

    async def ping(self) -> bool:
        """Return True when Redis answers."""
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError) as exc:
            self._down(exc)
            return False
