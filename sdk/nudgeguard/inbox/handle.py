"""What an adapter may ask of the engine: the declared handle, and nothing more.

An adapter is bound to an :class:`EngineHandle`, not to the concrete engine: these are the
only engine calls an adapter makes, each returning a public, frozen result type. Tests of
an adapter can bind it to any object that provides them (see ``nudgeguard.testing``), and
the core can change everything behind them without breaking an adapter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from nudgeguard.delivery.outbound import ModeratorAction, NudgeAction
    from nudgeguard.inbox.events import MessageEvent
    from nudgeguard.moderation_results import CheckResult, ModerationResult, Status
    from nudgeguard.policy.engine import Decision
    from nudgeguard.responses import NudgeResponse


class EventInbox(Protocol):
    """Where an adapter submits events without waiting (see :mod:`nudgeguard.inbox.queue`)."""

    def submit(self, event: MessageEvent) -> bool:
        """Queue a translated event; False when the inbox is full."""
        ...

    def submit_later(
        self,
        key: tuple[str, str, str],
        translate: Callable[[], Awaitable[MessageEvent | None]],
    ) -> bool:
        """Queue an event still to be translated, keeping its place in ``key``'s order."""
        ...

    async def drain(self) -> None:
        """Wait until everything submitted was handled."""
        ...


@runtime_checkable
class EngineHandle(Protocol):
    """The engine as an adapter sees it."""

    @property
    def inbox(self) -> EventInbox:
        """Where events go in (ordered per conversation, replays dropped)."""
        ...

    async def handle(self, event: MessageEvent) -> Decision | None:
        """Process one event now, awaiting its nudges and alerts."""
        ...

    async def moderate(
        self,
        case_id: str,
        action: ModeratorAction,
        moderator_id: str,
        permitted: bool,
        reason: str | None = None,
        community_id: str | None = None,
    ) -> ModerationResult:
        """Apply a moderator's click to a case (refused and recorded when not permitted).

        A case of another community than ``community_id`` is refused without being shown.
        An accepted click's ``result.alert`` is the case's alert as it now stands (status,
        every action, the subject's id for Timeout) to re-draw the post from, when the
        engine still holds it (None after a restart).
        """
        ...

    async def check_message(
        self, event: MessageEvent, context: Sequence[MessageEvent], requester_id: str
    ) -> CheckResult:
        """Answer a child's "Check this message" privately; open a case when serious."""
        ...

    async def respond_to_nudge(
        self,
        nudge_id: str,
        action: NudgeAction | str,
        user_id: str,
        *,
        platform: str,
        community_id: str,
        case_id: str | None = None,
        locale: str | None = None,
        conversation_id: str | None = None,
    ) -> NudgeResponse:
        """Answer a child's press on a nudge's button (show ``text`` privately) and act on it.

        Report and How to block pause nudges for a week; Report reaches the moderators
        through the audit chain and the outbox: as the case's alert, or without a case as
        a moderator notice (``Adapter.send_notice``) naming ``conversation_id``.
        """
        ...

    def moderator_locale(self, community_id: str) -> str:
        """Return the language a community's moderators read (its ``languages:`` setting)."""
        ...

    async def status(self, community_id: str) -> Status:
        """Return a community's open cases and mode."""
        ...

    async def set_mode(self, community_id: str, mode: Literal["observe", "live"]) -> None:
        """Switch a community between observe (dry run) and live."""
        ...


__all__ = ["EngineHandle", "EventInbox"]
