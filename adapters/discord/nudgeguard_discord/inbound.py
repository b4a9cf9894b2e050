"""Inbound events: translate and hand to the engine's inbox.

discord.py dispatches every gateway event as its own task, so listeners only translate
(synchronously, in arrival order) and submit to ``engine.inbox``, which never blocks the
gateway reader. The core keeps each conversation in order and drops replayed events.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING, Any

import discord
from nudgeguard import EventType, MessageEvent
from nudgeguard_discord import translate

if TYPE_CHECKING:
    from discord.ext import commands

    from nudgeguard import EngineHandle
    from nudgeguard_discord.settings import DiscordSettings

log = logging.getLogger(__name__)

#: Number of ordered queues (and workers).
WORKERS = 4


class Bounded(OrderedDict[str, Any]):
    """An insertion-ordered dict that forgets its oldest entries."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` as the newest entry, dropping the oldest beyond capacity."""
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.capacity:
            self.popitem(last=False)


class InboundMixin:
    """Gateway events -> ``engine.inbox`` for :class:`DiscordAdapter`."""

    if TYPE_CHECKING:
        settings: DiscordSettings
        stats: Counter[str]
        recent: translate.RecentAuthors
        _bot: commands.Bot | None
        _engine: EngineHandle | None

        @property
        def engine(self) -> EngineHandle:
            """The bound engine."""
            ...

    def _enqueue(self, event: MessageEvent) -> None:
        if self._engine is None:
            self.stats["dropped_unbound"] += 1
            return
        if not self.engine.inbox.submit(event):
            self.stats["refused_full"] += 1

    async def drain(self) -> None:
        """Wait until every submitted event was handled (tests, shutdown)."""
        if self._engine is not None:
            await self.engine.inbox.drain()

    def submit_message(self, message: discord.Message, event_type: EventType) -> None:
        """Translate a created or edited message and submit it (the core drops replays)."""
        self_id = self._bot.user.id if self._bot is not None and self._bot.user else None
        try:
            event = translate.build_event(
                message, self.settings, self_id=self_id, event_type=event_type, recent=self.recent
            )
        except translate.MalformedMessage as exc:
            self.stats["malformed"] += 1
            log.warning("dropped a malformed Discord message (%s)", exc)
            return
        if event is None:
            self.stats["ignored"] += 1
            return
        self.recent.remember(message.id, event.author)
        self._enqueue(event)

    def submit_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """Submit a delete of a message whose author is known (others were never scored)."""
        author = self.recent.get(payload.message_id)
        if author is None and payload.cached_message is not None:
            cached = payload.cached_message
            if translate.should_ignore(cached, None):
                return
            author = translate.participant(cached.author, self.settings)
        if author is None:
            self.stats["ignored"] += 1
            return
        channel = self._bot.get_channel(payload.channel_id) if self._bot is not None else None
        event = translate.delete_event(payload, author, channel=channel)
        if event is not None:
            self._enqueue(event)
