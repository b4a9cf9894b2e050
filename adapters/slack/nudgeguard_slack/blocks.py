"""Block Kit builders: nudges for the child, alerts and evidence for moderators.

Rules kept here:
- nudge buttons carry equal weight (no colour nudging towards one choice);
- alerts carry no message text at all; excerpts are built only by :func:`evidence_blocks`
  for an ephemeral answer to the moderator who asked;
- user ids are shown as code, never as ``<@U…>`` mentions, so posting an alert notifies
  nobody (a suspect in the moderator channel must not be tipped off);
- everything is cut to Slack's limits (75-char button labels, 3000-char sections, 50 blocks).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from nudgeguard import CaseStatus, ModeratorAction, ModeratorAlert, Nudge
from nudgeguard.cases.model import EvidenceMessage

Block = dict[str, Any]

NUDGE_ACTION_PREFIX = "ng_nudge_"
MOD_ACTION_PREFIX = "ng_mod_"
STATUS_BLOCK_ID = "ng_status"
ACTIONS_BLOCK_ID = "ng_actions"
HISTORY_BLOCK_ID = "ng_history"

MAX_SECTION = 2900
MAX_LABEL = 75
MAX_VALUE = 2000
MAX_EVIDENCE = 20

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
_SEVERITY_ICON = {
    "low": ":information_source:",
    "medium": ":warning:",
    "high": ":rotating_light:",
    "critical": ":sos:",
}


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, MAX_LABEL), "emoji": True}


def _md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": cut(text, MAX_SECTION)}


def _date(ts: float) -> str:
    return f"<!date^{int(ts)}^{{date_short_pretty}} {{time}}|{int(ts)}>"


def _uid(user_id: str) -> str:
    return f"`{escape(user_id)}`"


# ---------------------------------------------------------------------------- nudges


def nudge_button_value(nudge: Nudge, action: str) -> str:
    """Encode what a nudge button needs later: nudge id, action and the follow-up text."""
    payload = {"n": nudge.nudge_id, "a": action, "c": nudge.case_id, "f": ""}
    room = MAX_VALUE - len(json.dumps(payload)) - 16
    payload["f"] = cut(nudge.followup.get(action, ""), max(room, 0))
    return json.dumps(payload, ensure_ascii=False)


def parse_nudge_value(value: str) -> dict[str, str]:
    """Decode a nudge button value; empty dict when it is not ours."""
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(v) for k, v in data.items() if isinstance(v, str)}


def nudge_blocks(nudge: Nudge) -> list[Block]:
    """Blocks for a private nudge: the text, then equal-weight buttons and link buttons."""
    blocks: list[Block] = [{"type": "section", "text": _md(escape(nudge.text))}]
    elements: list[Block] = []
    for i, button in enumerate(nudge.buttons[:25]):
        element: Block = {
            "type": "button",
            "text": _plain(button.label),
            "action_id": f"{NUDGE_ACTION_PREFIX}{button.action.value}_{i}",
        }
        if button.url:
            element["url"] = button.url
        else:
            element["value"] = nudge_button_value(nudge, button.action.value)
        elements.append(element)
    if elements:
        blocks.append({"type": "actions", "block_id": "ng_nudge", "elements": elements})
    return blocks


# ---------------------------------------------------------------------------- alerts


def alert_text(alert: ModeratorAlert) -> str:
    """Notification text of an alert (shown in previews; no excerpts)."""
    return f"Safety case {alert.case_id}: {alert.severity.value} severity, {alert.status.value}"


def status_block(status: CaseStatus, by: str | None = None, ts: float | None = None) -> Block:
    """The block that shows the case status; replaced in place by ``chat.update``."""
    text = f"*Status:* {_STATUS_TEXT.get(status, status.value)}"
    if by:
        text += f" (by {_uid(by)}" + (f", {_date(ts)})" if ts else ")")
    return {"type": "section", "block_id": STATUS_BLOCK_ID, "text": _md(text)}


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
            "text": _plain(label),
            "action_id": f"{MOD_ACTION_PREFIX}{action.value}",
            "value": case_id,
        }
        if action is ModeratorAction.ACKNOWLEDGE:
            element["style"] = "primary"
        if action in (ModeratorAction.CONFIRM, ModeratorAction.DISMISS):
            element["confirm"] = {
                "title": _plain(label + "?"),
                "text": _plain("This closes the case and is recorded on it."),
                "confirm": _plain(label),
                "deny": _plain("Cancel"),
            }
        elements.append(element)
    if not elements:
        return None
    return {"type": "actions", "block_id": ACTIONS_BLOCK_ID, "elements": elements}


def alert_blocks(alert: ModeratorAlert) -> list[Block]:
    """The moderator alert: what, how serious, who, when - never what was said."""
    icon = _SEVERITY_ICON.get(alert.severity.value, ":warning:")
    blocks: list[Block] = [
        {"type": "header", "text": _plain(f"Safety case - {alert.severity.value.upper()}")},
        {
            "type": "section",
            "fields": [
                _md(f"*Severity:*\n{icon} {alert.severity.value}"),
                _md(f"*Score:*\n{alert.score:.2f}"),
                _md(f"*Case:*\n`{escape(alert.case_id)}`"),
                _md(f"*Nudge to the child:*\n{escape(alert.nudge_status)}"),
                _md(f"*Stages:*\n{escape(', '.join(alert.stages)) or '-'}"),
                _md(f"*Messages kept as evidence:*\n{alert.evidence_count}"),
            ],
        },
    ]
    if alert.signals:
        lines = [
            f"- `{escape(s.id)}` x{s.count}"
            + (f" ({escape(', '.join(s.stages))})" if s.stages else "")
            for s in alert.signals
        ]
        blocks.append({"type": "section", "text": _md("*Signals:*\n" + "\n".join(lines))})
    if alert.reasons:
        reasons = "\n".join(f"- {escape(r)}" for r in alert.reasons[:10])
        blocks.append({"type": "section", "text": _md("*Why:*\n" + reasons)})
    if alert.participants:
        lines = [
            f"- {p.role}: {_uid(p.user_id)} - {p.age_band.value}"
            f" (source: {p.age_source.value}"
            + (f", confidence {p.age_confidence:.0%}" if p.age_confidence else "")
            + ")"
            for p in alert.participants
        ]
        blocks.append({"type": "section", "text": _md("*Participants:*\n" + "\n".join(lines))})
    if alert.timeline:
        lines = [f"- {_date(t.ts)} {escape(t.label)}" for t in alert.timeline[-10:]]
        blocks.append({"type": "section", "text": _md("*Timeline:*\n" + "\n".join(lines))})
    where = f"Conversation `{escape(alert.conversation_id)}`"
    if alert.permalink:
        where += f" - <{alert.permalink}|open in Slack>"
    blocks.append({"type": "context", "elements": [_md(where)]})
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
) -> list[Block]:
    """Patch a posted alert in place: new status line, fewer buttons when closed."""
    out: list[Block] = []
    seen_status = False
    for block in blocks:
        block_id = block.get("block_id")
        if block_id == STATUS_BLOCK_ID:
            out.append(status_block(status, moderator_id, ts))
            seen_status = True
        elif block_id == ACTIONS_BLOCK_ID:
            buttons = moderator_buttons(case_id, status, _actions_in(block))
            if buttons is not None:
                out.append(buttons)
        else:
            out.append(dict(block))
    if not seen_status:
        out.append(status_block(status, moderator_id, ts))
    return out


def _actions_in(block: Block) -> list[ModeratorAction]:
    present = {
        str(e.get("action_id", "")).removeprefix(MOD_ACTION_PREFIX)
        for e in block.get("elements", [])
    }
    return [a for a in ModeratorAction if a.value in present]


# ---------------------------------------------------------------------------- evidence


def evidence_blocks(case_id: str, evidence: Sequence[EvidenceMessage]) -> list[Block]:
    """Excerpts for ONE moderator, sent ephemerally; never posted to the channel."""
    blocks: list[Block] = [
        {
            "type": "section",
            "text": _md(
                f"*Evidence for case `{escape(case_id)}`* - only you can see this. "
                "Authors are shown as case pseudonyms."
            ),
        }
    ]
    for msg in evidence[:MAX_EVIDENCE]:
        flags = [f for f, on in (("deleted", msg.deleted), ("edited", msg.edited)) if on]
        if msg.attachment_count:
            flags.append(f"{msg.attachment_count} attachment(s), not kept")
        meta = f"{_date(msg.ts)} - `{escape(msg.author)}`"
        if msg.signals:
            meta += " - " + ", ".join(f"`{escape(s)}`" for s in msg.signals)
        if flags:
            meta += " - " + ", ".join(flags)
        blocks.append({"type": "context", "elements": [_md(meta)]})
        quoted = "\n".join("> " + line for line in escape(msg.text or "(no text)").splitlines())
        blocks.append({"type": "section", "text": _md(quoted or "> (no text)")})
    if len(evidence) > MAX_EVIDENCE:
        more = len(evidence) - MAX_EVIDENCE
        blocks.append(
            {
                "type": "context",
                "elements": [_md(f"{more} more message(s): use `nudgeguard cases show`.")],
            }
        )
    if not evidence:
        blocks.append({"type": "context", "elements": [_md("No messages were kept.")]})
    return blocks
