"""The StateStore contract on the in-process store."""

from __future__ import annotations

import pytest

from nudgeguard.state.store import MemoryStateStore

from .contract import TTL, StateStoreContract


class TestMemoryStateStore(StateStoreContract):
    @pytest.fixture
    def store(self) -> MemoryStateStore:
        return MemoryStateStore(ttl_seconds=TTL)

    @pytest.fixture
    def reopen(self, store: MemoryStateStore):
        async def same() -> MemoryStateStore:
            return store  # one process: what was saved is what is read

        return same
