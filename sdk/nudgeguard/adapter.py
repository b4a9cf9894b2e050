"""The adapter contract: the base class a platform plugin implements.

An adapter does two things. Inbound, it turns platform payloads into
:class:`~nudgeguard.inbox.events.MessageEvent` and submits them to the engine it is bound to (an
:class:`~nudgeguard.inbox.handle.EngineHandle`, never the concrete engine). Outbound, it delivers
what the engine asks for, in the vocabulary of :mod:`nudgeguard.delivery.outbound`: private
:class:`~nudgeguard.delivery.outbound.Nudge` messages and
:class:`~nudgeguard.delivery.outbound.ModeratorAlert` posts. It declares
:class:`~nudgeguard.delivery.outbound.Capabilities` so the engine can plan.

Delivery errors are signalled with exceptions:
:class:`~nudgeguard.delivery.outbound.TransientDeliveryError` (rate limit, 5xx: the outbox retries
with backoff) or :class:`~nudgeguard.delivery.outbound.UndeliverableError` (closed DMs: the case
records it and moderators are told).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

from nudgeguard.delivery.outbound import (
    Capabilities,
    Delivery,
    ModeratorAlert,
    ModeratorNotice,
    Nudge,
    UndeliverableError,
)

if TYPE_CHECKING:
    from nudgeguard.inbox.handle import EngineHandle


class Adapter(ABC):
    """Base class of platform adapters.

    Subclasses set ``name`` and ``capabilities`` and implement the two senders. The engine
    calls :meth:`bind` before :meth:`start`.
    """

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def __init__(self) -> None:
        self._engine: EngineHandle | None = None

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> Self:
        """Build the adapter from its section of the config file.

        Each adapter validates its own section with its own model and reads its secrets
        from the environment. The default accepts an empty section only.

        Raises:
            ValueError: The section is invalid; the message names the field.
        """
        if section:
            raise ValueError(f"adapter {cls.name!r} takes no settings, got {sorted(section)}")
        return cls()

    @property
    def engine(self) -> EngineHandle:
        """Return the bound engine's handle; raises if the adapter was never bound."""
        if self._engine is None:
            raise RuntimeError(f"adapter {self.name!r} is not bound to an engine")
        return self._engine

    def bind(self, engine: EngineHandle) -> None:
        """Attach the engine this adapter feeds and delivers for (any :class:`EngineHandle`)."""
        self._engine = engine

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Connect to the platform. The default does nothing."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Disconnect. The default does nothing."""

    @abstractmethod
    async def send_nudge(self, nudge: Nudge) -> Delivery:
        """Deliver a nudge privately using the first channel in ``nudge.delivery`` that works.

        Returns:
            The channel actually used.

        Raises:
            UndeliverableError: No private channel can reach the recipient.
            TransientDeliveryError: Try again later.
        """

    @abstractmethod
    async def send_alert(self, alert: ModeratorAlert) -> str | None:
        """Post or update a moderator alert.

        With ``alert.post_ref`` set, edit that post in place (it is what this method
        returned for the case before, as the outbox stored it); post anew only if it is gone.

        Returns:
            A platform reference for the posted alert (enough to edit it later), if any.

        Raises:
            UndeliverableError: No moderator channel is configured or reachable.
            TransientDeliveryError: Try again later.
        """

    async def send_notice(self, notice: ModeratorNotice) -> str | None:
        """Post a case-less moderator notice (a child's Report) to the moderator channel.

        The default refuses: the outbox records it as undeliverable and the child is told
        the moderators were not reached.

        Raises:
            UndeliverableError: No moderator channel is configured or reachable.
            TransientDeliveryError: Try again later.
        """
        raise UndeliverableError(f"adapter {self.name!r} cannot post moderator notices")

    def forget_user(self, user_id: str) -> None:  # noqa: B027 - optional hook
        """Drop whatever this adapter remembers about a person (erasure request).

        Called by the engine's erasure with the platform user id: locale caches, DM
        channel ids, delivered-nudge keys. The default remembers nothing. An adapter that
        overrides this overrides :meth:`remembered_users` too (the conformance suite
        checks it).
        """

    def remembered_users(self) -> Iterable[str]:
        """Return the platform ids of everyone this adapter remembers anything about.

        An erasure made by another process (``nudgeguard privacy erase``) reaches the
        running engine as a keyed token, not an id: the engine checks each id listed here
        against it and calls :meth:`forget_user` for those that match (within about half a
        minute, see :mod:`nudgeguard.erasure`). Called rarely, from the event loop; return
        a snapshot. The default remembers no one.
        """
        return ()

    def helpline_countries(self) -> Mapping[str, str]:
        """Return helpline countries the adapter's own settings name, by community id.

        Data for the core, which picks the country (see
        :mod:`nudgeguard.delivery.helpline_country`); the key ``*`` is the adapter's platform-wide
        default. The default names none.
        """
        return {}
