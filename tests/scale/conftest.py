import os
import uuid

import pytest

from .services import REDIS_URL, require


@pytest.fixture
def redis_url() -> str:
    require(REDIS_URL, 6379, "Redis")
    return REDIS_URL


@pytest.fixture
async def redis_prefix(redis_url):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    import redis.asyncio as aioredis

    prefix = f"ngtest:{os.getpid()}:{uuid.uuid4().hex[:8]}:"
    yield prefix
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    keys = [k async for k in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture(scope="session")
def postgres_db():
    """A database of this test session's own, dropped at the end; yields its DSN."""
    import asyncio

    import asyncpg

    from .services import POSTGRES_DSN, require

    require(POSTGRES_DSN, 5432, "PostgreSQL")
    name = f"ngtest_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        con = await asyncpg.connect(POSTGRES_DSN)
        try:
            await con.execute(sql)
        finally:
            await con.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    base, _, _ = POSTGRES_DSN.rpartition("/")
    yield f"{base}/{name}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_schema() -> str:
    """A schema name of this test's own (the store creates it)."""
    return f"t_{uuid.uuid4().hex[:10]}"
