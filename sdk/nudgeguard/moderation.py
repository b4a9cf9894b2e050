"""What moderators and children do back: clicks, evidence, checks, status and mode.

A child's presses on nudge buttons are :mod:`nudgeguard.responses`.

Mixed into :class:`~nudgeguard.engine.Engine`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Literal, Protocol

from nudgeguard.cases.model import Case, CaseStatus, Outcome
from nudgeguard.delivery.case_alert import case_alert, change_status, decided_by
from nudgeguard.delivery.nudges import catalog
from nudgeguard.delivery.outbound import ModeratorAction, ModeratorAlert, Nudge
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.moderation_results import CheckResult, ModerationResult, Status
from nudgeguard.telemetry import emit

if TYPE_CHECKING:
    from nudgeguard.cases.store import AuditLog, CaseRecords, OutboxStore, SettingsStore
    from nudgeguard.delivery.dispatch import Dispatcher
    from nudgeguard.policy.engine import Decision
    from nudgeguard.policy.model import PolicyPack
    from nudgeguard.privacy import Pseudonymizer
    from nudgeguard.state.store import StateStore

_ACTIVE = (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED)
#: Longest unknown action name kept in the audit record.
_ACTION_CHARS = 40


class _Handles(Protocol):
    """What "Check this message" needs of a scratch engine: handling events."""

    async def handle(self, event: MessageEvent) -> Decision | None:
        """Process one event; return the decision for scored messages, else None."""
        ...


def _printable(name: str) -> str:
    """Return an untrusted action name bounded and safe to store (no lone surrogates)."""
    short = name[:_ACTION_CHARS]
    return (
        "".join(c if c.isprintable() else "?" for c in short)
        .encode("utf-8", "replace")
        .decode("utf-8")
    )


_CHANGES = frozenset(
    a.value for a in (ModeratorAction.ACKNOWLEDGE, ModeratorAction.DISMISS, ModeratorAction.CONFIRM)
)


def _log_status(result: ModerationResult, action: str) -> None:
    """Log an accepted moderator action that changed (or kept) a case's status."""
    if result.case is None:
        return
    status = result.case.status.value
    emit(
        "case_status",
        status,
        case_id=result.case.id,
        action=action,
        status=status,
        community=result.case.community_id,
    )


if TYPE_CHECKING:

    class ModerationStore(CaseRecords, AuditLog, OutboxStore, SettingsStore, Protocol):
        """What moderation uses of the store: cases, the audit log, the outbox, settings."""


