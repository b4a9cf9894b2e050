"""A working memory that makes chosen conversations wait, to test the engine's turns.

It stands in for a shared store whose near cache misses: the engine then awaits
``load_conversation``, and other conversations may run meanwhile. (The engine itself is not
patched: the test goes through the same store seam a Redis deployment uses.)
"""

import asyncio
from typing import Any

from nudgeguard.inbox.events import MessageEvent
from nudgeguard.state.store import ConversationKey, ConversationState, MemoryStateStore
from nudgeguard.testing import Scenario


class SlowStore:
    """Every conversation read is awaited; reads of ``slow`` conversations take 10 ms.

    Everything else is a :class:`MemoryStateStore`'s (wrapped, not subclassed, so nothing
    of the memory store's own behaviour changes). ``order`` gets ("load", conversation id) when a
    message's handling reaches its conversation, and :func:`handled` adds ("end", message
    id) when it returns.
    """

    def __init__(self, order: list[tuple[str, str]], slow: set[str]) -> None:
        self.memory = MemoryStateStore()
        self.order = order
        self.slow = slow

    def __getattr__(self, name: str) -> Any:
        return getattr(self.memory, name)

    def cached_conversation(self, key: ConversationKey, now: float) -> ConversationState | None:
        return None  # never at hand: the engine has to await load_conversation

    async def load_conversation(self, key: ConversationKey, now: float) -> ConversationState:
        conversation = key[2]
        self.order.append(("load", conversation))
        await asyncio.sleep(0.01 if conversation in self.slow else 0)
        # Each conversation is slow once: its later messages only queue behind it.
        self.slow.discard(conversation)
        return await self.memory.load_conversation(key, now)


async def handled(chat: Scenario, store: SlowStore, event: MessageEvent) -> object:
    """Handle ``event`` through ``chat``'s engine, noting when it ends in ``store.order``."""
    result = await chat.engine.handle(event)
    store.order.append(("end", event.message_id))
    return result
