"""Moderator notices: what reaches moderators when a child reports outside any case.

A child may press Report on a nudge that no case stands behind (the conversation looked
risky, but not enough for a case). The moderators are still told: a
:class:`~nudgeguard.adapter.ModeratorNotice`, worded by the core in the community's
language (the ``moderator:`` catalog keys ``report_notice_*``), is recorded on the audit
chain (store-wide: there is no case) and queued in the same transaction as an outbox item
of kind ``notice`` for the community's own adapter and every sink that takes notices. It
carries no message text and no platform id: only where (the conversation), when, and the
reporter's pseudonym.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from nudgeguard.cases.audit import STORE_WIDE
from nudgeguard.cases.store import AuditLog, OutboxItem
from nudgeguard.delivery.nudges import catalog
from nudgeguard.delivery.outbound import Capabilities, ModeratorNotice
from nudgeguard.delivery.outbox import Outbox
from nudgeguard.telemetry import emit

#: Audit kind of a child's report that reached moderators as a notice.
REPORT_NOTICE = "child_report_notice"
#: How much of the reporter's pseudonym moderators see (enough to match the console).
_SHOWN = 12


def report_notice(
    *,
    nudge_id: str,
    platform: str,
    community_id: str,
    conversation_id: str | None,
    reporter: str,
    ts: float,
    locale: str,
) -> ModeratorNotice:
    """Return the notice of a child's Report on a nudge without a case (no text, no ids).

    Args:
        nudge_id: The nudge pressed; with ``reporter`` it makes the notice id, so pressing
            Report twice on one nudge notifies once.
        platform: The child's platform.
        community_id: The community the press came from.
        conversation_id: Where the nudge was about, when the adapter knows it.
        reporter: The child's keyed pseudonym (never the platform id).
        ts: When they pressed it.
        locale: The moderators' language (the community's setting).
    """
    t = catalog(locale).moderator_text
    key = hashlib.sha256(f"{nudge_id}\x00{reporter}".encode()).hexdigest()[:32]
    lines = [t("report_notice_body")]
    if conversation_id:
        lines.append(t("report_notice_where", conversation=conversation_id))
    lines.append(t("report_notice_who", reporter=reporter[:_SHOWN]))
    return ModeratorNotice(
        notice_id=f"notice:{key}",
        platform=platform,
        community_id=community_id,
        conversation_id=conversation_id,
        ts=ts,
        reporter=reporter[:_SHOWN],
        title=t("report_notice_title"),
        lines=tuple(lines),
        locale=catalog(locale).locale,
    )


def notice_items(
    notice: ModeratorNotice,
    outbox: Outbox,
    capabilities: Callable[[str], Capabilities | None],
) -> list[OutboxItem]:
    """Return one outbox item per target: the platform's adapter and notice-taking sinks."""
    payload = notice.model_dump_json()
    return [
        OutboxItem(
            id=f"{notice.notice_id}:{target}",
            case_id=None,
            target=target,
            kind="notice",
            payload=payload,
        )
        for target in outbox.alert_targets
        if (target == notice.platform or capabilities(target) is None)
        and outbox.can_deliver("notice", target)
    ]


async def send_report_notice(
    notice: ModeratorNotice,
    actor: str,
    cases: AuditLog,
    outbox: Outbox,
    capabilities: Callable[[str], Capabilities | None],
) -> bool:
    """Record the notice on the audit chain, queue it, and try it once; True if on its way.

    ``actor`` is the audit actor (``child:<full pseudonym>``, so an erasure finds it).

    On its way means delivered, or waiting for a retry the outbox will make (a rate
    limit); False when nothing can take it or every target refused it for good.
    """
    items = notice_items(notice, outbox, capabilities)
    detail: dict[str, str | int | float | bool | None] = {
        "action": "report",
        "community": notice.community_id,
        "targets": len(items),
    }
    # The audit row and the notice commit together; the id de-duplicates repeat presses.
    await cases.record(STORE_WIDE, REPORT_NOTICE, actor, detail, queue=items)
    reached = False
    for item in items:
        result = await outbox.attempt(item)
        emit("alert", item.target, community=notice.community_id, to=item.target, kind="notice")
        reached = reached or result in ("sent", "pending")
    return reached


__all__ = ["REPORT_NOTICE", "notice_items", "report_notice", "send_report_notice"]
