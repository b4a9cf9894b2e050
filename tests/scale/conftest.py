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
