"""Composing what goes out: moderator alerts and private nudges, from a decision.

Pure functions (no I/O, no state change): the dispatcher (:mod:`nudgeguard.delivery.dispatch`)
decides when to build them and carries them out through the case store and the outbox.
Alerts carry platform ids but never message text; nudges only ever name private channels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from nudgeguard.cases.model import Case, EvidenceMessage
from nudgeguard.cases.store import OutboxItem
from nudgeguard.delivery.helpline_country import CountrySource
from nudgeguard.delivery.nudges.catalog import Catalog, catalog
from nudgeguard.delivery.nudges.wording import wording_key
from nudgeguard.delivery.outbound import (
    AlertParticipant,
    AlertSignal,
    Capabilities,
    Delivery,
    ModeratorAlert,
    Nudge,
    TimelineEntry,
)
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.pipeline.signals import TAXONOMY
from nudgeguard.policy.engine import Decision
from nudgeguard.policy.model import PolicyPack
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.state.store import (
    AgeInference,
    ChildState,
    ConversationState,
    EvidenceItem,
    PairState,
)


@dataclass(slots=True)
class DispatchContext:
    """Everything the dispatcher needs about the message beyond the decision."""

    event: MessageEvent
    conversation: ConversationState
    pair: PairState
    child: ChildState
    pack: PolicyPack
    actor_age: AgeInference
    target_age: AgeInference
    target_roles: tuple[str, ...] = ()


def stored_evidence(
    pseudonyms: Pseudonymizer, platform: str, items: Sequence[EvidenceItem]
) -> list[EvidenceMessage]:
    """Return evidence-window items as stored: pseudonymised authors, no attachments."""
    return [
        EvidenceMessage(
            message_id=i.message_id,
            author=pseudonyms.pseudonym(platform, i.author_id),
            ts=i.ts,
            text=i.text,
            signals=i.signals,
            attachment_count=i.attachment_count,
            edited=i.edited,
            deleted=i.deleted,
        )
        for i in items
    ]


def case_reasons(d: Decision) -> tuple[str, ...]:
    """Return the reasons stored on a case: the urgent reason first, then the explanation."""
    reasons = [d.explain()]
    if d.assessment.urgent_reason:
        reasons.insert(0, d.assessment.urgent_reason)
    return tuple(reasons)


def alert_for(
    case: Case,
    d: Decision,
    ctx: DispatchContext,
    *,
    is_update: bool,
    nudge_status: str = "none",
    locale: str = "en",
) -> ModeratorAlert:
    """Return the moderator alert for a case (platform ids, no message text).

    ``locale`` is the language the community's moderators read.
    """
    counts = ctx.pair.signal_counts
    say = catalog(locale).moderator_text
    timeline = [TimelineEntry(ts=ctx.pair.first_ts, label=say("timeline_first"))]
    timeline += [
        TimelineEntry(ts=i.ts, label=say("timeline_signals", signals=", ".join(i.signals)))
        for i in ctx.conversation.window
        if i.signals and i.author_id == d.actor_id
    ][-10:]
    return ModeratorAlert(
        alert_id=f"{case.id}:{case.severity.value}",
        case_id=case.id,
        platform=d.platform,
        community_id=d.community_id,
        conversation_id=d.conversation_id,
        severity=case.severity,
        status=case.status,
        score=case.score,
        reasons=case.reasons,
        signals=tuple(
            AlertSignal(id=s, stages=TAXONOMY[s].stages, count=n)
            for s, n in sorted(counts.items(), key=lambda kv: -kv[1])
        ),
        stages=case.stages,
        participants=(
            AlertParticipant(
                role="subject",
                user_id=d.actor_id,
                age_band=ctx.actor_age.band,
                age_source=ctx.actor_age.source,
                age_confidence=ctx.actor_age.confidence,
                roles=ctx.event.author.roles,
            ),
            AlertParticipant(
                role="target",
                user_id=d.target_id,
                age_band=ctx.target_age.band,
                age_source=ctx.target_age.source,
                age_confidence=ctx.target_age.confidence,
                roles=ctx.target_roles,
            ),
        ),
        timeline=tuple(timeline),
        permalink=ctx.event.permalink,
        nudge_status=nudge_status,
        evidence_count=len(ctx.conversation.window),
        is_update=is_update,
        locale=locale,
    )


def private_channels(caps: Capabilities | None, order: Sequence[Delivery]) -> tuple[Delivery, ...]:
    """Return the policy's channels in order, keeping those the platform has.

    ``caps`` None (no adapter, a sink) keeps them all. Every channel is private: there is
    no public option to fall back to.
    """
    if caps is None:
        return tuple(order)
    allowed = {Delivery.EPHEMERAL: caps.ephemeral, Delivery.DIRECT_MESSAGE: caps.direct_message}
    return tuple(c for c in order if allowed[c])


def child_nudge(
    d: Decision,
    ctx: DispatchContext,
    family: str,
    cat: Catalog,
    channels: tuple[Delivery, ...],
    country: str,
    country_source: CountrySource,
    case_id: str | None,
) -> Nudge:
    """Return the private nudge to the child a decision is about, worded from ``cat``.

    ``country`` is the helpline country the core chose and ``country_source`` what it was
    chosen from (see :mod:`nudgeguard.delivery.helpline_country`).
    """
    pack = ctx.pack
    variant = len(ctx.child.nudge_times) + len(ctx.pair.nudged)
    return Nudge(
        nudge_id=f"nudge:{d.platform}:{d.message_id}:{d.target_id}",
        audience="child",
        recipient_id=d.target_id,
        platform=d.platform,
        community_id=d.community_id,
        conversation_id=d.conversation_id,
        delivery=channels,
        reply_to_message_id=d.message_id,
        text=cat.child_text(
            wording_key(family, d.signals, pack, ctx.event.text), pack.nudges.copy_for, variant
        ),
        buttons=cat.buttons(family, country),
        family=family,
        case_id=case_id,
        country=country,
        country_source=country_source,
        locale=cat.locale,
        followup=cat.followups,
        copy_for=pack.nudges.copy_for,
        variant=variant,
    )


def sender_warning(
    d: Decision, template: str | None, cat: Catalog, channels: tuple[Delivery, ...]
) -> Nudge:
    """Return the private warning to the author of a decision's message."""
    return Nudge(
        nudge_id=f"warn:{d.platform}:{d.message_id}:{d.actor_id}",
        audience="sender",
        recipient_id=d.actor_id,
        platform=d.platform,
        community_id=d.community_id,
        conversation_id=d.conversation_id,
        delivery=channels,
        reply_to_message_id=d.message_id,
        text=cat.sender_text(template),
        family="sender_warning",
        locale=cat.locale,
        template=template,
    )


def nudge_item(nudge: Nudge) -> OutboxItem:
    """Return the outbox item that delivers a nudge.

    Nudge ids name the recipient; the stored key is a hash, so no raw user id outlives the
    payload (which is dropped once delivered).
    """
    return OutboxItem(
        id="nudge:" + hashlib.sha256(nudge.nudge_id.encode()).hexdigest()[:40],
        case_id=nudge.case_id,
        target=nudge.platform,
        kind="nudge",
        payload=nudge.model_dump_json(),
    )
