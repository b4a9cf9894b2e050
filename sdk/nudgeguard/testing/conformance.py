"""The adapter conformance suite.

An adapter proves it keeps the project's promises by running this suite against its
platform's wire protocol (a fake server on loopback, with the real SDK client). Subclass
:class:`AdapterConformance` in your tests and provide a ``harness`` fixture that yields a
:class:`ConformanceHarness` for your adapter; see ``docs/adapters.md``.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

import pytest

from nudgeguard.adapter import Adapter
from nudgeguard.cases.model import Case
from nudgeguard.engine import Engine
from nudgeguard.outbound import Delivery, Nudge, UndeliverableError
from nudgeguard.testing.scenario import GROOMING_LINES

CHILD = "conformance-child"
STRANGER = "conformance-stranger"
BOT = "conformance-bot"


class ConformanceHarness(ABC):
    """What the suite needs from an adapter's test setup.

    Attributes:
        engine: A started engine with the adapter bound (default policy, live mode).
        adapter: The adapter under test.
    """

    engine: Engine
    adapter: Adapter

    @abstractmethod
    async def send(
        self,
        author: str,
        text: str,
        *,
        minor: bool = False,
        reply_to: str | None = None,
        bot: bool = False,
    ) -> None:
        """Make the platform deliver a group-channel message to the adapter over the wire.

        Args:
            author: User id of the sender.
            text: Message text.
            minor: The sender has the platform's minor role (or config mapping).
            reply_to: User id whose earlier message this one replies to.
            bot: The sender is a bot account.
        """

    @abstractmethod
    async def private_texts(self, user: str) -> list[str]:
        """Return texts the bot showed only to ``user`` (ephemeral or DM)."""

    @abstractmethod
    async def public_texts(self) -> list[str]:
        """Return texts the bot posted where other members could see them."""

    @abstractmethod
    async def alert_texts(self) -> list[str]:
        """Return the text content of moderator alerts (channel posts, embeds, blocks)."""

    @abstractmethod
    async def close_private_channels(self, user: str) -> None:
        """Make every private channel to ``user`` fail (closed DMs, not in channel)."""

    def platform_id(self, name: str) -> str:
        """Return the platform user id the harness uses for a symbolic test user name."""
        return name

    async def wait_for(self, check: Callable[[], object], timeout: float = 10.0) -> None:
        """Poll an async or sync check until it is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.02)


async def _play_grooming(h: ConformanceHarness) -> None:
    await h.send(CHILD, "hey, anyone here like drawing?", minor=True)
    for line in GROOMING_LINES:
        await h.send(STRANGER, line, reply_to=CHILD)


async def _open_cases(h: ConformanceHarness) -> list[Case]:
    return [c for c in await h.engine.cases.list_cases() if c.status.value == "open"]


class AdapterConformance:
    """Subclass in your adapter's tests and provide a ``harness`` fixture."""

    @pytest.mark.asyncio
    async def test_declares_a_private_channel(self, harness: ConformanceHarness) -> None:
        """An adapter must offer at least one private channel."""
        caps = harness.adapter.capabilities
        assert caps.ephemeral or caps.direct_message

    @pytest.mark.asyncio
    async def test_grooming_nudges_the_child_privately(self, harness: ConformanceHarness) -> None:
        """A grooming trajectory nudges the child, privately only."""
        await _play_grooming(harness)
        await harness.wait_for(lambda: harness.private_texts(CHILD))
        private = await harness.private_texts(CHILD)
        public = "\n".join(await harness.public_texts())
        assert private, "the child received no private nudge"
        for text in private:
            assert text[:40] not in public, "a nudge was posted publicly"

    @pytest.mark.asyncio
    async def test_case_subject_is_the_sender(self, harness: ConformanceHarness) -> None:
        """The case is about the sender and the child, as pseudonyms."""
        await _play_grooming(harness)
        await harness.wait_for(lambda: _open_cases(harness))
        case = (await _open_cases(harness))[0]
        platform = harness.adapter.name
        pseudonym = harness.engine.pseudonyms.pseudonym
        assert case.subject == pseudonym(platform, harness.platform_id(STRANGER))
        assert case.target == pseudonym(platform, harness.platform_id(CHILD))

    @pytest.mark.asyncio
    async def test_alerts_hide_message_text(self, harness: ConformanceHarness) -> None:
        """Alerts carry no message text until a moderator asks."""
        await _play_grooming(harness)
        await harness.wait_for(lambda: harness.alert_texts())
        alerts = "\n".join(await harness.alert_texts())
        for line in GROOMING_LINES:
            assert line not in alerts, "an alert showed message text before it was asked for"

    @pytest.mark.asyncio
    async def test_bot_messages_are_ignored(self, harness: ConformanceHarness) -> None:
        """Messages from bots never score or open cases."""
        await harness.send(CHILD, "hi", minor=True)
        for line in GROOMING_LINES:
            await harness.send(BOT, line, reply_to=CHILD, bot=True)
        await harness.send(CHILD, "ok bye", minor=True)
        await asyncio.sleep(0.2)
        assert await harness.engine.cases.list_cases() == []
        assert await harness.private_texts(CHILD) == []

    @pytest.mark.asyncio
    async def test_odd_input_does_not_break_the_bot(self, harness: ConformanceHarness) -> None:
        """Huge, empty and odd Unicode text is handled safely."""
        odd = "\u202e\u200b" + "\U0001f600" * 500 + "a\u0301" * 2000 + "\x00\ud7ff" + "x" * 50_000
        await harness.send(STRANGER, odd)
        await harness.send(STRANGER, "")
        await _play_grooming(harness)
        await harness.wait_for(lambda: _open_cases(harness))
        assert harness.engine.stats.errors == 0

    @pytest.mark.asyncio
    async def test_closed_private_channels_never_go_public(
        self, harness: ConformanceHarness
    ) -> None:
        """Closed DMs: recorded as undeliverable, never posted publicly."""
        await harness.close_private_channels(CHILD)
        await _play_grooming(harness)
        await harness.wait_for(lambda: _open_cases(harness))
        case = (await _open_cases(harness))[0]

        async def undeliverable_recorded() -> bool:
            kinds = {e.kind for e in await harness.engine.cases.events(case.id)}
            return "nudge_undeliverable" in kinds

        await harness.wait_for(undeliverable_recorded)
        public = "\n".join(await harness.public_texts())
        from nudgeguard.nudges import catalog

        for family in catalog().families():
            assert catalog().child_text(family, "teen", 0)[:40] not in public
            assert catalog().child_text(family, "under13", 0)[:40] not in public

    @pytest.mark.asyncio
    async def test_send_nudge_without_private_channel_is_refused(
        self, harness: ConformanceHarness
    ) -> None:
        """A nudge with no private channel is refused, not posted."""
        nudge = Nudge(
            nudge_id="conformance-empty",
            audience="child",
            recipient_id=CHILD,
            platform=harness.adapter.name,
            community_id="c",
            conversation_id="c",
            delivery=(),
            text="test",
            family="generic",
        )
        with pytest.raises(UndeliverableError):
            await harness.adapter.send_nudge(nudge)
        assert Delivery.EPHEMERAL.value == "ephemeral"
