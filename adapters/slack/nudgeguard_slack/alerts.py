"""Block Kit moderator alerts: post, then update in place as moderators act.

An alert says what, how serious, who and when - never what was said. User ids are shown as
code, not ``<@U…>`` mentions, so posting an alert notifies nobody.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from nudgeguard import CaseStatus, ModeratorAction, ModeratorAlert
from nudgeguard.cases.model import Outcome
from nudgeguard_slack.blocks import (
    MOD_ACTION_PREFIX,
    Block,
    escape,
    mrkdwn,
    plain,
    slack_date,
    user_code,
)

STATUS_BLOCK_ID = "ng_status"
ACTIONS_BLOCK_ID = "ng_actions"

_MOD_LABELS: dict[ModeratorAction, str] = {
    ModeratorAction.ACKNOWLEDGE: "Acknowledge",
    ModeratorAction.SHOW_EVIDENCE: "Show evidence",
    ModeratorAction.DISMISS: "Dismiss as false positive",
    ModeratorAction.CONFIRM: "Confirm",
}
_CLOSED = {CaseStatus.RESOLVED, CaseStatus.DISMISSED}
_STATUS_TEXT = {
    CaseStatus.OPEN: ":large_orange_circle: Open - waiting for a moderator",
    CaseStatus.ACKNOWLEDGED: ":large_yellow_circle: Acknowledged - a moderator is on it",
    CaseStatus.RESOLVED: ":white_check_mark: Resolved - confirmed by a moderator",
    CaseStatus.DISMISSED: ":white_circle: Dismissed as a false positive",
}
_CONFIRMED_TEXT = ":red_circle: Confirmed by a moderator - evidence preserved"
_SEVERITY_ICON = {
    "low": ":information_source:",
    "medium": ":warning:",
    "high": ":rotating_light:",
    "critical": ":sos:",
}


def alert_text(alert: ModeratorAlert) -> str:
    """Notification text of an alert (shown in previews; no excerpts)."""
    return (
        f"{alert_text_prefix(alert.case_id)} {alert.severity.value} severity, {alert.status.value}"
    )


def alert_text_prefix(case_id: str) -> str:
    """The start of every alert's fallback text; finds a case's post after a restart."""
    return f"Safety case {case_id}:"


def status_block(
    status: CaseStatus,
    by: str | None = None,
    ts: float | None = None,
    outcome: Outcome | None = None,
) -> Block:
    """The block that shows the case status; replaced in place by ``chat.update``."""
    if outcome is Outcome.CONFIRMED and status not in _CLOSED:
        label = _CONFIRMED_TEXT
    else:
        label = _STATUS_TEXT.get(status, status.value)
    text = f"*Status:* {label}"
    if by:
        text += f" (by {user_code(by)}" + (f", {slack_date(ts)})" if ts else ")")
    return {"type": "section", "block_id": STATUS_BLOCK_ID, "text": mrkdwn(text)}


def moderator_buttons(
    case_id: str, status: CaseStatus, actions: Iterable[ModeratorAction]
) -> Block | None:
    """The moderator action buttons; a closed case keeps only "Show evidence"."""
    elements: list[Block] = []
    for action in actions:
        label = _MOD_LABELS.get(action)
        if label is None:
            continue  # e.g. timeout: Slack bots cannot time people out
        if status in _CLOSED and action is not ModeratorAction.SHOW_EVIDENCE:
            continue
        if status is CaseStatus.ACKNOWLEDGED and action is ModeratorAction.ACKNOWLEDGE:
            continue
        element: Block = {
            "type": "button",
            "text": plain(label),
            "action_id": f"{MOD_ACTION_PREFIX}{action.value}",
            "value": case_id,
        }
        if action is ModeratorAction.ACKNOWLEDGE:
            element["style"] = "primary"
        if action in (ModeratorAction.CONFIRM, ModeratorAction.DISMISS):
            element["confirm"] = {
                "title": plain(label + "?"),
                "text": plain("This closes the case and is recorded on it."),
                "confirm": plain(label),
                "deny": plain("Cancel"),
            }
        elements.append(element)
    if not elements:
        return None
    return {"type": "actions", "block_id": ACTIONS_BLOCK_ID, "elements": elements}


def alert_blocks(alert: ModeratorAlert) -> list[Block]:
    """The moderator alert: what, how serious, who, when - never what was said."""
    icon = _SEVERITY_ICON.get(alert.severity.value, ":warning:")
    blocks: list[Block] = [
        {"type": "header", "text": plain(f"Safety case - {alert.severity.value.upper()}")},
        {
            "type": "section",
            "fields": [
                mrkdwn(f"*Severity:*\n{icon} {alert.severity.value}"),
                mrkdwn(f"*Score:*\n{alert.score:.2f}"),
                mrkdwn(f"*Case:*\n`{escape(alert.case_id)}`"),
                mrkdwn(f"*Nudge to the child:*\n{escape(alert.nudge_status)}"),
                mrkdwn(f"*Stages:*\n{escape(', '.join(alert.stages)) or '-'}"),
                mrkdwn(f"*Messages kept as evidence:*\n{alert.evidence_count}"),
            ],
        },
    ]
    if alert.signals:
        lines = [
            f"- `{escape(s.id)}` x{s.count}"
            + (f" ({escape(', '.join(s.stages))})" if s.stages else "")
            for s in alert.signals
        ]
        blocks.append({"type": "section", "text": mrkdwn("*Signals:*\n" + "\n".join(lines))})
    if alert.reasons:
        reasons = "\n".join(f"- {escape(r)}" for r in alert.reasons[:10])
        blocks.append({"type": "section", "text": mrkdwn("*Why:*\n" + reasons)})
    if alert.participants:
        lines = [
            f"- {p.role}: {user_code(p.user_id)} - {p.age_band.value}"
            f" (source: {p.age_source.value}"
            + (f", confidence {p.age_confidence:.0%}" if p.age_confidence else "")
            + ")"
            for p in alert.participants
        ]
        blocks.append({"type": "section", "text": mrkdwn("*Participants:*\n" + "\n".join(lines))})
    if alert.timeline:
        lines = [f"- {slack_date(t.ts)} {escape(t.label)}" for t in alert.timeline[-10:]]
        blocks.append({"type": "section", "text": mrkdwn("*Timeline:*\n" + "\n".join(lines))})
    where = f"Conversation `{escape(alert.conversation_id)}`"
    if alert.permalink:
        where += f" - <{alert.permalink}|open in Slack>"
    blocks.append({"type": "context", "elements": [mrkdwn(where)]})
    blocks.append({"type": "divider"})
    blocks.append(status_block(alert.status))
    buttons = moderator_buttons(alert.case_id, alert.status, alert.actions)
    if buttons is not None:
        blocks.append(buttons)
    return blocks


def updated_alert_blocks(
    blocks: Sequence[Block],
    case_id: str,
    status: CaseStatus,
    moderator_id: str,
    ts: float,
    outcome: Outcome | None = None,
) -> list[Block]:
    """Patch a posted alert in place: new status line, fewer buttons as the case moves on."""
    out: list[Block] = []
    seen_status = False
    for block in blocks:
        block_id = block.get("block_id")
        if block_id == STATUS_BLOCK_ID:
            out.append(status_block(status, moderator_id, ts, outcome))
            seen_status = True
        elif block_id == ACTIONS_BLOCK_ID:
            actions = _actions_in(block)
            if outcome is Outcome.CONFIRMED:
                actions = [a for a in actions if a is not ModeratorAction.CONFIRM]
            buttons = moderator_buttons(case_id, status, actions)
            if buttons is not None:
                out.append(buttons)
        else:
            out.append(dict(block))
    if not seen_status:
        out.append(status_block(status, moderator_id, ts, outcome))
    return out


def _actions_in(block: Block) -> list[ModeratorAction]:
    present = {
        str(e.get("action_id", "")).removeprefix(MOD_ACTION_PREFIX)
        for e in block.get("elements", [])
    }
    return [a for a in ModeratorAction if a.value in present]
