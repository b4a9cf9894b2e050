"""The shared CaseStore contract, run against PostgreSQL."""

from __future__ import annotations

import pytest

from nudgeguard.cases.postgres import PostgresCaseStore

from ..cases.contract import CaseStoreContract


class TestPostgresCaseStore(CaseStoreContract):
    @pytest.fixture
    async def store(self, postgres_db, pg_schema):
        s = PostgresCaseStore(postgres_db, schema=pg_schema)
        yield s
        await s.close()
