"""The core's adapter conformance suite, run against the Slack adapter over the wire.

Messages go in as signed Events API requests to the adapter's HTTP endpoint; what the bot
sends is read back from the fake Slack Web API.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator

import pytest

from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.testing.conformance import AdapterConformance, ConformanceHarness
from nudgeguard_slack import SlackAdapter
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import SlackSender, message_envelope

MINORS_GROUP = "S0KIDS"


class SlackHarness(ConformanceHarness):
    """Drives the Slack adapter through signed HTTP requests and the fake Web API."""

    def __init__(
        self, engine: Engine, adapter: SlackAdapter, fake: FakeSlack, slack: SlackSender
    ) -> None:
        self.engine = engine
        self.adapter = adapter
        self.fake = fake
        self.slack = slack
        self._ts = itertools.count(1)
        self._last_ts: dict[str, str] = {}
        self._sent = 0

    async def send(
        self,
        author: str,
        text: str,
        *,
        minor: bool = False,
        reply_to: str | None = None,
        bot: bool = False,
    ) -> None:
        if minor and author not in self.fake.usergroups[MINORS_GROUP]:
            self.fake.usergroups[MINORS_GROUP].append(author)
        ts = f"{1700002000 + 30 * next(self._ts)}.000100"
        extra: dict[str, object] = {}
        if bot:
            extra = {"subtype": "bot_message", "bot_id": "B0" + author.upper()[:8]}
        elif reply_to is not None and reply_to in self._last_ts:
            extra = {"thread_ts": self._last_ts[reply_to], "parent_user_id": reply_to}
        envelope = message_envelope(author, text, ts, **extra)  # type: ignore[arg-type]
        reply = await self.slack.event(envelope)
        assert reply.status == 200
        self._last_ts.setdefault(author, ts)
        self._sent += 1
        await self.wait_for(lambda: self.adapter.received >= self._sent)

    def _private(self, call: Call, user: str) -> bool:
        if call.method == "chat.postEphemeral":
            return call.get("user") == user
        return self.fake.dm_users.get(str(call.get("channel"))) == user

    def _sent_calls(self) -> list[Call]:
        return [
            c
            for c in self.fake.calls
            if c.method in ("chat.postEphemeral", "chat.postMessage", "chat.update")
            and not (c.method == "chat.postEphemeral" and c.get("user") in self.fake.closed_users)
        ]

    async def private_texts(self, user: str) -> list[str]:
        return [str(c.get("text")) for c in self._sent_calls() if self._private(c, user)]

    async def public_texts(self) -> list[str]:
        return [
            str(c.get("text")) + json.dumps(c.get("blocks"))
            for c in self._sent_calls()
            if c.method != "chat.postEphemeral" and str(c.get("channel")) not in self.fake.dm_users
        ]

    async def alert_texts(self) -> list[str]:
        return [
            str(c.get("text")) + json.dumps(c.get("blocks"))
            for c in self._sent_calls()
            if c.method in ("chat.postMessage", "chat.update") and c.get("channel") == "C0MODS"
        ]

    async def close_private_channels(self, user: str) -> None:
        self.fake.closed_users.add(user)


class TestSlackConformance(AdapterConformance):
    @pytest.fixture
    async def harness(self, fake_slack: FakeSlack) -> AsyncIterator[SlackHarness]:
        fake_slack.usergroups[MINORS_GROUP] = []
        fake_slack.usergroups["S0MODS"] = ["U0MOD"]
        adapter = make_adapter(
            fake_slack, ages={"minor": {"groups": [MINORS_GROUP]}}, group_cache_seconds=0
        )
        engine = Engine(load_policy("default"), adapters=[adapter])
        await engine.start(background=False)
        url = f"http://127.0.0.1:{adapter.http_port}/slack/events"
        try:
            yield SlackHarness(engine, adapter, fake_slack, SlackSender(url))
        finally:
            await engine.stop()
            await asyncio.sleep(0)
