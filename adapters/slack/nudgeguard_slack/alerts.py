"""Block Kit moderator alerts: post, then update in place as moderators act.

An alert says what, how serious, who and when - never what was said. User ids are shown as
code, not ``<@U…>`` mentions, so posting an alert notifies nobody. Labels come from the
core's catalog in the alert's language (the community's setting); the header block's id
carries that language, so updates after a press keep it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from nudgeguard import (
    DEFAULT_LOCALE,
    AlertDecision,
    CaseStatus,
    ModeratorAction,
    ModeratorAlert,
    ModeratorNotice,
    Outcome,
    catalog,
    decision_line,
    signal_name,
    stage_label,
    supported,
)
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
HEADER_BLOCK_PREFIX = "ng_head_"

#: Buttons Slack shows (a bot cannot time people out on Slack).
_SLACK_ACTIONS = (
    ModeratorAction.ACKNOWLEDGE,
    ModeratorAction.SHOW_EVIDENCE,
    ModeratorAction.DISMISS,
    ModeratorAction.CONFIRM,
)
_CLOSED = {CaseStatus.RESOLVED, CaseStatus.DISMISSED}
_STATUS_ICON = {
    CaseStatus.OPEN: ":large_orange_circle:",
    CaseStatus.ACKNOWLEDGED: ":large_yellow_circle:",
    CaseStatus.RESOLVED: ":white_check_mark:",
    CaseStatus.DISMISSED: ":white_circle:",
}
_SEVERITY_ICON = {
    "low": ":information_source:",
    "medium": ":warning:",
    "high": ":rotating_light:",
    "critical": ":sos:",
}


def alert_text(alert: ModeratorAlert) -> str:
    """Notification text of an alert (shown in previews; no excerpts)."""
    t = catalog(alert.locale).moderator_text
    severity = t(f"severity_{alert.severity.value}")
    state = t(f"state_{alert.status.value}")
    return f"{alert_text_prefix(alert.case_id)} {t('title', severity=severity)}, {state}"


def alert_text_prefix(case_id: str) -> str:
    """The start of every alert's fallback text (names the case in notifications)."""
    return f"Safety case {case_id}:"


def status_block(
    status: CaseStatus,
    decision: AlertDecision | None = None,
    outcome: Outcome | None = None,
    locale: str = DEFAULT_LOCALE,
) -> Block:
    """The block that shows the case status and the last decision (who, what, when)."""
    t = catalog(locale).moderator_text
    confirmed = outcome is Outcome.CONFIRMED or (
        decision is not None and decision.key == "confirmed"
    )
    if confirmed and status not in _CLOSED:
        label = f":red_circle: {t('status_confirmed')}"
    elif status in _STATUS_ICON:
        label = f"{_STATUS_ICON[status]} {t(f'status_{status.value}')}"
    else:
        label = status.value
    text = f"*{t('status')}:* {label}"
    if decision is not None:
        text += f"\n*{t('last_action')}:* {last_action_line(decision, locale)}"
    return {"type": "section", "block_id": STATUS_BLOCK_ID, "text": mrkdwn(text)}


def last_action_line(decision: AlertDecision, locale: str) -> str:
    """The core's decision as Slack shows it: user ids as code (nobody is notified)."""
    return decision_line(
        decision,
        locale,
        mention=user_code,
        when=slack_date,
        quote=lambda name: "`" + escape(name.replace("`", "'")[:64]) + "`",
    )


def moderator_buttons(
    case_id: str,
    status: CaseStatus,
    actions: Iterable[ModeratorAction],
    locale: str = DEFAULT_LOCALE,
) -> Block | None:
    """The moderator action buttons; a closed case keeps only "Show evidence"."""
    t = catalog(locale).moderator_text
    elements: list[Block] = []
    for action in actions:
        if action not in _SLACK_ACTIONS:
            continue  # e.g. timeout: Slack bots cannot time people out
        label = t(action.value)
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
                "text": plain(t("closes_case")),
                "confirm": plain(label),
                "deny": plain(t("cancel")),
            }
        elements.append(element)
    if not elements:
        return None
    return {"type": "actions", "block_id": ACTIONS_BLOCK_ID, "elements": elements}


