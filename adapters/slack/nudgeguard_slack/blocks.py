"""Block Kit builders: nudges for the child, evidence for one moderator; shared helpers.

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
from collections.abc import Sequence
from typing import Any

from nudgeguard import DEFAULT_LOCALE, EvidenceMessage, Nudge, catalog

Block = dict[str, Any]

NUDGE_ACTION_PREFIX = "ng_nudge_"
MOD_ACTION_PREFIX = "ng_mod_"

MAX_SECTION = 2900
MAX_LABEL = 75
MAX_VALUE = 2000
MAX_EVIDENCE = 20


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def plain(text: str) -> dict[str, Any]:
    """A plain_text object cut to button-label length."""
    return {"type": "plain_text", "text": cut(text, MAX_LABEL), "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object cut to section length (escape user text first)."""
    return {"type": "mrkdwn", "text": cut(text, MAX_SECTION)}


def slack_date(ts: float) -> str:
    """A date that each reader sees in their own time zone."""
    return f"<!date^{int(ts)}^{{date_short_pretty}} {{time}}|{int(ts)}>"


def user_code(user_id: str) -> str:
    """A user id as code: visible to moderators, notifies nobody."""
    return f"`{escape(user_id)}`"


# ---------------------------------------------------------------------------- nudges


def nudge_button_value(nudge: Nudge, action: str) -> str:
    """Encode what the engine needs to answer a press: nudge, action, case, language, where.

    The answer itself is the engine's (``respond_to_nudge``), so no text rides along.
    """
    payload = {
        "n": nudge.nudge_id,
        "a": action,
        "c": nudge.case_id,
        "l": nudge.locale,
        "v": nudge.conversation_id,
    }
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
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(escape(nudge.text))}]
    elements: list[Block] = []
    for i, button in enumerate(nudge.buttons[:25]):
        element: Block = {
            "type": "button",
            "text": plain(button.label),
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


# ---------------------------------------------------------------------------- evidence


def evidence_blocks(
    case_id: str, evidence: Sequence[EvidenceMessage], locale: str = DEFAULT_LOCALE
) -> list[Block]:
    """Excerpts for ONE moderator, sent ephemerally; never posted to the channel.

    ``locale`` is the language of the alert the moderator pressed (``alerts.locale_of``).
    """
    t = catalog(locale).moderator_text
    title = t("evidence_title", case=f"`{escape(case_id)}`")
    blocks: list[Block] = [
        {"type": "section", "text": mrkdwn(f"*{title}* - {t('evidence_private')}")}
    ]
    for msg in evidence[:MAX_EVIDENCE]:
        flags = [t(f) for f, on in (("deleted", msg.deleted), ("edited", msg.edited)) if on]
        if msg.attachment_count:
            flags.append(t("attachments_withheld", count=msg.attachment_count))
        meta = f"{slack_date(msg.ts)} - `{escape(msg.author)}`"
        if msg.signals:
            meta += " - " + ", ".join(f"`{escape(s)}`" for s in msg.signals)
        if flags:
            meta += " - " + ", ".join(flags)
        blocks.append({"type": "context", "elements": [mrkdwn(meta)]})
        quoted = "\n".join("> " + line for line in escape(msg.text or "(no text)").splitlines())
        blocks.append({"type": "section", "text": mrkdwn(quoted or "> (no text)")})
    if len(evidence) > MAX_EVIDENCE:
        more = len(evidence) - MAX_EVIDENCE
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn(f"{more} more message(s): use `nudgeguard cases show`.")],
            }
        )
    if not evidence:
        blocks.append({"type": "context", "elements": [mrkdwn(t("no_evidence"))]})
    return blocks
