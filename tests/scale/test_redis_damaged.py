"""Damaged records in Redis (a hand edit, another version's format) cost that record only.

Before, one unreadable record failed every message of its conversation, and one key of the
wrong type failed the whole flush batch, which the store took for an outage of Redis.
"""

from __future__ import annotations

import json
import logging

import redis.asyncio as aioredis

from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.state.stores.redis_state import RedisStateStore
from nudgeguard.testing import FakeAdapter, Scenario, person

ADULT, KID, OTHER_KID = person("adult1"), person("kid1", "minor"), person("kid2", "minor")


def _engine(store: RedisStateStore) -> Engine:
    return Engine(load_policy("default"), state=store, adapters=[FakeAdapter()])


async def _damage(r: aioredis.Redis, prefix: str) -> dict[str, str]:
    """Damage every record the first process wrote; return what was done to which key."""
    done = {}
    async for key in r.scan_iter(match=prefix + "*"):
        kind = key[len(prefix) :].split(":")[0]
        if kind == "pair":
            await r.hset(key, "d", "{not json")
        elif kind == "conv":
            await r.hset(key, "d", "[1, 2, 3]")
        elif kind == "age":
            await r.hset(key, mapping={"d": '{"b": "alien", "at": 1}', "v": "seven"})
        elif kind == "win":
            await r.rpush(key, "garbage", "[1, 2]")
        elif kind == "fan":
            await r.delete(key)
            await r.set(key, "a string where a sorted set belongs")
        else:
            continue
        done[key] = kind
    return done


async def test_damaged_records_start_afresh_and_never_fail_the_engine(
    redis_url, redis_prefix, caplog
):
    first = RedisStateStore(redis_url, prefix=redis_prefix)
    eng = _engine(first)
    await eng.start(background=False)
    chat = Scenario(eng, conversation_id="dm1")
    await chat.say(KID, "hi")
    await chat.say(ADULT, "hey how old are you", to=KID)
    await chat.say(KID, "13")
    await first.flush()
    await first.aclose()

    r = aioredis.Redis.from_url(redis_url, decode_responses=True)
    damaged = await _damage(r, redis_prefix)
    assert {"pair", "conv", "age", "win", "fan"} <= set(damaged.values())

    second = RedisStateStore(redis_url, prefix=redis_prefix)
    eng = _engine(second)
    await eng.start(background=False)
    chat.engine = eng
    with caplog.at_level(logging.WARNING):
        levels = [
            (await chat.say(ADULT, line, to=KID)).level.value
            for line in ("you are so mature", "keep this our secret ok", "add me on snap")
        ]
        other = Scenario(eng, conversation_id="dm2")
        await other.say(OTHER_KID, "hello")
        await other.say(ADULT, "how old r u", to=OTHER_KID)
        await second.flush()
    assert eng.stats.errors == 0
    assert levels[-1] != "none", "the damaged conversation was not scored"
    assert second.healthy, "a damaged key was taken for an outage of Redis"
    assert "record in Redis was started afresh" in caplog.text
    assert "unreachable" not in caplog.text
    # The flush replaced what it wrote again with readable records of the right types.
    for key, kind in damaged.items():
        if kind == "conv" or key.endswith(":adult1:kid1"):
            assert isinstance(json.loads(await r.hget(key, "d")), dict)
            assert (await r.hget(key, "v")).isdigit()
        elif kind == "win":
            assert "garbage" not in await r.lrange(key, 0, -1)
        elif kind == "fan":
            assert await r.type(key) in ("zset", "none")
    # A damaged record nobody wrote since reads as nothing known.
    age = await RedisStateStore(redis_url, prefix=redis_prefix).load_age(("fake", KID.id), 1e9)
    assert age.band.value == "unknown"
    # Erasure still works with damage left in place.
    await r.rpush(damaged_key(damaged, "win"), "garbage")
    assert await second.forget_user(("fake", ADULT.id)) > 0
    assert "garbage" not in await r.lrange(damaged_key(damaged, "win"), 0, -1)
    await second.aclose()
    await r.aclose()


def damaged_key(damaged: dict[str, str], kind: str) -> str:
    return next(k for k, v in damaged.items() if v == kind)
