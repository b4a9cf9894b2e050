"""Inbound events: translate, de-duplicate and hand to the engine in order.

discord.py dispatches every gateway event as its own task, so listeners only translate
(synchronously, in arrival order) and queue. One worker per queue awaits
``engine.handle``; a conversation always maps to the same queue, which keeps its events in
order while different conversations proceed in parallel.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING, Any

import discord
from nudgeguard.events import EventType, MessageEvent
from nudgeguard_discord import translate

if TYPE_CHECKING:
    from discord.ext import commands

    from nudgeguard.engine import Engine
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
    """Gateway events -> ``engine.handle`` for :class:`DiscordAdapter`."""

    if TYPE_CHECKING:
        settings: DiscordSettings
        stats: Counter[str]
        recent: translate.RecentAuthors
        _bot: commands.Bot | None
        _engine: Engine | None
        _seen_edits: Any
        _seen_deletes: Any
        _queues: list[asyncio.Queue[MessageEvent]]
        _workers: list[asyncio.Task[None]]

        @property
        def engine(self) -> Engine:
            """The bound engine."""
            ...

    def _start_workers(self) -> None:
        if self._workers:
            return
        self._queues = [asyncio.Queue() for _ in range(WORKERS)]
        self._workers = [asyncio.create_task(self._work(q)) for q in self._queues]

    async def _work(self, queue: asyncio.Queue[MessageEvent]) -> None:
        while True:
            event = await queue.get()
            try:
                await self.engine.handle(event)
                self.stats["handled"] += 1
            except Exception as exc:  # never let one event stop the stream
                self.stats["engine_errors"] += 1
                log.error("engine failed on a %s event (%s)", event.type, type(exc).__name__)
            finally:
                queue.task_done()

    def _enqueue(self, event: MessageEvent) -> None:
        if self._engine is None:
            self.stats["dropped_unbound"] += 1
            return
        self._start_workers()
        # One queue per conversation shard keeps each conversation in order.
        shard = zlib.crc32(event.conversation_id.encode()) % len(self._queues)
        self._queues[shard].put_nowait(event)

    async def drain(self) -> None:
        """Wait until every queued event was handled (tests, shutdown)."""
        for queue in self._queues:
            await queue.join()

    def submit_message(self, message: discord.Message, event_type: EventType) -> None:
        """Translate a created or edited message and queue it (replays are skipped)."""
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
        if event_type is EventType.MESSAGE:
            if not self.recent.remember(message.id, event.author):
                self.stats["duplicates"] += 1
                return
        else:
            key = f"{message.id}:{message.edited_at.timestamp() if message.edited_at else ''}"
            if key in self._seen_edits:
                self.stats["duplicates"] += 1
                return
            self._seen_edits.put(key, True)
            self.recent.remember(message.id, event.author)
        self._enqueue(event)

    def submit_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """Queue a delete of a message whose author is known (others were never scored)."""
        author = self.recent.get(payload.message_id)
        if author is None and payload.cached_message is not None:
            cached = payload.cached_message
            if translate.should_ignore(cached, None):
                return
            author = translate.participant(cached.author, self.settings)
        if author is None:
            self.stats["ignored"] += 1
            return
        key = str(payload.message_id)
        if key in self._seen_deletes:
            self.stats["duplicates"] += 1
            return
        self._seen_deletes.put(key, True)
        channel = self._bot.get_channel(payload.channel_id) if self._bot is not None else None
        event = translate.delete_event(payload, author, channel=channel)
        if event is not None:
            self._enqueue(event)
