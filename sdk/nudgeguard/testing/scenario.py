"""Fluent helpers to drive an engine through a conversation in tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import (
    AgeBand,
    AgeSource,
    ConversationKind,
    EventType,
    MessageEvent,
    Participant,
)
from nudgeguard.policy.engine import Decision


def person(
    user_id: str,
    age: AgeBand | str = AgeBand.UNKNOWN,
    *,
    bot: bool = False,
    name: str | None = None,
) -> Participant:
    """Return a participant; a known age band counts as set by a platform role.

    ``name`` is the display name others see (and may call the person by).
    """
    band = AgeBand(age)
    source = AgeSource.PLATFORM if band is not AgeBand.UNKNOWN else AgeSource.NONE
    return Participant(id=user_id, age_band=band, age_source=source, is_bot=bot, display_name=name)


@dataclass
class Scenario:
    """A conversation on simulated time.

    Example:
        >>> chat = Scenario(engine, platform="fake")
        >>> alex, mia = person("alex"), person("mia", "minor")
        >>> await chat.say(mia, "hi")
        >>> decision = await chat.say(alex, "how old are you?")
    """

    engine: Engine
    platform: str = "fake"
    community_id: str = "community-1"
    conversation_id: str = "channel-1"
    kind: ConversationKind = ConversationKind.GROUP
    start: float = 1_700_000_000.0
    step: float = 30.0
    decisions: list[Decision | None] = field(default_factory=list)
    _count: int = 0

    def event(
        self,
        author: Participant,
        text: str,
        *,
        to: Participant | None = None,
        type: EventType = EventType.MESSAGE,
        message_id: str | None = None,
    ) -> MessageEvent:
        """Return the next event without handling it."""
        self._count += 1
        return MessageEvent(
            type=type,
            platform=self.platform,
            community_id=self.community_id,
            conversation_id=self.conversation_id,
            conversation_kind=self.kind,
            message_id=message_id or f"m{self._count}",
            author=author,
            text=text,
            ts=self.start + self._count * self.step,
            reply_to_author_id=to.id if to is not None else None,
        )

    async def say(
        self, author: Participant, text: str, *, to: Participant | None = None
    ) -> Decision | None:
        """Send one message through the engine and return its decision."""
        decision = await self.engine.handle(self.event(author, text, to=to))
        self.decisions.append(decision)
        return decision

    async def play(self, lines: Sequence[tuple[Participant, str]]) -> list[Decision | None]:
        """Send several messages in order; return their decisions."""
        return [await self.say(author, text) for author, text in lines]

    async def edit(self, author: Participant, message_id: str, text: str) -> Decision | None:
        """Edit an earlier message."""
        return await self.engine.handle(
            self.event(author, text, type=EventType.EDIT, message_id=message_id)
        )

    async def delete(self, author: Participant, message_id: str) -> None:
        """Delete an earlier message."""
        await self.engine.handle(
            self.event(author, "", type=EventType.DELETE, message_id=message_id)
        )


#: A short grooming trajectory in paraphrase (no explicit content), for tests and kits.
GROOMING_LINES: tuple[str, ...] = (
    "how old are you? you seem really mature for your age",
    "are your parents home? are you alone right now?",
    "this stays just between us ok, don't tell anyone",
    "add me on snapchat, it's easier to talk there",
    "let's meet up this weekend, i can pick you up. don't bring anyone",
)
