"""Dispatcher: carries out a Decision through the case store, the outbox and the adapters.

Order matters and is fixed here: the case (with its evidence window) is written in the
same transaction as the alert announcing it (or its raised severity), before any nudge;
sender warnings never go out for a pair with a case; nudges use only private channels the
adapter declares, in the policy's fallback order.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nudgeguard.cases.model import Case, Severity
from nudgeguard.cases.store import (
    Announce,
    AuditLog,
    CaseRecords,
    ObservationStore,
    OutboxItem,
)
from nudgeguard.delivery.case_alert import alert_items
from nudgeguard.delivery.compose import (
    DispatchContext,
    alert_for,
    case_reasons,
    child_nudge,
    nudge_item,
    private_channels,
    sender_warning,
    stored_evidence,
)
from nudgeguard.delivery.helpline_country import HelplineCountries
from nudgeguard.delivery.nudges import catalog
from nudgeguard.delivery.outbound import (
    Capabilities,
    ModeratorAlert,
    Nudge,
)
from nudgeguard.delivery.outbox import AttemptResult, Outbox
from nudgeguard.delivery.recent_alerts import RecentAlerts
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.locales import LanguageSettings, choose_locale, supported
from nudgeguard.pipeline.language import written_language
from nudgeguard.policy.decisions import log_recorded, observation_of
from nudgeguard.policy.engine import Decision, PlannedAction
from nudgeguard.policy.model import PolicyPack
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.state.store import ConversationState, EvidenceItem
from nudgeguard.telemetry import emit

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DispatchStats:
    """Counters for status pages and benchmarks."""

    cases_opened: int = 0
    alerts: int = 0
    nudges: int = 0
    sender_warnings: int = 0
    undeliverable: int = 0
    observed: int = 0
    by_action: dict[str, int] = field(default_factory=dict)


def new_case_id() -> str:
    """Return a short, unguessable case id."""
    return "NG-" + secrets.token_hex(5).upper()


class DispatchStore(CaseRecords, AuditLog, ObservationStore, Protocol):
    """What the dispatcher uses of the store: cases, the audit log, observations."""


class Dispatcher:
    """Turns decisions into stored cases and queued deliveries."""

    def __init__(
        self,
        cases: DispatchStore,
        outbox: Outbox,
        pseudonyms: Pseudonymizer,
        capabilities: Callable[[str], Capabilities | None],
        country: HelplineCountries,
        languages: LanguageSettings | None = None,
    ) -> None:
        self.cases = cases
        self.outbox = outbox
        self.pseudonyms = pseudonyms
        self.capabilities = capabilities
        self.country = country
        self.languages = languages or LanguageSettings()
        self.stats = DispatchStats()
        #: False on the scratch engine of "Check this message": the adapter answers the
        #: child itself, so no second nudge and never a sender warning.
        self.contact_people = True
        #: The latest alert built per case (in memory only: it holds platform ids).
        #: The latest alert of each recent case (re-drawn after a moderator's press).
        self.alerts = RecentAlerts()

    def locale_for(
        self,
        event: MessageEvent,
        pack: PolicyPack,
        conversation: ConversationState | None = None,
        reader: str | None = None,
    ) -> str:
        """Return the language of a nudge caused by ``event``, before any platform signal.

        Adapters that know the recipient's own language re-word the nudge on delivery
        (:func:`nudgeguard.delivery.nudges.in_locale`), since that signal ranks first. When no
        setting and no language tag on the event decide, the written language is
        identified now: that of ``reader``'s latest lines in ``conversation`` (the child
        writes German: a German nudge), else that of the event's text.
        """
        langs = self.languages
        channel = langs.channel(event.conversation_id) or langs.channel(
            event.parent_conversation_id
        )
        community = langs.community(event.community_id) or pack.nudges.locale
        written = event.language
        if channel is None and community is None and supported(written) is None:
            own = (
                ()
                if conversation is None or reader is None
                else (i.text for i in reversed(conversation.window) if i.author_id == reader)
            )
            written = written_language(own, event.text)
        return choose_locale(None, community, channel, written)

    async def dispatch(self, decision: Decision, ctx: DispatchContext) -> None:
        """Carry out the decision's actions (or record them in observe mode)."""
        if not decision.actions:
            return
        # Every acted-on decision is recorded without text or ids (pseudonyms only), for
        # the dry-run review (``nudgeguard decisions``) and transparency reports.
        await self.record(decision, ctx.pack, ctx.event.text)
        if decision.mode == "observe":
            self.stats.observed += 1
            return
        case: Case | None = None
        alerts = self.stats.alerts
        for action in decision.actions:
            self.stats.by_action[action.kind] = self.stats.by_action.get(action.kind, 0) + 1
            if action.kind in ("escalate", "append_evidence"):
                case = await self._escalate(decision, ctx, action)
            elif not self.contact_people:
                continue
            elif action.kind == "nudge_child":
                await self._nudge_child(decision, ctx, action, case)
            elif action.kind == "warn_sender":
                await self._warn_sender(decision, ctx, action)
        # Alerts were only stored above; they go out now, after the child's nudge, so a
        # slow or failing moderator channel never delays it, and a crash loses nothing.
        # (Nothing queued, nothing to send now: retries are the outbox timer's job.)
        if self.stats.alerts != alerts:
            await self.outbox.drain()

    async def record(self, decision: Decision, pack: PolicyPack, text: str | None = None) -> None:
        """Record a decision (or the nudges it held back) without text or platform ids.

        ``text`` (the triggering message) only chooses the recorded wording key.
        """
        await self.cases.observe(observation_of(decision, pack, self.pseudonyms, text))
        log_recorded(decision, self.pseudonyms)

    # -- cases -----------------------------------------------------------------------------
    async def _escalate(self, d: Decision, ctx: DispatchContext, action: PlannedAction) -> Case:
        severity = action.severity or Severity.HIGH
        pair = ctx.pair
        window = ctx.conversation.window
        signals = [s.id for s in d.signals]
        if pair.case_id is not None:
            # The pair's case, as working memory knows it: append straight away, unless it
            # was closed meanwhile (or this store never had it).
            known = pair.case_severity
            queued: list[OutboxItem] = []

            def raised(case: Case) -> list[OutboxItem]:
                # Raised now, or elsewhere meanwhile: queued with the severity, atomically.
                if case.severity.value == known:
                    return []
                return self._queue(queued, self._alert_items(case, d, ctx, is_update=True))

            try:
                case = await self._append(pair.case_id, d, window, severity, signals, raised)
            except KeyError:
                pass
            else:
                pair.case_id, pair.case_severity = case.id, case.severity.value
                if case.severity.value != known:
                    sev = case.severity.value
                    emit("case_updated", sev, case_id=case.id, severity=sev)
                self._log_alerts(queued, d.community_id)
                return case
        subject = self.pseudonyms.pseudonym(d.platform, d.actor_id)
        target = self.pseudonyms.pseudonym(d.platform, d.target_id)
        # find_open reads no evidence: loading the whole case on every append made long
        # conversations quadratic.
        existing = await self.cases.find_open(
            d.platform, d.community_id, d.conversation_id, subject, target
        )
        if existing is not None:
            # Working memory behind the case store (a process restarted, or died between
            # writing the case and queueing its alert): queue the alert for the case's
            # current severity again. Its id is the original one, so it is sent once.
            again: list[OutboxItem] = []
            case = await self._append(
                existing.id,
                d,
                window,
                severity,
                signals,
                lambda c: self._queue(again, self._alert_items(c, d, ctx, is_update=True)),
            )
            pair.case_id, pair.case_severity = case.id, case.severity.value
            self._log_alerts(again, d.community_id)
            return case
        now = d.ts
        case = Case(
            id=new_case_id(),
            platform=d.platform,
            community_id=d.community_id,
            conversation_id=d.conversation_id,
            subject=subject,
            target=target,
            severity=severity,
            score=d.assessment.score,
            signals=tuple(sorted(ctx.pair.signal_counts)),
            stages=d.assessment.stages,
            reasons=case_reasons(d),
            opened_at=now,
            updated_at=now,
        )
        # The case and its alert commit in one transaction: a crash at any point either
        # loses both (the next message opens the case again) or keeps both.
        opened: list[OutboxItem] = []
        case = await self.cases.open_case(
            case,
            stored_evidence(self.pseudonyms, d.platform, window),
            lambda c: self._queue(opened, self._alert_items(c, d, ctx, is_update=False)),
        )
        for item in window:
            item.stored_for = case.id
        pair.case_id, pair.case_severity = case.id, case.severity.value
        self.stats.cases_opened += 1
        sev = case.severity.value
        emit("case_opened", sev, case_id=case.id, severity=sev, subject=subject, target=target)
        self._log_alerts(opened, d.community_id)
        return case

    async def _append(
        self,
        case_id: str,
        d: Decision,
        window: Sequence[EvidenceItem],
        severity: Severity,
        signals: list[str],
        announce: Announce,
    ) -> Case:
        """Add the window items the case does not have yet (open cases only).

        ``announce`` builds the alerts queued in the same transaction (see
        :data:`~nudgeguard.cases.store.Announce`).
        """
        fresh = [i for i in window if i.stored_for != case_id]
        case = await self.cases.add_evidence(
            case_id,
            stored_evidence(self.pseudonyms, d.platform, fresh),
            severity=severity,
            score=d.assessment.score,
            signals=signals,
            stages=d.assessment.stages,
            open_only=True,
            reasons=case_reasons(d),
            announce=announce,
        )
        for item in fresh:
            item.stored_for = case.id
        return case

    def _alert_items(
        self,
        case: Case,
        d: Decision,
        ctx: DispatchContext,
        *,
        is_update: bool,
        nudge_status: str = "none",
    ) -> list[OutboxItem]:
        """Return the outbox items of a case's alert, one per target (no I/O)."""
        locale = self.languages.for_moderators(d.community_id)
        alert = alert_for(
            case, d, ctx, is_update=is_update, nudge_status=nudge_status, locale=locale
        )
        self.alerts.remember(alert)
        return self.items_of(case, alert, nudge_status)

    def items_of(self, case: Case, alert: ModeratorAlert, nudge_status: str) -> list[OutboxItem]:
        """Return one outbox item of ``alert`` per alert target (no I/O)."""
        # The community's own adapter and every external sink; never another platform.
        targets = [
            t
            for t in self.outbox.alert_targets
            if t == case.platform or self.capabilities(t) is None
        ]
        self.stats.alerts += len(targets)
        return alert_items(case, alert, f"{case.severity.value}:{nudge_status}", targets)

    @staticmethod
    def _queue(queued: list[OutboxItem], items: list[OutboxItem]) -> list[OutboxItem]:
        """Remember what an announce callback queued (a retried transaction calls it again)."""
        queued[:] = items
        return items

    @staticmethod
    def _log_alerts(queued: Sequence[OutboxItem], community_id: str) -> None:
        """Log the alerts a store transaction queued, once it has committed."""
        for item in queued:
            emit("alert", item.target, case_id=item.case_id, community=community_id, to=item.target)

    # -- nudges ----------------------------------------------------------------------------
    async def _nudge_child(
        self, d: Decision, ctx: DispatchContext, action: PlannedAction, case: Case | None
    ) -> None:
        pack, family = ctx.pack, action.family or "generic"
        cat = catalog(self.locale_for(ctx.event, pack, ctx.conversation, d.target_id))
        nudge = child_nudge(
            d,
            ctx,
            family,
            cat,
            private_channels(self.capabilities(d.platform), pack.delivery.child),
            *self.country.choose(d.platform, d.community_id, d.conversation_id),
            case.id if case else ctx.pair.case_id,
        )
        ctx.pair.nudged[family] = d.ts
        ctx.child.nudge_times = [t for t in ctx.child.nudge_times if d.ts - t < 86400] + [d.ts]
        self.stats.nudges += 1
        result = await self._send_nudge(nudge)
        child = self.pseudonyms.pseudonym(d.platform, d.target_id)
        emit("nudge", "child", recipient=child, family=family, result=result, case_id=nudge.case_id)
        if result == "undeliverable":
            await self._undeliverable(d, ctx, case)

    async def _send_nudge(self, nudge: Nudge) -> AttemptResult:
        if not nudge.delivery:
            return "undeliverable"
        if not self.outbox.can_deliver("nudge", nudge.platform):
            return "pending"
        return await self.outbox.submit(nudge_item(nudge))

    async def _undeliverable(self, d: Decision, ctx: DispatchContext, case: Case | None) -> None:
        """A child could not be reached privately: never post publicly, tell moderators."""
        self.stats.undeliverable += 1
        if case is None:
            case = await self._escalate(
                d, ctx, PlannedAction("escalate", "nudge-undeliverable", Severity.LOW)
            )
        # The event and the alert telling moderators commit together.
        alerts = self._alert_items(case, d, ctx, is_update=True, nudge_status="undeliverable")
        await self.cases.record(
            case.id, "nudge_undeliverable", "system", {"family": d.family}, queue=alerts
        )
        self._log_alerts(alerts, d.community_id)

    async def _warn_sender(self, d: Decision, ctx: DispatchContext, action: PlannedAction) -> None:
        if ctx.pair.case_id is not None or ctx.pair.warned_at >= 0:
            return
        cat = catalog(self.locale_for(ctx.event, ctx.pack, ctx.conversation, d.actor_id))
        channels = private_channels(self.capabilities(d.platform), ctx.pack.delivery.sender)
        nudge = sender_warning(d, action.template, cat, channels)
        ctx.pair.warned_at = d.ts
        self.stats.sender_warnings += 1
        result = await self._send_nudge(nudge)
        sender = self.pseudonyms.pseudonym(d.platform, d.actor_id)
        template = action.template or "keep_public"
        emit("nudge", "sender", recipient=sender, template=template, result=result)
