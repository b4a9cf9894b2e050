"""A data-subject erasure carried out by a running engine: store, memory and adapters.

:func:`nudgeguard.privacy.requests.erase_user` removes a person from the case store. A
running bot also remembers people outside it: the dispatcher's latest alerts (platform ids)
and whatever each adapter keeps (locale caches, DM channel ids, delivered-nudge keys).
:meth:`PersonErasure.erase_user` does all of it, and calls
:meth:`~nudgeguard.adapter.Adapter.forget_user` on the person's platform adapter.

Mixed into :class:`~nudgeguard.engine.Engine`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nudgeguard.privacy.requests import erase_user

if TYPE_CHECKING:
    from nudgeguard.adapter import Adapter
    from nudgeguard.cases.store import CaseStore, Erasure
    from nudgeguard.delivery.dispatch import Dispatcher
    from nudgeguard.privacy import Pseudonymizer

log = logging.getLogger(__name__)


class PersonErasure:
    """Erasure of one person from everything the engine and its adapters hold."""

    if TYPE_CHECKING:
        cases: CaseStore
        pseudonyms: Pseudonymizer
        dispatcher: Dispatcher
        adapters: dict[str, Adapter]

    async def erase_user(
        self, platform: str, user_id: str, *, actor: str = "privacy-request", force: bool = False
    ) -> Erasure:
        """Erase a person from the store, from the engine's memory and from the adapter's.

        The store goes first (it may refuse: see ``force``); then the dispatcher forgets
        the alerts naming them and the platform's adapter its own memory of them.

        Raises:
            ErasureHeld: They are the subject of an active or confirmed case and ``force``
                is False (nothing is forgotten then).
        """
        done = await erase_user(
            self.cases, self.pseudonyms, platform, user_id, actor=actor, force=force
        )
        self.dispatcher.alerts.forget_user(platform, user_id)
        adapter = self.adapters.get(platform)
        if adapter is not None:
            try:
                adapter.forget_user(user_id)
            except Exception as exc:  # an adapter's bug must not undo a lawful erasure
                log.error("adapter %s could not forget a person (%s)", platform, type(exc).__name__)
        return done


__all__ = ["PersonErasure"]
