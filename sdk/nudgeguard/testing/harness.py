"""A conformance harness for FakeAdapter: the reference for writing your own."""

from __future__ import annotations

import itertools

from nudgeguard.delivery.nudges import catalog
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, AgeSource, ConversationKind, MessageEvent, Participant
from nudgeguard.testing.conformance import ConformanceHarness
from nudgeguard.testing.fake import FakeAdapter


class FakeHarness(ConformanceHarness):
    """Feeds events straight into the engine, as an adapter's event handler would.

    A real adapter's harness sends platform payloads over loopback instead, and presses
    buttons and menus the way the platform delivers them.
    """

    def __init__(self, engine: Engine, adapter: FakeAdapter) -> None:
        self.engine = engine
        self.adapter = adapter
        self._ids = itertools.count(1)
        self._last: MessageEvent | None = None
        self._history: list[MessageEvent] = []
        #: Answers shown privately (button presses, checks): (user, text).
        self._answers: list[tuple[str, str]] = []

    def _event(
        self, author: str, text: str, *, minor: bool, reply_to: str | None, bot: bool
    ) -> MessageEvent:
        n = next(self._ids)
        return MessageEvent(
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
        self._last = self._event(author, text, minor=minor, reply_to=reply_to, bot=bot)
        self._history.append(self._last)
        await self.engine.handle(self._last)

    async def resend(self) -> None:
        """Feed the last message again, as a platform retry would."""
        assert self._last is not None, "send() first"
        await self.engine.handle(self._last)

    async def press(self, user: str, action: str) -> None:
        """Press a button on the latest nudge to ``user``, as an adapter's handler would."""
        assert isinstance(self.adapter, FakeAdapter)
        nudge = self.adapter.nudges_to(user)[-1]
        response = await self.engine.respond_to_nudge(
            nudge.nudge_id,
            action,
            user,
            platform=nudge.platform,
            community_id=nudge.community_id,
            case_id=nudge.case_id,
            locale=nudge.locale,
            conversation_id=nudge.conversation_id,
        )
        if response.text:
            self._answers.append((user, response.text))

    async def check(self, user: str, author: str, text: str) -> None:
        """Post a message by ``author``, then check it for ``user`` with the core."""
        context = self._history[-10:]
        event = self._event(author, text, minor=False, reply_to=None, bot=False)
        self._history.append(event)
        await self.engine.handle(event)
        result = await self.engine.check_message(event, context, user)
        answer = result.nudge.text if result.nudge else catalog().checks["nothing_found"]
        self._answers.append((user, answer))

    async def private_texts(self, user: str) -> list[str]:
        """Return nudge texts delivered to ``user`` and the answers shown to them."""
        assert isinstance(self.adapter, FakeAdapter)
        nudges = [n.text for n in self.adapter.nudges_to(user)]
        return nudges + [text for to, text in self._answers if to == user]

    async def public_texts(self) -> list[str]:
        """Return nothing: the fake has no public channel."""
        return []  # FakeAdapter has no public channel at all

    async def alert_texts(self) -> list[str]:
        """Return each alert post's latest alert, and each notice, as JSON text."""
        assert isinstance(self.adapter, FakeAdapter)
        posts = [a.model_dump_json() for a in self.adapter.posts.values()]
        return posts + [n.model_dump_json() for n in self.adapter.notices]

    async def close_private_channels(self, user: str) -> None:
        """Make deliveries to ``user`` fail."""
        assert isinstance(self.adapter, FakeAdapter)
        self.adapter.dms_closed.add(user)
