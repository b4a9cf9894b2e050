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
from nudgeguard_slack.blocks import parse_nudge_value
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import SlackSender, block_action, message_envelope, message_shortcut

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
        self._last_envelope: dict[str, object] | None = None
        self._sent = 0
        self._answers = itertools.count(1)

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
        await self._deliver(envelope)
        self._last_ts.setdefault(author, ts)

    async def _deliver(self, envelope: dict[str, object]) -> None:
        reply = await self.slack.event(envelope)
        assert reply.status == 200
        self._last_envelope = envelope
        self._sent += 1
        await self.wait_for(lambda: self.adapter.received >= self._sent)

    async def resend(self) -> None:
        assert self._last_envelope is not None, "send() first"
        await self._deliver(self._last_envelope)  # Slack's retry: the same event_id
        await self.engine.inbox.drain()

    def _response_url(self, user: str) -> str:
        return self.fake.response_url(f"{user}-{next(self._answers)}")

    async def press(self, user: str, action: str) -> None:
        for call in reversed(self._sent_calls()):
            if not self._private(call, user):
                continue
            for block in call.get("blocks") or []:
                for button in block.get("elements") or []:
                    if parse_nudge_value(str(button.get("value") or "")).get("a") == action:
                        click = block_action(
                            user,
                            button["action_id"],
                            button["value"],
                            self._response_url(user),
                            channel=str(call.get("channel")),
                        )
                        assert (await self.slack.interaction(click)).status == 200
                        return
        raise AssertionError(f"no nudge with a {action} button was shown to {user}")

    async def check(self, user: str, author: str, text: str) -> None:
        await self.send(author, text)
        ts = self._last_envelope["event"]["ts"]  # type: ignore[index]
        message = {"type": "message", "user": author, "text": text, "ts": ts}
        shortcut = message_shortcut(user, message, self._response_url(user))
        assert (await self.slack.interaction(shortcut)).status == 200

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
        texts = [str(c.get("text")) for c in self._sent_calls() if self._private(c, user)]
        # Ephemeral answers through the response_url of this user's presses and checks.
        texts += [
            str(body.get("text"))
            for name, body in self.fake.responses
            if name.startswith(f"{user}-")
        ]
        return texts

    async def public_texts(self) -> list[str]:
        return [
            str(c.get("text")) + json.dumps(c.get("blocks"))
            for c in self._sent_calls()
            if c.method != "chat.postEphemeral" and str(c.get("channel")) not in self.fake.dm_users
        ]

    async def alert_texts(self) -> list[str]:
        # The moderator channel as it now reads: each post once, with its latest edit.
        return [
            str(m.get("text")) + json.dumps(m.get("blocks"))
            for m in self.fake.history.get("C0MODS", [])
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
