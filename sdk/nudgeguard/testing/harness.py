"""A conformance harness for FakeAdapter: the reference for writing your own."""

from __future__ import annotations

import itertools

from nudgeguard.engine import Engine
from nudgeguard.events import AgeBand, AgeSource, ConversationKind, MessageEvent, Participant
from nudgeguard.testing.conformance import ConformanceHarness
from nudgeguard.testing.fake import FakeAdapter


class FakeHarness(ConformanceHarness):
    """Feeds events straight into the engine, as an adapter's event handler would.

    A real adapter's harness sends platform payloads over loopback instead.
    """

    def __init__(self, engine: Engine, adapter: FakeAdapter) -> None:
        self.engine = engine
        self.adapter = adapter
        self._ids = itertools.count(1)

    async def send(
        self,
        author: str,
        text: str,
        *,
        minor: bool = False,
        reply_to: str | None = None,
        bot: bool = False,
    ) -> None:
        """Feed a group-channel message to the engine."""
        n = next(self._ids)
        await self.engine.handle(
            MessageEvent(
                platform=self.adapter.name,
                community_id="guild",
                conversation_id="general",
                conversation_kind=ConversationKind.GROUP,
                message_id=f"m{n}",
                author=Participant(
                    id=author,
                    is_bot=bot,
                    age_band=AgeBand.MINOR if minor else AgeBand.UNKNOWN,
                    age_source=AgeSource.PLATFORM if minor else AgeSource.NONE,
                ),
                text=text,
                ts=1_700_000_000.0 + 30 * n,
                reply_to_author_id=reply_to,
            )
        )

    async def private_texts(self, user: str) -> list[str]:
        """Return nudge texts delivered to ``user``."""
        assert isinstance(self.adapter, FakeAdapter)
        return [n.text for n in self.adapter.nudges_to(user)]

    async def public_texts(self) -> list[str]:
        """Return nothing: the fake has no public channel."""
        return []  # FakeAdapter has no public channel at all

    async def alert_texts(self) -> list[str]:
        """Return alerts as JSON text."""
        assert isinstance(self.adapter, FakeAdapter)
        return [a.model_dump_json() for a in self.adapter.alerts]

    async def close_private_channels(self, user: str) -> None:
        """Make deliveries to ``user`` fail."""
        assert isinstance(self.adapter, FakeAdapter)
        self.adapter.dms_closed.add(user)
