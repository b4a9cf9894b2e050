"""A data-subject erasure carried out by a running engine: store, memory and adapters.

:func:`nudgeguard.privacy.requests.erase_user` removes a person from the case store. A
running bot also remembers people outside it: the dispatcher's latest alerts (platform ids),
the pseudonymiser's cache, the working memory (conversations, pairs, ages: in memory or
Redis) and whatever each adapter keeps (locale caches, DM channel ids, delivered-nudge
keys). :meth:`PersonErasure.erase_user` does all of it in this process.

An erasure made by another process (``nudgeguard privacy erase``) reaches a running engine
through the store: its store-wide ``erased`` audit row carries the platform and a keyed
token of the person (:meth:`~nudgeguard.privacy.Pseudonymizer.erasure_token`, not their
pseudonym). :meth:`PersonErasure.forget_erased` reads the rows after the last one it saw
(a watermark kept in memory), computes the token of every platform id the engine, its
working memory and each adapter remember
(:meth:`~nudgeguard.adapter.Adapter.remembered_users`), and forgets those that match.
:meth:`PersonErasure.start_forgetting` runs it every :data:`ERASURE_POLL_SECONDS`; every
store call is bounded by :data:`ERASURE_POLL_TIMEOUT`,
and a failing store is logged (no ids) and tried again on the next tick.

Mixed into :class:`~nudgeguard.engine.Engine`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from nudgeguard.privacy.requests import RequestStore, erase_user

if TYPE_CHECKING:
    from nudgeguard.adapter import Adapter
    from nudgeguard.cases.store import Erasure, ErasureNotice
    from nudgeguard.delivery.dispatch import Dispatcher
    from nudgeguard.pipeline.names import Names
    from nudgeguard.privacy import Pseudonymizer
    from nudgeguard.state.store import StateStore

log = logging.getLogger(__name__)

#: Seconds between two looks for erasures made by another process.
ERASURE_POLL_SECONDS = 30.0
#: Seconds one look at the store may take before it is given up until the next tick.
ERASURE_POLL_TIMEOUT = 10.0
#: Erasure records read per look (the rest are read on the next ticks).
ERASURE_BATCH = 100


class ErasureStore(RequestStore, Protocol):
    """What erasure needs of the store: a person's cases, erasure, the audit log."""


