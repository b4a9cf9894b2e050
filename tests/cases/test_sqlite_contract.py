"""The CaseStore contract on the SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore

from .contract import CaseStoreContract


class TestSqliteCaseStore(CaseStoreContract):
    @pytest.fixture
    async def store(self, tmp_path) -> AsyncIterator[SqliteCaseStore]:
        s = SqliteCaseStore(tmp_path / "cases.sqlite3")
        yield s
        await s.close()


class TestSqliteInMemory(CaseStoreContract):
    @pytest.fixture
    async def store(self) -> AsyncIterator[SqliteCaseStore]:
        s = SqliteCaseStore(":memory:")
        yield s
        await s.close()
