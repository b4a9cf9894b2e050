"""The StateStore contract on Redis, read back through a second connection."""

from __future__ import annotations

import pytest

from nudgeguard.state.stores.redis_state import RedisStateStore
from tests.state.contract import TTL, StateStoreContract


class TestRedisStateStore(StateStoreContract):
    @pytest.fixture
    async def store(self, redis_url, redis_prefix):
        s = RedisStateStore(redis_url, prefix=redis_prefix, ttl_seconds=TTL)
        opened = [s]
        self._opened = opened
        yield s
        for each in opened:
            await each.aclose()

    @pytest.fixture
    def reopen(self, store, redis_url, redis_prefix):
        async def another_process() -> RedisStateStore:
            await store.aclose()  # writes behind are flushed on close
            fresh = RedisStateStore(redis_url, prefix=redis_prefix, ttl_seconds=TTL)
            self._opened.append(fresh)
            return fresh

        return another_process