def alert_blocks(alert: ModeratorAlert) -> list[Block]:
    """The moderator alert: what, how serious, who, when - never what was said."""
    lang = catalog(alert.locale).locale
    t = catalog(lang).moderator_text
    icon = _SEVERITY_ICON.get(alert.severity.value, ":warning:")
    severity = t(f"severity_{alert.severity.value}")
    stages = ", ".join(stage_label(c, lang) for c in alert.stages)
    blocks: list[Block] = [
        {
            "type": "header",
            "block_id": f"{HEADER_BLOCK_PREFIX}{lang}",
            "text": plain(t("header", severity=severity.upper())),
        },
        {
            "type": "section",
            "fields": [
                mrkdwn(f"*{t('severity')}:*\n{icon} {severity}"),
                mrkdwn(f"*{t('score')}:*\n{alert.score:.2f}"),
                mrkdwn(f"*{t('case')}:*\n`{escape(alert.case_id)}`"),
                mrkdwn(f"*{t('child_nudge')}:*\n{escape(alert.nudge_status)}"),
                mrkdwn(f"*{t('stages')}:*\n{escape(stages) or '-'}"),
                mrkdwn(f"*{t('evidence')}:*\n{t('evidence_count', count=alert.evidence_count)}"),
            ],
        },
    ]
    if alert.signals:
        lines = [
            f"- `{escape(s.id)}` x{s.count}"
            + (f" ({escape(', '.join(s.stages))})" if s.stages else "")
            + (f": {escape(name)}" if (name := signal_name(s.id, lang)) else "")
            for s in alert.signals
        ]
        blocks.append(_section(f"*{t('signals')}:*\n" + "\n".join(lines)))
    if alert.reasons:
        reasons = "\n".join(f"- {escape(r)}" for r in alert.reasons[:10])
        blocks.append(_section(f"*{t('why')}:*\n" + reasons))
    people = [
        f"- {p.role}: {user_code(p.user_id)} - {p.age_band.value}"
        f" ({t('source')}: {p.age_source.value}"
        + (f", {t('confidence')} {p.age_confidence:.0%}" if p.age_confidence else "")
        + ")"
        for p in alert.participants
    ]
    if alert.participants_note:  # the core's line: who is not named, where to see them
        people.append(escape(alert.participants_note))
    if people:
        blocks.append(_section(f"*{t('participants')}:*\n" + "\n".join(people)))
    if alert.timeline:
        lines = [f"- {slack_date(e.ts)} {escape(e.label)}" for e in alert.timeline[-10:]]
        blocks.append(_section(f"*{t('timeline')}:*\n" + "\n".join(lines)))
    where = f"{t('conversation')} `{escape(alert.conversation_id)}`"
    if alert.permalink:
        where += f" - <{alert.permalink}|{t('open_in_slack')}>"
    blocks.append({"type": "context", "elements": [mrkdwn(where)]})
    blocks.append({"type": "divider"})
    blocks.append(status_block(alert.status, alert.decision, locale=lang))
    actions = list(alert.actions)
    if alert.decision is not None and alert.decision.key == "confirmed":
        actions = [a for a in actions if a is not ModeratorAction.CONFIRM]
    buttons = moderator_buttons(alert.case_id, alert.status, actions, lang)
    if buttons is not None:
        blocks.append(buttons)
    return blocks


def notice_blocks(notice: ModeratorNotice) -> list[Block]:
    """A case-less notice, as the core worded it: title, lines, when (no text, no ids)."""
    lang = catalog(notice.locale).locale
    return [
        {
            "type": "header",
            "block_id": f"{HEADER_BLOCK_PREFIX}{lang}",
            "text": plain(notice.title[:150]),
        },
        _section("\n".join(escape(line) for line in notice.lines) or "-"),
        {"type": "context", "elements": [mrkdwn(slack_date(notice.ts))]},
    ]


