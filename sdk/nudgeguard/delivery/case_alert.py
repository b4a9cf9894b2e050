"""A case's alert as it stands now, and the outbox items that re-draw its post.

Whatever changes a case after its alert went out (a child's Report, a moderator's
Acknowledge, Dismiss, Confirm or Resolve, from a chat button, the console or the CLI)
re-draws the moderators' post through the outbox, queued in the same transaction as the
change's audit row. The alert is the case's latest one as this process built it (it names
the participants), or, when this process never built it (another process, a restart, the
CLI), one rebuilt from the stored case: that names only whom the caller knows, since the
store keeps pseudonyms, not platform ids, and says so (``rebuilt``: the adapter editing
the post keeps the participants and child-nudge line it shows). Neither carries message
text.

The decision goes on the alert as :class:`~nudgeguard.delivery.outbound.AlertDecision`
(what, when, where, by whom), worded for every adapter by :func:`decision_line`. Who
pressed a chat button is a platform id: it is never stored (the queued update carries the
decision without it); the bot that took the press keeps it in memory
(:class:`~nudgeguard.delivery.recent_alerts.RecentAlerts`) and its outbox adds it when it
sends the update. A console decision names the console account, a CLI one its ``--by``
name; both are stored with the queued update.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Literal, Protocol

from nudgeguard.cases.model import Case, CaseStatus, Outcome
from nudgeguard.cases.store import CaseRecords, OutboxItem, OutboxStore
from nudgeguard.delivery.nudges import catalog
from nudgeguard.delivery.outbound import (
    AlertDecision,
    AlertParticipant,
    AlertSignal,
    ModeratorAlert,
    TimelineEntry,
)
from nudgeguard.pipeline.signals import TAXONOMY

#: How many timeline entries an alert keeps (the newest).
_TIMELINE = 11
#: How a console account's moderator id starts (``console:<account>``).
CONSOLE = "console:"

DecisionKey = Literal["acknowledged", "confirmed", "dismissed", "resolved"]


def decision_key(case: Case) -> DecisionKey | None:
    """Return what moderators last decided on ``case``, as its record says (None: open)."""
    if case.status is CaseStatus.OPEN:
        return None
    if case.outcome is Outcome.CONFIRMED and case.status is CaseStatus.ACKNOWLEDGED:
        return "confirmed"
    key: DecisionKey = case.status.value  # type: ignore[assignment]
    return key


def decided_by(moderator_id: str) -> tuple[Literal["chat", "console"], str | None]:
    """Return where a moderator id acted from and the name that may be stored and shown.

    A console account (``console:<account>``) is named; a platform id is not returned
    (it is never stored: the running bot keeps it in memory).
    """
    if moderator_id.startswith(CONSOLE):
        return "console", moderator_id.removeprefix(CONSOLE)
    return "chat", None


def decision_line(
    decision: AlertDecision,
    locale: str,
    *,
    mention: Callable[[str], str],
    when: Callable[[float], str],
    quote: Callable[[str], str] = lambda name: name,
) -> str:
    """Return the post's "Last action" line: what was decided, by whom, when.

    Every adapter draws it from the alert with this one function, passing how its
    platform shows a person, a time and a name.

    Args:
        decision: The alert's decision.
        locale: The alert's language.
        mention: Shows a platform user id (Discord ``<@id>``, Slack ``<@U…>``).
        when: Shows a unix time.
        quote: Shows a console account or CLI name (escaped for the platform).
    """
    t = catalog(locale).moderator_text
    if decision.moderator_id is not None:
        who = mention(decision.moderator_id)
    elif decision.name and decision.via == "console":
        who = t("by_console", name=quote(decision.name))
    elif decision.name and decision.via == "cli":
        who = t("by_cli", name=quote(decision.name))
    else:
        who = t("by_someone")
    return f"{t(f'decided_{decision.key}')} {t('by', who=who)}, {when(decision.ts)}"


def case_alert(
    case: Case,
    known: ModeratorAlert | None,
    locale: str,
    *,
    entry: TimelineEntry | None = None,
    nudge_status: str | None = None,
    participants: Sequence[AlertParticipant] = (),
    decision: AlertDecision | None = None,
) -> ModeratorAlert:
    """Return a case's alert with the case's state as stored (no message text).

    Args:
        case: The case as stored (with its evidence, for the count).
        known: The case's latest alert, if this process built it: repeated with the
            case's state, ``entry`` and ``nudge_status``.
        locale: The moderators' language, for an alert rebuilt from the case.
        entry: A timeline entry to add (a child's report), if any.
        nudge_status: What the alert says of the child's nudge; None keeps the known
            alert's (``none`` for a rebuilt one).
        participants: Who a rebuilt alert names (only people the caller knows by their
            platform id; the store has pseudonyms only). A rebuilt alert says it is one
            (``rebuilt``), so an adapter editing the post keeps the participants it shows.
        decision: A moderator's decision to show; None keeps the known alert's.
    """
    added = () if entry is None else (entry,)
    if known is not None:
        return known.model_copy(
            update={
                "alert_id": f"{case.id}:{case.severity.value}",
                "severity": case.severity,
                "status": case.status,
                "score": case.score,
                "reasons": case.reasons,
                "timeline": (*known.timeline, *added)[-_TIMELINE:],
                "nudge_status": known.nudge_status if nudge_status is None else nudge_status,
                "decision": known.decision if decision is None else decision,
                "is_update": True,
            }
        )
    return ModeratorAlert(
        alert_id=f"{case.id}:{case.severity.value}",
        case_id=case.id,
        platform=case.platform,
        community_id=case.community_id,
        conversation_id=case.conversation_id,
        severity=case.severity,
        status=case.status,
        score=case.score,
        reasons=case.reasons,
        signals=tuple(
            AlertSignal(
                id=s,
                stages=TAXONOMY[s].stages,
                count=sum(s in m.signals for m in case.evidence),
            )
            for s in case.signals
            if s in TAXONOMY
        ),
        stages=case.stages,
        participants=tuple(participants),
        timeline=added,
        nudge_status="none" if nudge_status is None else nudge_status,
        evidence_count=len(case.evidence),
        is_update=True,
        locale=locale,
        decision=decision,
        rebuilt=True,
        # A new post (none to keep the people of) says why it names no one, or only the
        # child who reported, and where moderators see the case: never a stored id.
        participants_note=catalog(locale).moderator_text("participants_unknown", case=case.id),
    )


def as_recorded(
    alert: ModeratorAlert, case: Case | None, taken_here: AlertDecision | None = None
) -> ModeratorAlert:
    """Return ``alert`` with its case's state as recorded now (the alert if it is gone).

    The queued snapshot keeps what the record does not hold (participants' platform ids,
    signal counts, the timeline); the case's status, severity, score, reasons and stages
    are the record's, so an older snapshot never shows an older state. The decision is
    the one the alert was queued for, with who pressed when ``taken_here`` (the latest
    decision this process took, from memory) is that decision; an alert queued with none
    (before a press, sent after it) shows ``taken_here`` if the record is at it.
    """
    if case is None:
        return alert
    decision = alert.decision
    if taken_here is not None:
        same = decision is not None and (decision.key, decision.ts) == (
            taken_here.key,
            taken_here.ts,
        )
        if same or (decision is None and taken_here.key == decision_key(case)):
            decision = taken_here
    return alert.model_copy(
        update={
            "status": case.status,
            "severity": case.severity,
            "score": case.score,
            "reasons": case.reasons,
            "stages": case.stages,
            "decision": decision,
        }
    )


def naming(alert: ModeratorAlert, known: ModeratorAlert | None) -> ModeratorAlert:
    """Return ``alert`` naming the people ``known`` (this process's memory of it) names.

    An update queued by another process (the console, the CLI) is rebuilt from the
    record, which keeps pseudonyms only: it names no one and knows nothing of the
    child's nudge. The process that drew the post remembers both (and its language, and
    the timeline so far), so the post keeps them. ``alert`` itself if there is nothing
    to add.
    """
    if alert.participants or known is None or not known.participants:
        return alert
    return alert.model_copy(
        update={
            "participants": known.participants,
            "rebuilt": False,
            "participants_note": None,
            "timeline": (*known.timeline, *alert.timeline)[-_TIMELINE:],
            "nudge_status": known.nudge_status,
            "permalink": known.permalink,
            "locale": known.locale,
        }
    )


def moderated_key(case: Case) -> str:
    """Return the outbox id part of a moderator's change to ``case``.

    It differs from every other alert id of the case (so the outbox never drops it as a
    repeat of the first post) and from every other state a moderator can leave the case in
    (a case only moves forward), while a transaction retried with the same change queues
    the same id once.
    """
    outcome = case.outcome.value if case.outcome is not None else "none"
    return f"moderated:{case.status.value}:{outcome}"


def alert_items(
    case: Case, alert: ModeratorAlert, tag: str, targets: Sequence[str]
) -> list[OutboxItem]:
    """Return one outbox item of ``alert`` per target; ``tag`` tells its ids apart (no I/O)."""
    payload = alert.model_dump_json()
    return [
        OutboxItem(
            id=f"alert:{case.id}:{tag}:{target}",
            case_id=case.id,
            target=target,
            kind="alert",
            payload=payload,
        )
        for target in targets
    ]


class StatusStore(CaseRecords, OutboxStore, Protocol):
    """What a moderator's status change uses of the store: cases and the outbox."""


async def change_status(
    store: StatusStore,
    case_id: str,
    status: CaseStatus,
    actor: str,
    outcome: Outcome | None = None,
    note: str | None = None,
    *,
    known: Callable[[str], ModeratorAlert | None] = lambda _: None,
    locale: str = "en",
    via: Literal["chat", "console", "cli"] = "cli",
    name: str | None = None,
) -> tuple[Case, list[OutboxItem], ModeratorAlert | None]:
    """Change a case's status; the update of its post is queued in the same transaction.

    The update goes wherever the case's alerts went (its platform's adapter, webhook and
    other sinks), whoever made the change and in whichever process: nothing is queued for
    a case that was never alerted. The bot's outbox sends it and draws it from the case as
    recorded then.

    Args:
        store: The case store.
        case_id: The case.
        status: Its new status.
        actor: Who changed it (audited).
        outcome: The outcome decided, if any.
        note: A short fixed phrase for the audit row (never message text).
        known: Returns a case's latest alert if this process built it (it names the
            participants), else None: the alert is rebuilt from the stored case.
        locale: The moderators' language, for a rebuilt alert.
        via: Where the decision was made: ``chat``, ``console`` or ``cli``.
        name: The console account or CLI name to show; never a platform id (it is
            stored with the queued update).

    Returns:
        The case after the change, the items queued with it, and the alert they carry
        (the decision on its timeline and as its ``decision``, without a platform id;
        None if the transaction never built one).
    """
    targets = await store.alert_targets(case_id)
    queued: list[OutboxItem] = []
    drawn: list[ModeratorAlert] = []
    now = time.time()

    def announce(case: Case) -> list[OutboxItem]:
        key = decision_key(case)
        decision = None if key is None else AlertDecision(key=key, ts=now, via=via, name=name)
        entry = decision_entry(case, now, locale)
        alert = case_alert(case, known(case.id), locale, entry=entry, decision=decision)
        drawn[:] = [alert]
        queued[:] = alert_items(case, alert, moderated_key(case), targets)
        return queued

    case = await store.transition(case_id, status, actor, outcome, note, announce)
    return case, queued, drawn[0] if drawn else None


def decision_entry(case: Case, ts: float, locale: str) -> TimelineEntry:
    """Return the timeline entry of a moderator's decision (the post keeps it after a press)."""
    key = decision_key(case) or case.status.value
    return TimelineEntry(ts=ts, label=catalog(locale).moderator_text(f"status_{key}"))


__all__ = [
    "CONSOLE",
    "StatusStore",
    "alert_items",
    "as_recorded",
    "case_alert",
    "change_status",
    "decided_by",
    "decision_entry",
    "decision_key",
    "decision_line",
    "moderated_key",
    "naming",
]
