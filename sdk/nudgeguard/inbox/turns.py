"""Turns: one task at a time per key, in arrival order; different keys run freely.

The engine takes a turn on the conversation key for every event, so that the events of one
conversation are processed strictly in order. Almost every turn is uncontended, so taking
one must cost next to nothing: an uncontended turn is one dict insert and one delete, with
no lock or future allocated. Only a task that finds the key busy gets a future to wait on;
turns are handed over first come, first served.

A waiter cancelled while it waits leaves the queue. A waiter cancelled just after it was
handed the turn (before it could run) passes the turn on, so a cancellation never stalls
the conversation behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class Turns(Generic[K]):
    """Serialises work per key: :meth:`take` (or :meth:`try_take`), then :meth:`give_back`.

    Usage::

        if not turns.try_take(key):
            await turns.take(key)
        try:
            ...  # the work
        finally:
            turns.give_back(key)
    """

    __slots__ = ("_busy",)

    def __init__(self) -> None:
        # key -> None while busy with nobody waiting, else the waiters in arrival order.
        self._busy: dict[K, deque[asyncio.Future[None]] | None] = {}

    def __len__(self) -> int:
        """Return the number of keys with a turn in progress."""
        return len(self._busy)

    def try_take(self, key: K) -> bool:
        """Take the turn on ``key`` if it is free (no waiting); return whether it was."""
        busy = self._busy
        if key in busy:
            return False
        busy[key] = None
        return True

    async def take(self, key: K) -> None:
        """Wait for the turn on ``key`` (after everyone already waiting for it).

        Raises:
            asyncio.CancelledError: Cancelled while waiting; the turn is not held then.
        """
        if self.try_take(key):
            return
        waiters = self._busy[key]
        if waiters is None:
            waiters = self._busy[key] = deque()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                # Handed the turn, then cancelled before running: pass it on.
                self.give_back(key)
            else:
                # Still queued, unless a give_back already skipped it as done.
                with contextlib.suppress(ValueError):
                    waiters.remove(future)
            raise

    def give_back(self, key: K) -> None:
        """End the current turn on ``key``; the longest waiter (if any) gets the next."""
        waiters = self._busy[key]
        while waiters:
            future = waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        del self._busy[key]
