"""What happens when a child presses a button on a nudge.

The core owns the answer: the text shown privately to the child comes from the nudge
catalogs only (``nudgeguard/delivery/nudges/*.yaml``, with per-platform follow-ups where a
platform's tools differ), Report and How to block pause further non-urgent nudges for a week, and
Report reaches the moderators through the case's audit chain and the outbox. Adapters only
render :class:`NudgeResponse`. Mixed into :class:`~nudgeguard.engine.Engine`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from nudgeguard.cases.model import Case
from nudgeguard.cases.store import Observation
from nudgeguard.delivery.case_alert import case_alert
from nudgeguard.delivery.notices import report_notice, send_report_notice
from nudgeguard.delivery.nudges import catalog
from nudgeguard.delivery.outbound import (
    AlertParticipant,
    ModeratorAlert,
    NudgeAction,
    TimelineEntry,
)
from nudgeguard.inbox.events import AgeBand, AgeSource
from nudgeguard.locales import choose_locale
from nudgeguard.telemetry import emit

if TYPE_CHECKING:
    from nudgeguard.cases.store import AuditLog, CaseRecords, ObservationStore
    from nudgeguard.delivery.dispatch import Dispatcher
    from nudgeguard.privacy import Pseudonymizer
    from nudgeguard.state.store import StateStore

#: How long Report or How to block pause further non-urgent nudges to the presser.
PAUSE_AFTER_ACTION = 7 * 86400.0
#: What the moderators' alert says about the child's nudge once they pressed Report.
REPORTED = "child_reported"
#: What a case id looked up may be (ids come from button payloads anyone can forge).
_CASE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass(frozen=True, slots=True)
class NudgeResponse:
    """The answer to a press on a nudge's button, to show privately to the presser.

    Attributes:
        text: What to show the child, privately (ephemeral or DM); empty for a link button
            (the platform opens the page).
        reported: True when a report reached the moderators' queue (an alert in the outbox,
            recorded on the case).
        accepted: False for a button that does not exist (the text says so).
    """

    text: str
    reported: bool = False
    accepted: bool = True


def reported_alert(
    case: Case, known: ModeratorAlert | None, reporter_id: str, ts: float, locale: str
) -> ModeratorAlert:
    """Return the moderator alert of a case whose child pressed Report (no message text).

    ``known`` (the case's latest alert, if this process built it) is repeated with the
    report on its timeline; otherwise the alert is built from the stored case, naming only
    the child (the case keeps pseudonyms, not the other person's platform id).
    """
    entry = TimelineEntry(ts=ts, label=catalog(locale).moderator_text("timeline_reported"))
    child = AlertParticipant(
        role="target", user_id=reporter_id, age_band=AgeBand.UNKNOWN, age_source=AgeSource.NONE
    )
    return case_alert(
        case, known, locale, entry=entry, nudge_status=REPORTED, participants=(child,)
    )


if TYPE_CHECKING:

    class ResponseStore(CaseRecords, AuditLog, ObservationStore, Protocol):
        """What nudge responses use of the store: cases, the audit log, observations."""


class NudgeResponses:
    """A child's presses on nudge buttons, answered and acted on by the core."""

    if TYPE_CHECKING:
        cases: ResponseStore
        state: StateStore
        pseudonyms: Pseudonymizer
        dispatcher: Dispatcher

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
        """Answer a press on a nudge's button, and act on it; never tells the other person.

        Report and How to block pause further non-urgent nudges to the presser for a week
        (they have acted; more warnings would only nag). Report on a nudge of a case the
        presser is the child of records ``child_reported`` on the case's audit chain and
        queues the case's alert (marked as reported by the child) in the same transaction.
        Report on a nudge of theirs without such a case opens no case: a moderator notice
        (:mod:`nudgeguard.delivery.notices`, no text, the child pseudonymised) is audited and goes
        through the outbox to the moderator channel. The answer says the moderators were
        told only when one of the two is on its way; otherwise that they were not reached.
        Every press is recorded as an observation, without content or ids.

        Args:
            nudge_id: The nudge's id (``Nudge.nudge_id``); a report counts only when it
                names the presser as the recipient. Not stored.
            action: The button pressed (an unknown name gets a refusal, not an error).
            user_id: Platform id of who pressed it (kept in memory only).
            platform: The adapter's platform name.
            community_id: Community the press came from (a case of another is not touched).
            case_id: The nudge's case (``Nudge.case_id``), if it had one.
            locale: The nudge's language (``Nudge.locale``), else the presser's platform
                language; the community's setting otherwise.
            conversation_id: The nudge's conversation (``Nudge.conversation_id``), if
                known: a moderator notice names it.
        """
        languages = self.dispatcher.languages
        cat = catalog(choose_locale(locale, languages.community(community_id), None, None))
        try:
            pressed = NudgeAction(action)
        except ValueError:
            return NudgeResponse(cat.responses["unknown_button"], accepted=False)
        now = time.time()
        if pressed in (NudgeAction.REPORT, NudgeAction.HOW_TO_BLOCK):
            key = (platform, user_id)
            child = await self.state.load_child(key, now)
            child.opted_out_until = now + PAUSE_AFTER_ACTION
            self.state.save_child(key, child, now)
        text = cat.followup(pressed.value, platform) or ""
        reported = False
        if pressed is NudgeAction.REPORT:
            recipient = nudge_id.rsplit(":", 1)[-1]
            if recipient == user_id and case_id:
                reported = await self._report(case_id, user_id, platform, community_id, now)
            if recipient == user_id and not reported:
                reported = await self._notify(
                    nudge_id, user_id, platform, community_id, conversation_id, now
                )
            if not reported:
                text = cat.responses["report_not_sent"]
        actions: tuple[str, ...] = (pressed.value,)
        if pressed is NudgeAction.REPORT and not reported:
            actions += ("moderators_not_reached",)
        await self.cases.observe(
            Observation(
                ts=now,
                platform=platform,
                community_id=community_id,
                level="nudge_response",
                signals=(),
                actions=actions,
                mode="live",
            )
        )
        return NudgeResponse(text, reported=reported)

    async def _notify(
        self,
        nudge_id: str,
        user_id: str,
        platform: str,
        community_id: str,
        conversation_id: str | None,
        now: float,
    ) -> bool:
        """Tell the moderators of a report outside any case; True if it is on its way."""
        child = self.pseudonyms.pseudonym(platform, user_id)
        notice = report_notice(
            nudge_id=nudge_id,
            platform=platform,
            community_id=community_id,
            conversation_id=conversation_id,
            reporter=child,
            ts=now,
            locale=self.dispatcher.languages.for_moderators(community_id),
        )
        dispatcher = self.dispatcher
        return await send_report_notice(
            notice, "child:" + child, self.cases, dispatcher.outbox, dispatcher.capabilities
        )

    async def _report(
        self, case_id: str, user_id: str, platform: str, community_id: str, now: float
    ) -> bool:
        """Record the child's report on their case and queue its alert; True if queued."""
        if _CASE_ID.fullmatch(case_id) is None:
            return False
        case = await self.cases.get(case_id)
        child = self.pseudonyms.pseudonym(platform, user_id)
        if (
            case is None
            or case.platform != platform
            or case.community_id != community_id
            or case.target != child
        ):
            # Not this child's case (a forged or forwarded button): touch nothing.
            return False
        alert = reported_alert(
            case,
            self.dispatcher.alerts.latest(case.id),
            user_id,
            now,
            self.dispatcher.languages.for_moderators(case.community_id),
        )
        items = self.dispatcher.items_of(case, alert, REPORTED)
        # The audit row and the alert commit together (the alert id de-duplicates repeats).
        who = "child:" + child
        await self.cases.record(case.id, REPORTED, who, {"action": "report"}, queue=items)
        if alert is not None:  # a moderator's press re-draws the post from it
            self.dispatcher.alerts.remember(alert)
        for item in items:
            emit("alert", item.target, case_id=case.id, community=community_id, to=item.target)
        if items:
            await self.dispatcher.outbox.drain()
        return bool(items)