class PersonErasure:
    """Erasure of one person from everything the engine and its adapters hold."""

    if TYPE_CHECKING:
        cases: ErasureStore
        pseudonyms: Pseudonymizer
        dispatcher: Dispatcher
        adapters: dict[str, Adapter]
        state: StateStore
        names: Names
        #: Audit row of the last erasure this engine has acted on (None: not read yet).
        erasure_watermark: int | None
        _forgetting: asyncio.Task[None] | None

    async def erase_user(
        self, platform: str, user_id: str, *, actor: str = "privacy-request", force: bool = False
    ) -> Erasure:
        """Erase a person from the store, from the engine's memory and from the adapter's.

        The store goes first (it may refuse: see ``force``); then the dispatcher forgets
        the alerts naming them, the working memory their records (bounded by
        :data:`ERASURE_POLL_TIMEOUT`; a failure is logged) and the platform's adapter its
        own memory of them.

        Raises:
            ErasureHeld: They are the subject of an active or confirmed case and ``force``
                is False (nothing is forgotten then).
        """
        done = await erase_user(
            self.cases, self.pseudonyms, platform, user_id, actor=actor, force=force
        )
        self.dispatcher.alerts.forget_user(platform, user_id)
        self.names.forget(platform, user_id.__eq__)
        self.pseudonyms.forget_cache()
        adapter = self.adapters.get(platform)
        if adapter is not None:
            _adapter_forgets(adapter, user_id)
        try:
            await asyncio.wait_for(
                self.state.forget_user((platform, user_id)), ERASURE_POLL_TIMEOUT
            )
        except Exception as exc:  # the store is done; working memory expires within 14 days
            log.warning("working memory could not forget a person (%s)", type(exc).__name__)
        return done

    # -- erasures made by another process -------------------------------------------------
    async def forget_erased(self, *, timeout: float = ERASURE_POLL_TIMEOUT) -> int:
        """Forget the people erased in the store since the last look.

        Returns how many platform ids the adapters forgot. When the working memory cannot
        be reached (Redis down), the same erasures are read again next time.

        The first look (at :meth:`~nudgeguard.engine.Engine.start`) only notes where the
        store's audit ends: the engine remembers nobody from before it started. If that
        look fails, the next ones read every erasure ever recorded, a batch at a time
        (forgetting someone erased long ago is harmless). Never raises: a store that fails
        or takes longer than ``timeout`` is logged without ids and read again next time.
        """
        try:
            if self.erasure_watermark is None:
                head = await asyncio.wait_for(self.cases.audit_head(), timeout)
                self.erasure_watermark = int(head.partition(":")[0]) if head else 0
                return 0
            notices = await asyncio.wait_for(
                self.cases.erasures_after(self.erasure_watermark, ERASURE_BATCH), timeout
            )
        except Exception as exc:  # the store is down or slow: try again next tick
            log.warning("could not read erasures from the case store (%s)", type(exc).__name__)
            if self.erasure_watermark is None:  # where the audit ended is unknown: read all
                self.erasure_watermark = 0
            return 0
        forgotten, complete = 0, True
        for platform, tokens in _tokens_by_platform(notices).items():
            matches = _matcher(self.pseudonyms, platform, tokens)
            forgotten += self._forget_matching(platform, matches)
            try:
                await asyncio.wait_for(self.state.forget_matching(platform, matches), timeout)
            except Exception as exc:  # Redis away: read these erasures again next time
                log.warning("working memory could not forget (%s)", type(exc).__name__)
                complete = False
        if notices and complete:
            self.erasure_watermark = notices[-1].seq
        return forgotten

    def _forget_matching(self, platform: str, matches: Callable[[str], bool]) -> int:
        """Forget, in memory and in the adapter, everyone on ``platform`` who ``matches``."""
        self.dispatcher.alerts.forget_matching(platform, matches)
        self.names.forget(platform, matches)
        self.pseudonyms.forget_cache()
        adapter = self.adapters.get(platform)
        if adapter is None:
            return 0
        try:
            erased = [u for u in list(adapter.remembered_users()) if matches(u)]
        except Exception as exc:  # an adapter's bug must not stop the others
            log.error(
                "adapter %s could not list whom it remembers (%s)", platform, type(exc).__name__
            )
            return 0
        for user_id in erased:
            _adapter_forgets(adapter, user_id)
        return len(erased)

    def start_forgetting(self, every: float = ERASURE_POLL_SECONDS) -> None:
        """Look for erasures made by other processes every ``every`` seconds until stopped."""
        if self._forgetting is None:
            self._forgetting = asyncio.create_task(self._forget_loop(every))

    async def stop_forgetting(self) -> None:
        """Stop looking for erasures."""
        task, self._forgetting = self._forgetting, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _forget_loop(self, every: float) -> None:
        while True:
            try:
                await self.forget_erased()
            except Exception as exc:  # never let the look stop for good
                log.error("looking for erasures failed (%s)", type(exc).__name__)
            await asyncio.sleep(every)


def _matcher(pseudonyms: Pseudonymizer, platform: str, tokens: set[str]) -> Callable[[str], bool]:
    """Return a check that a platform id on ``platform`` has one of the erasure ``tokens``."""

    def matches(user_id: str) -> bool:
        return pseudonyms.erasure_token(platform, user_id) in tokens

    return matches


def _tokens_by_platform(notices: list[ErasureNotice]) -> dict[str, set[str]]:
    """Group erasure tokens by platform (records without one match nobody)."""
    out: dict[str, set[str]] = {}
    for n in notices:
        if n.token and n.platform:
            out.setdefault(n.platform, set()).add(n.token)
    return out


def _adapter_forgets(adapter: Adapter, user_id: str) -> None:
    try:
        adapter.forget_user(user_id)
    except Exception as exc:  # an adapter's bug must not undo a lawful erasure
        log.error("adapter %s could not forget a person (%s)", adapter.name, type(exc).__name__)


__all__ = ["ERASURE_POLL_SECONDS", "ErasureStore", "PersonErasure"]