class Moderation:
    """Moderator and child actions on top of the pipeline."""

    if TYPE_CHECKING:
        cases: ModerationStore
        state: StateStore
        pseudonyms: Pseudonymizer
        dispatcher: Dispatcher
        _modes: dict[str, str | None]
        _packs: dict[tuple[str, str], PolicyPack]

        def scratch(self, *, contact_people: bool = True) -> _Handles:
            """Return an engine with fresh working memory."""
            ...

        async def pack_for(self, community_id: str, conversation_id: str) -> PolicyPack:
            """Return the pack in force."""
            ...

    def moderator_locale(self, community_id: str) -> str:
        """Return the language moderators of a community read: the community's setting.

        Alerts, notes on their clicks and ``/safety`` replies all use it (an adapter asks
        here rather than guessing).
        """
        return self.dispatcher.languages.for_moderators(community_id)

    def _notes(self, community_id: str) -> Callable[..., str]:
        """Return a lookup of moderator notes in ``community_id``'s language."""
        return catalog(self.moderator_locale(community_id)).moderator_text

    @staticmethod
    def _closed_note(text: Callable[..., str], case: Case) -> str:
        """Return "This case is already <state>." in the notes' language."""
        return text("note_closed", status=text(f"state_{case.status.value}"))

    async def moderate(
        self,
        case_id: str,
        action: ModeratorAction | str,
        moderator_id: str,
        permitted: bool,
        reason: str | None = None,
        community_id: str | None = None,
    ) -> ModerationResult:
        """Apply a moderator's click to a case and record it, accepted or refused.

        Refused and audited: a case of another community than the one the click came
        from, an unknown action, anyone without permission, and anything but viewing
        evidence on a closed (resolved or dismissed) case. An accepted status change
        queues the update of the case's chat post with its audit row, whoever calls
        (chat, console): :func:`~nudgeguard.delivery.case_alert.change_status`.

        Args:
            case_id: The case the button belongs to.
            action: What was clicked (an unknown name is refused, not raised).
            moderator_id: Platform id of whoever clicked (stored as a pseudonym).
            permitted: The adapter's verdict from platform roles.
            reason: Why a case is dismissed (a short fixed phrase, never message text);
                recorded in the audit row's note.
            community_id: The community (server, workspace) the click came from; a case of
                any other community is refused without showing it. None when the caller
                has checked already (the console, by account).
        """
        result = await self._moderate(
            case_id, action, moderator_id, permitted, reason, community_id
        )
        if result.accepted and str(action) in _CHANGES:
            _log_status(result, str(action))
        if result.accepted and result.case is not None:
            result = replace(
                result,
                alert=self._alert_now(result.case),
                decision=self.dispatcher.alerts.decision(result.case.id),
            )
        return result

    def _alert_now(self, case: Case) -> ModeratorAlert | None:
        """Return the case's remembered alert with its state now, and remember that."""
        known = self.dispatcher.alerts.latest(case.id)
        if known is None:
            return None
        decision = self.dispatcher.alerts.decision(case.id)
        alert = case_alert(case, known, self.moderator_locale(case.community_id), decision=decision)
        self.dispatcher.alerts.remember(alert)
        return alert

    async def _transition(
        self,
        before: Case,
        status: CaseStatus,
        who: str,
        moderator_id: str,
        outcome: Outcome | None = None,
        note: str | None = None,
    ) -> Case:
        """Change a case's status; its post's update is queued in the same transaction.

        ``who`` is the audited actor (a pseudonym); ``moderator_id`` who pressed, kept in
        memory only (a console account is named in the queued update instead).
        """
        via, name = decided_by(moderator_id)
        case, queued, drawn = await change_status(
            self.cases,
            before.id,
            status,
            who,
            outcome,
            note,
            known=self.dispatcher.alerts.latest,
            locale=self.moderator_locale(before.community_id),
            via=via,
            name=name,
        )
        if drawn is not None and drawn.decision is not None:
            decision = drawn.decision
            if via == "chat":
                decision = decision.model_copy(update={"moderator_id": moderator_id})
            self.dispatcher.alerts.remember_decision(case.id, case.platform, decision)
            drawn = drawn.model_copy(update={"decision": decision})
        if drawn is not None and self.dispatcher.alerts.latest(case.id) is not None:
            self.dispatcher.alerts.remember(drawn)  # the press re-draws with the decision
        for item in queued:
            emit("alert", item.target, case_id=case.id, community=case.community_id, to=item.target)
        return case

    async def _moderate(
        self,
        case_id: str,
        action: ModeratorAction | str,
        moderator_id: str,
        permitted: bool,
        reason: str | None,
        community_id: str | None,
    ) -> ModerationResult:
        case = await self.cases.get(case_id)
        if case is None:
            text = self._notes(community_id or "")
            return ModerationResult(False, None, note=text("note_gone"))
        # The note is worded for the community the click came from.
        text = self._notes(case.community_id if community_id is None else community_id)
        who = "mod:" + self.pseudonyms.pseudonym(case.platform, moderator_id)
        if community_id is not None and community_id != case.community_id:
            # Never act on, or show, a case of another server or workspace; the attempt
            # is on that case's record.
            await self.cases.record(
                case_id,
                "action_refused",
                who,
                {"action": _printable(str(action)), "reason": "another community"},
            )
            return ModerationResult(False, None, note=text("note_other_community"))
        try:
            action = ModeratorAction(action)
        except ValueError:
            # Refused, and the attempt is on the case's record (the name bounded and made
            # storable: it came from a button payload anyone can forge).
            detail: dict[str, str | int | float | bool | None] = {
                "action": _printable(str(action)),
                "reason": "unknown action",
            }
            await self.cases.record(case_id, "action_refused", who, detail)
            return ModerationResult(False, case, note=text("note_unknown_action"))
        if not permitted:
            await self.cases.record(case_id, "action_refused", who, {"action": action.value})
            return ModerationResult(False, case, note=text("note_not_moderator"))
        if action is ModeratorAction.SHOW_EVIDENCE:
            # Viewing stays possible on closed cases (reports to authorities need it).
            await self.cases.record(
                case_id, "evidence_viewed", who, {"messages": len(case.evidence)}
            )
            return ModerationResult(True, case, case.evidence, text("note_shown"))
        if case.status not in _ACTIVE:
            await self.cases.record(case_id, "action_on_closed_case", who, {"action": action.value})
            return ModerationResult(False, case, note=self._closed_note(text, case))
        if action is ModeratorAction.TIMEOUT:
            if not case.evidence:
                await self.cases.record(
                    case_id,
                    "action_refused",
                    who,
                    {"action": action.value, "reason": "no evidence"},
                )
                return ModerationResult(False, case, note=text("note_no_evidence"))
            await self.cases.record(case_id, "timeout_requested", who, {})
            return ModerationResult(True, case, note=text("note_timeout_requested"))
        if action is ModeratorAction.ACKNOWLEDGE:
            if case.status is CaseStatus.OPEN:
                case = await self._transition(case, CaseStatus.ACKNOWLEDGED, who, moderator_id)
            return ModerationResult(True, case, note=text("note_acknowledged"))
        if action is ModeratorAction.DISMISS:
            case = await self._transition(
                case,
                CaseStatus.DISMISSED,
                who,
                moderator_id,
                outcome=Outcome.FALSE_POSITIVE,
                note=reason,
            )
            return ModerationResult(True, case, note=text("note_dismissed"))
        case = await self._transition(
            case,
            CaseStatus.ACKNOWLEDGED,
            who,
            moderator_id,
            outcome=Outcome.CONFIRMED,
            note="evidence preserved",
        )
        return ModerationResult(True, case, note=text("note_confirmed"))

    async def resolve(self, case_id: str, moderator_id: str, permitted: bool) -> ModerationResult:
        """Close an open or acknowledged case as resolved, keeping its outcome if any.

        Checked and audited like :meth:`moderate` (``action_refused``,
        ``action_on_closed_case``); a case closed without an outcome gets ``no_action``.
        """
        case = await self.cases.get(case_id)
        if case is None:
            return ModerationResult(False, None, note=self._notes("")("note_gone"))
        text = self._notes(case.community_id)
        who = "mod:" + self.pseudonyms.pseudonym(case.platform, moderator_id)
        if not permitted:
            await self.cases.record(case_id, "action_refused", who, {"action": "resolve"})
            return ModerationResult(False, case, note=text("note_not_moderator"))
        if case.status not in _ACTIVE:
            await self.cases.record(case_id, "action_on_closed_case", who, {"action": "resolve"})
            return ModerationResult(False, case, note=self._closed_note(text, case))
        outcome = None if case.outcome is not None else Outcome.NO_ACTION
        case = await self._transition(case, CaseStatus.RESOLVED, who, moderator_id, outcome=outcome)
        result = ModerationResult(
            True,
            case,
            note=text("note_resolved"),
            alert=self._alert_now(case),
            decision=self.dispatcher.alerts.decision(case.id),
        )
        _log_status(result, "resolve")
        return result

    async def check_message(
        self,
        event: MessageEvent,
        context: Sequence[MessageEvent],
        requester_id: str,
    ) -> CheckResult:
        """Score a message a child chose to check, with the messages before it.

        The check runs on a scratch copy of working memory, so it neither pollutes nor reads
        the live risk picture. If it is serious a case opens as usual (and moderators are
        alerted); the nudge is returned for the adapter to show privately to the child.
        """
        scratch = self.scratch(contact_people=False)
        decision = None
        for earlier in [*context, event]:
            if earlier.author.id != requester_id and not (
                earlier.reply_to_author_id or earlier.mentions
            ):
                earlier = earlier.model_copy(update={"reply_to_author_id": requester_id})
            decision = await scratch.handle(earlier)
        if decision is None or decision.actor_id == requester_id:
            return CheckResult("none", None, None, ("Nothing in this message looks risky.",))
        pack = await self.pack_for(event.community_id, event.conversation_id)
        cat = catalog(self.dispatcher.locale_for(event, pack))
        case_ids = [a for a in decision.actions if a.kind in ("escalate", "append_evidence")]
        case_id = None
        if case_ids:
            subject = self.pseudonyms.pseudonym(event.platform, decision.actor_id)
            target = self.pseudonyms.pseudonym(event.platform, decision.target_id)
            found = await self.cases.find_open(
                event.platform, event.community_id, event.conversation_id, subject, target
            )
            case_id = found.id if found else None
        family = decision.family or "generic"
        level = decision.level.value
        nudge = None
        if level != "none":
            country, source = self.dispatcher.country.choose(
                event.platform, event.community_id, event.conversation_id
            )
            nudge = Nudge(
                nudge_id=f"check:{event.platform}:{event.message_id}:{requester_id}",
                audience="child",
                recipient_id=requester_id,
                platform=event.platform,
                community_id=event.community_id,
                conversation_id=event.conversation_id,
                delivery=pack.delivery.child,
                text=cat.child_text(family, pack.nudges.copy_for, 0),
                buttons=cat.buttons(family, country),
                family=family,
                case_id=case_id,
                country=country,
                country_source=source,
                followup=cat.followups,
                locale=cat.locale,
                copy_for=pack.nudges.copy_for,
            )
        return CheckResult(level, nudge, case_id, (decision.explain(),))

    async def status(self, community_id: str) -> Status:
        """Return open cases and the mode in force for a community."""
        cases = await self.cases.list_cases(community_id=community_id)
        open_cases = sum(1 for c in cases if c.status in _ACTIVE)
        pack = await self.pack_for(community_id, "")
        return Status(open_cases, pack.mode)

    async def set_mode(self, community_id: str, mode: Literal["observe", "live"]) -> None:
        """Switch a community between observe (dry run) and live; survives restarts."""
        await self.cases.set_setting(f"mode:{community_id}", mode)
        self._modes[community_id] = mode
        self._packs = {k: v for k, v in self._packs.items() if k[0] != community_id}
