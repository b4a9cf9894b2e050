"""A small stand-in for the Engine that records what the adapter hands it.

Used by the wiring tests (signatures, buttons, commands); the end-to-end tests run the
real Engine. It implements only the calls the adapter makes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nudgeguard import (
    AlertDecision,
    CaseStatus,
    MessageEvent,
    ModerationResult,
    ModeratorAction,
    Nudge,
    NudgeResponse,
)
from nudgeguard.cases.model import Case, EvidenceMessage
from nudgeguard.inbox.queue import Inbox, Replays


@dataclass
class Check:
    level: str
    nudge: Nudge | None
    case_id: str | None
    reasons: tuple[str, ...]


@dataclass
class StatusInfo:
    open_cases: int
    mode: str


@dataclass
class RecordingEngine:
    events: list[MessageEvent] = field(default_factory=list)
    moderations: list[tuple[str, ModeratorAction, str, bool]] = field(default_factory=list)
    communities: list[str | None] = field(default_factory=list)
    checks: list[tuple[MessageEvent, list[MessageEvent], str]] = field(default_factory=list)
    modes: dict[str, str] = field(default_factory=dict)
    evidence: tuple[EvidenceMessage, ...] = ()
    check_result: Check | None = None
    #: Presses on nudge buttons as handed over (nudge id, action, user, the keywords).
    presses: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._changed = asyncio.Event()
        # The core's real inbox and replay memory: adapters submit to the inbox, which hands
        # events to handle() below; replays are dropped there, as Engine.handle does.
        self.inbox = Inbox(self.handle)
        self.replays = Replays()

    async def handle(self, event: MessageEvent) -> None:
        if not self.replays.first_time(event):
            return
        self.events.append(event)
        self._changed.set()

    async def moderate(
        self,
        case_id: str,
        action: ModeratorAction,
        moderator_id: str,
        permitted: bool,
        reason: str | None = None,
        community_id: str | None = None,
    ) -> ModerationResult:
        self.moderations.append((case_id, action, moderator_id, permitted))
        self.communities.append(community_id)
        self._changed.set()
        case = Case(
            id=case_id,
            platform="slack",
            community_id="T0TEAM",
            conversation_id="C0GENERAL",
            subject="p_s",
            target="p_t",
            severity="high",
            opened_at=1.0,
            updated_at=2.0,
        )
        if not permitted:
            return ModerationResult(False, case, note="refused")
        status = {
            ModeratorAction.ACKNOWLEDGE: CaseStatus.ACKNOWLEDGED,
            ModeratorAction.DISMISS: CaseStatus.DISMISSED,
            ModeratorAction.CONFIRM: CaseStatus.ACKNOWLEDGED,
        }.get(action, CaseStatus.OPEN)
        evidence = self.evidence if action is ModeratorAction.SHOW_EVIDENCE else ()
        key = {
            ModeratorAction.ACKNOWLEDGE: "acknowledged",
            ModeratorAction.DISMISS: "dismissed",
            ModeratorAction.CONFIRM: "confirmed",
        }.get(action)
        decision = (
            None
            if key is None
            else AlertDecision(key=key, ts=time.time(), moderator_id=moderator_id)  # type: ignore[arg-type]
        )
        changed = case.model_copy(update={"status": status})
        return ModerationResult(True, changed, evidence, decision=decision)

    async def check_message(
        self, event: MessageEvent, context: Sequence[MessageEvent], requester_id: str
    ) -> Check:
        self.checks.append((event, list(context), requester_id))
        self._changed.set()
        return self.check_result or Check("none", None, None, ("Nothing risky.",))

    async def respond_to_nudge(
        self, nudge_id: str, action: str, user_id: str, **where: Any
    ) -> NudgeResponse:
        self.presses.append((nudge_id, action, user_id, where))
        self._changed.set()
        return NudgeResponse(f"engine answer to {action}", reported=action == "report")

    def moderator_locale(self, community_id: str) -> str:
        return "en"

    async def status(self, community_id: str) -> StatusInfo:
        return StatusInfo(2, self.modes.get(community_id, "observe"))

    async def set_mode(self, community_id: str, mode: str) -> None:
        self.modes[community_id] = mode

    async def wait(self, what: str, count: int = 1, timeout: float = 10.0) -> list[Any]:
        async def poll() -> list[Any]:
            while len(getattr(self, what)) < count:
                self._changed.clear()
                await self._changed.wait()
            return list(getattr(self, what))

        return await asyncio.wait_for(poll(), timeout)
