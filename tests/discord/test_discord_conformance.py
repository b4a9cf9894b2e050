"""The core's adapter conformance suite, run over the wire against the fake Discord."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.testing import AdapterConformance, ConformanceHarness
from nudgeguard.testing.alert_order import MODERATOR
from nudgeguard.testing.conformance import BOT, CHILD, STRANGER
from nudgeguard_discord import DiscordAdapter
from tests.discord.fake_discord import FakeDiscord
from tests.discord.world import World, build_world, make_adapter, wait_until


class DiscordHarness(ConformanceHarness):
    """Plays the suite's people as Discord users in a guild and reads what the bot posted."""

    def __init__(self, world: World, engine: Engine, adapter: DiscordAdapter) -> None:
        self.world = world
        self.engine = engine
        self.adapter = adapter
        fake = world.fake
        self.users: dict[str, dict[str, Any]] = {}
        for name in (CHILD, STRANGER, BOT, MODERATOR):
            self.users[name] = fake.add_user(name, bot=name == BOT)
        self._last: dict[str, dict[str, Any]] = {}
        self._last_message: dict[str, Any] | None = None
        self._sent = 0
        #: Interaction tokens by the suite's user they belong to (their answers are private).
        self._tokens: dict[str, str] = {}

    def add_members(self) -> None:
        """Make the suite's people members (before the bot connects)."""
        fake, guild = self.world.fake, self.world.guild
        fake.add_member(guild, self.users[CHILD], roles=[self.world.roles["minor"]])
        fake.add_member(guild, self.users[STRANGER])
        fake.add_member(guild, self.users[BOT])

    def platform_id(self, name: str) -> str:
        """Return the Discord id the suite's symbolic name was given."""
        return str(self.users[name]["id"])

    async def send(
        self,
        author: str,
        text: str,
        *,
        minor: bool = False,
        reply_to: str | None = None,
        bot: bool = False,
    ) -> None:
        user = self.users[author]
        message = await self.world.fake.send_message(
            self.world.general, user, text, reply_to=self._last.get(reply_to or "")
        )
        self._last[author] = message
        self._last_message = message
        self._sent += 1
        expected = self._sent
        await wait_until(
            lambda: self.adapter.stats["ignored"] + len(self.adapter.recent) >= expected
        )
        await self.adapter.drain()

    def _posts(self) -> list[Any]:
        return self.world.fake.calls_to("POST", r"^/channels/\d+/messages$")

    async def private_texts(self, user: str) -> list[str]:
        dm = "9" + self.platform_id(user)[1:]
        texts = [c.body.get("content") or "" for c in self._posts() if c.path.split("/")[2] == dm]
        # Ephemeral answers to the interactions this user made (button presses, checks).
        for call in self.world.fake.calls_to("POST", r"^/webhooks/\d+/[^/]+$"):
            if self._tokens.get(call.path.split("/")[3]) == user:
                texts.append(json.dumps(call.body, ensure_ascii=False))
        return texts

    async def public_texts(self) -> list[str]:
        private = {ch for ch, data in self.world.fake.channels.items() if data.get("type") == 1}
        return [
            json.dumps(c.body)
            for c in self._posts()
            if c.path.split("/")[2] not in private | {self.world.mods}
        ]

    async def alert_texts(self) -> list[str]:
        # The moderator channel as it now reads: each post once, with its latest edit
        # (members see that a post was edited, not the instant of each edit).
        return [
            json.dumps(
                m | {"edited_timestamp": bool(m.get("edited_timestamp"))}, ensure_ascii=False
            )
            for m in self.world.fake.messages.values()
            if m.get("channel_id") == self.world.mods
        ]

    async def close_private_channels(self, user: str) -> None:
        self.world.fake.dm_closed.add(self.platform_id(user))

    async def press(self, user: str, action: str) -> None:
        dm = "9" + self.platform_id(user)[1:]
        prefix = f"ngn:{action}:"
        for message in reversed(list(self.world.fake.messages.values())):
            if message.get("channel_id") != dm:
                continue
            ids = [
                b.get("custom_id") or ""
                for r in message.get("components") or []
                for b in r["components"]
            ]
            custom_id = next((i for i in ids if i.startswith(prefix)), None)
            if custom_id is not None:
                data = await self.world.fake.click(self.users[user], custom_id, message)
                self._tokens[data["token"]] = user
                return
        raise AssertionError(f"no nudge with a {action} button in {user}'s DMs")

    async def resend(self) -> None:
        assert self._last_message is not None, "send() first"
        before = self.engine.stats.events
        await self.world.fake.dispatch("MESSAGE_CREATE", self._last_message)  # a replay
        await wait_until(lambda: self.engine.stats.events > before)
        await self.adapter.drain()

    async def check(self, user: str, author: str, text: str) -> None:
        await self.send(author, text)
        await self.world.fake.wait_for_call("PUT", r"/commands$")
        data = await self.world.fake.context_menu(
            self.users[user], "Check this message", self._last[author], guild_id=self.world.guild
        )
        self._tokens[data["token"]] = user


@pytest.fixture
async def harness(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[DiscordHarness]:
    world = build_world(fake)
    adapter = make_adapter(world)
    engine = Engine(
        load_policy("default"),
        cases=SqliteCaseStore(tmp_path / "cases.sqlite3"),
        adapters=[adapter],
    )
    h = DiscordHarness(world, engine, adapter)
    h.add_members()
    await engine.start(background=False)
    try:
        yield h
    finally:
        await engine.stop()


class TestDiscordConformance(AdapterConformance):
    """Runs every check of the core's suite on the Discord adapter."""

    async def test_case_subject_is_the_sender(self, harness: DiscordHarness) -> None:  # type: ignore[override]
        """Same promise as the core's check, with Discord's numeric ids for the people.

        The core's version compares against the suite's symbolic names, which cannot be
        Discord user ids (discord.py requires snowflakes), so the names are mapped first.
        """
        from nudgeguard.testing.conformance import _open_cases, _play_grooming

        await _play_grooming(harness)
        await harness.wait_for(lambda: _open_cases(harness))
        case = (await _open_cases(harness))[0]
        pseudonym = harness.engine.pseudonyms.pseudonym
        assert case.subject == pseudonym("discord", harness.platform_id(STRANGER))
        assert case.target == pseudonym("discord", harness.platform_id(CHILD))
