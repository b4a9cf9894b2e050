"""The inbox: where adapters hand over events, so no adapter orders or de-duplicates.

Platforms re-send events (a gateway resume, a Slack retry after a slow answer) and deliver
them to handlers that run concurrently. Both are dealt with here, once:

- :class:`Replays` remembers the last events it let through, by what they are (platform,
  community, conversation, type, message id, and for an edit its text), so a replayed
  event is never scored twice. :meth:`~nudgeguard.Engine.handle` asks it for every event.
- :class:`Inbox` takes events without blocking the caller (an adapter's reader loop must
  never wait for a nudge to be sent) and hands them to the engine one conversation at a
  time, in the order they were submitted. An adapter whose translation must await
  something (a directory lookup) submits a coroutine function instead: its place in the
  conversation's order is taken when it is submitted, not when it finishes.

Memory is bounded: :class:`Replays` keeps a fixed number of keys, and the inbox refuses
(counts and logs, never silently) events beyond ``max_pending`` waiting at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nudgeguard.inbox.events import EventType, MessageEvent

log = logging.getLogger(__name__)

#: How many recent events :class:`Replays` remembers (ids only, never text).
REMEMBERED_EVENTS = 50_000
#: How many events may wait in the inbox at once, over all conversations.
MAX_PENDING = 100_000

ConversationKey = tuple[str, str, str]
Pending = MessageEvent | Callable[[], Awaitable[MessageEvent | None]]


#: Each event type's value, a plain str (see :meth:`Replays.key_of`).
_PLAIN_KINDS: dict[EventType, str] = {kind: kind.value for kind in EventType}


class Replays:
    """A bounded memory of recent events that answers "seen before?".

    Args:
        size: How many events to remember; the oldest is forgotten first.
    """

    def __init__(self, size: int = REMEMBERED_EVENTS) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[str, ...], None] = OrderedDict()

    def __len__(self) -> int:
        """Return how many events are remembered."""
        return len(self._seen)

    @staticmethod
    def key(event: MessageEvent) -> tuple[str, ...]:
        """Return what makes an event the same event when it arrives again.

        An edit is identified by its new text too (as a digest: no text is kept), so a
        second, different edit of the same message is scored.
        """
        edited = event.text if event.type is EventType.EDIT else None
        return Replays.key_of(event.conversation_key, event.type, event.message_id, edited)

    @staticmethod
    def key_of(
        conversation: ConversationKey, kind: EventType, message_id: str, edited: str | None
    ) -> tuple[str, ...]:
        """Return :meth:`key` from an event's fields, for a caller that has read them.

        Args:
            conversation: The event's (platform, community, conversation).
            kind: Its type (a str enum: in a key, the member is its value).
            message_id: Its message id.
            edited: For an edit, its new text; None for any other event.
        """
        # The member's value, a plain str (equal to the member, with the same hash): a key
        # of plain strings drops out of the garbage collector's tracking, whereas one
        # holding the member stays tracked, and every full collection walked all 50,000.
        # One shared str per type, so the keys hold no copy of it.
        base = (*conversation, _PLAIN_KINDS[kind], message_id)
        if edited is not None:
            digest = hashlib.blake2b(edited.encode(), digest_size=8).hexdigest()
            return (*base, digest)
        return base

    def first_time(self, event: MessageEvent) -> bool:
        """Remember ``event``; return False when it was seen before (a replay)."""
        return self.first_time_key(self.key(event))

    def first_time_key(self, key: tuple[str, ...]) -> bool:
        """Remember an event by its :meth:`key`; return False when it was seen before."""
        seen = self._seen
        if key in seen:
            seen.move_to_end(key)
            return False
        seen[key] = None
        if len(seen) > self.size:
            seen.popitem(last=False)
        return True


@dataclass
class InboxStats:
    """Counters for status pages and tests."""

    submitted: int = 0
    handled: int = 0
    untranslated: int = 0
    refused_full: int = 0
    errors: int = 0


class Inbox:
    """Takes events without blocking and hands them on one conversation at a time.

    Args:
        handle: What to do with each event (the engine's ``handle``).
        max_pending: Events allowed to wait at once; more are refused and counted.
    """

    def __init__(
        self,
        handle: Callable[[MessageEvent], Awaitable[object]],
        *,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._handle = handle
        self.max_pending = max_pending
        self.stats = InboxStats()
        self._queues: dict[ConversationKey, deque[Pending]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending = 0

    @property
    def pending(self) -> int:
        """Return how many events wait to be handled."""
        return self._pending

    def submit(self, event: MessageEvent) -> bool:
        """Queue a translated event; return False when the inbox is full.

        Never blocks and never raises for the event's content.
        """
        return self._put(event.conversation_key, event)

    def submit_later(
        self, key: ConversationKey, translate: Callable[[], Awaitable[MessageEvent | None]]
    ) -> bool:
        """Queue an event still to be translated, in ``key``'s order as of now.

        Args:
            key: The conversation (platform, community, conversation) it belongs to.
            translate: Returns the event, or None when there is nothing to score.

        Returns:
            False when the inbox is full.
        """
        return self._put(key, translate)

    def _put(self, key: ConversationKey, item: Pending) -> bool:
        if self._pending >= self.max_pending:
            self.stats.refused_full += 1
            log.warning("inbox full (%d waiting): an event was refused", self._pending)
            return False
        self.stats.submitted += 1
        self._pending += 1
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(item)
            return True
        self._queues[key] = deque((item,))
        task = asyncio.get_running_loop().create_task(self._run(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _run(self, key: ConversationKey) -> None:
        queue = self._queues[key]
        try:
            while queue:
                item = queue[0]
                try:
                    event = item if isinstance(item, MessageEvent) else await item()
                    if event is None:
                        self.stats.untranslated += 1
                    else:
                        await self._handle(event)
                        self.stats.handled += 1
                except Exception as exc:  # one bad event never stops the conversation
                    self.stats.errors += 1
                    log.error("inbox: an event failed (%s)", type(exc).__name__)
                finally:
                    queue.popleft()
                    self._pending -= 1
        finally:
            del self._queues[key]

    async def drain(self) -> None:
        """Wait until every submitted event was handled (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


__all__ = ["MAX_PENDING", "REMEMBERED_EVENTS", "Inbox", "InboxStats", "Replays"]