def _section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def locale_of(blocks: Sequence[Block]) -> str:
    """Return the language a posted alert is worded in (English when it does not say)."""
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        if block_id.startswith(HEADER_BLOCK_PREFIX):
            return supported(block_id.removeprefix(HEADER_BLOCK_PREFIX)) or DEFAULT_LOCALE
    return DEFAULT_LOCALE


def updated_alert_blocks(
    blocks: Sequence[Block],
    case_id: str,
    status: CaseStatus,
    decision: AlertDecision | None,
    outcome: Outcome | None = None,
) -> list[Block]:
    """Patch a posted alert in place: new status line, fewer buttons as the case moves on.

    Only when the core no longer holds the case's alert (a restart); otherwise the post is
    re-drawn from it (:func:`alert_blocks` of ``ModerationResult.alert``).
    """
    lang = locale_of(blocks)
    out: list[Block] = []
    seen_status = False
    for block in blocks:
        block_id = block.get("block_id")
        if block_id == STATUS_BLOCK_ID:
            out.append(status_block(status, decision, outcome, lang))
            seen_status = True
        elif block_id == ACTIONS_BLOCK_ID:
            actions = _actions_in(block)
            if outcome is Outcome.CONFIRMED:
                actions = [a for a in actions if a is not ModeratorAction.CONFIRM]
            buttons = moderator_buttons(case_id, status, actions, lang)
            if buttons is not None:
                out.append(buttons)
        else:
            out.append(dict(block))
    if not seen_status:
        out.append(status_block(status, decision, outcome, lang))
    return out


def _actions_in(block: Block) -> list[ModeratorAction]:
    present = {
        str(e.get("action_id", "")).removeprefix(MOD_ACTION_PREFIX)
        for e in block.get("elements", [])
    }
    return [a for a in ModeratorAction if a.value in present]


def keeping_post(new: Sequence[Block], old: Sequence[Block], alert: ModeratorAlert) -> list[Block]:
    """Return ``new`` (``alert``'s blocks) with what only the posted ``old`` blocks know.

    An alert rebuilt from the stored case knows neither the participants' user ids nor
    (when it says ``none``) what became of the child's nudge, nor the timeline before the
    change: the post keeps its participants section and child-nudge field, and its
    timeline gains the new lines.
    """
    was, now = catalog(locale_of(old)).moderator_text, catalog(alert.locale).moderator_text
    people = _section_starting(old, f"*{was('participants')}:*")
    nudge = next(
        (
            f
            for b in old
            for f in b.get("fields") or ()
            if str(f.get("text", "")).startswith(f"*{was('child_nudge')}:*")
        ),
        None,
    )
    if alert.nudge_status != "none":
        nudge = None  # the alert knows it (a child's Report): it is newer than the post
    earlier = _section_starting(old, f"*{was('timeline')}:*")
    earlier_lines = str(earlier["text"]["text"]).splitlines()[1:] if earlier else []
    people_head, timeline_head = f"*{now('participants')}:*", f"*{now('timeline')}:*"
    out: list[Block] = []
    for block in new:
        block = dict(block)
        text = str((block.get("text") or {}).get("text", ""))
        if people is not None and text.startswith(people_head):
            continue  # the post's participants replace those the alert knew
        if block.get("fields") and nudge is not None:
            block["fields"] = [
                nudge if str(f.get("text", "")).startswith(f"*{now('child_nudge')}:*") else f
                for f in block["fields"]
            ]
        at_people = text.startswith(timeline_head) or block.get("type") == "context"
        if at_people and people is not None:  # where the participants section goes
            out.append(dict(people))
            people = None
        if text.startswith(timeline_head) and earlier_lines:
            added = [line for line in text.splitlines()[1:] if line not in earlier_lines]
            block = _section(timeline_head + "\n" + "\n".join((earlier_lines + added)[-10:]))
        out.append(block)
    return out


def _section_starting(blocks: Sequence[Block], head: str) -> Block | None:
    """Return the first section whose text starts with ``head``."""
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict) and str(text.get("text", "")).startswith(head):
            return block
    return None
