"""The moderator alert embed: what moderators see in their channel.

It carries severity, score, signals with their stages, the timeline, the participants (ids,
roles, age band and where it came from) and a jump link. It never carries message text:
excerpts are shown only after "Show evidence", privately to the moderator who asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import discord
from nudgeguard.adapter import ModeratorAlert
from nudgeguard.cases.model import EvidenceMessage

_COLOURS = {
    "low": discord.Colour.light_grey(),
    "medium": discord.Colour.gold(),
    "high": discord.Colour.orange(),
    "critical": discord.Colour.red(),
}
_FIELD_MAX = 1024
STATUS_FIELD = "Status"
ACTION_FIELD = "Last action"


def _clip(text: str, limit: int = _FIELD_MAX) -> str:
    text = text.strip() or "-"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines(items: Iterable[str], limit: int = _FIELD_MAX) -> str:
    out: list[str] = []
    size = 0
    items = list(items)
    for index, item in enumerate(items):
        if size + len(item) + 1 > limit - 20:
            out.append(f"… and {len(items) - index} more")
            break
        out.append(item)
        size += len(item) + 1
    return _clip("\n".join(out), limit)


def alert_embed(alert: ModeratorAlert) -> discord.Embed:
    """Build the embed of an alert (no message text, ever)."""
    severity = str(alert.severity)
    embed = discord.Embed(
        title=f"Safety alert: {severity} severity",
        colour=_COLOURS.get(severity, discord.Colour.orange()),
        description=(
            "nudgeguard found a pattern that can indicate grooming. Scores only inform: "
            "a moderator decides. Message excerpts are hidden; press **Show evidence** to see "
            "them privately."
        ),
    )
    embed.add_field(name=STATUS_FIELD, value=str(alert.status), inline=True)
    embed.add_field(name="Score", value=f"{alert.score:.2f}", inline=True)
    embed.add_field(name="Child nudge", value=_clip(alert.nudge_status, 100), inline=True)
    embed.add_field(
        name="Signals",
        value=_lines(
            f"`{s.id}` x{s.count}" + (f" ({', '.join(s.stages)})" if s.stages else "")
            for s in alert.signals
        ),
        inline=False,
    )
    embed.add_field(name="Stages", value=_clip(", ".join(alert.stages)), inline=False)
    embed.add_field(
        name="Participants",
        value=_lines(
            f"**{p.role}**: <@{p.user_id}> (`{p.user_id}`) - age {p.age_band}"
            f" (source: {p.age_source}"
            + (f", confidence {p.age_confidence:.0%}" if p.age_confidence else "")
            + ")"
            + (f"; roles: {', '.join(p.roles[:8])}" if p.roles else "")
            for p in alert.participants
        ),
        inline=False,
    )
    if alert.timeline:
        embed.add_field(
            name="Timeline",
            value=_lines(f"<t:{int(t.ts)}:f> {t.label}" for t in alert.timeline[-12:]),
            inline=False,
        )
    if alert.reasons:
        embed.add_field(name="Why", value=_lines(f"- {r}" for r in alert.reasons), inline=False)
    embed.add_field(
        name="Evidence",
        value=f"{alert.evidence_count} message(s) preserved on the case",
        inline=True,
    )
    if alert.permalink:
        embed.add_field(
            name="Jump", value=f"[Go to the conversation]({alert.permalink})", inline=True
        )
    embed.set_footer(text=footer_for(alert.case_id))
    return embed


def footer_for(case_id: str) -> str:
    """Return the footer that identifies a case's alert post."""
    return f"case {case_id}"


def with_status(embed: discord.Embed, status: str, action_line: str) -> discord.Embed:
    """Return a copy of an alert embed with a new status and last-action line."""
    updated = embed.copy()
    fields = list(updated.fields)
    updated.clear_fields()
    seen_action = False
    for field in fields:
        name, value = field.name or "", field.value or "-"
        if name == STATUS_FIELD:
            value = status
        elif name == ACTION_FIELD:
            value = _clip(action_line)
            seen_action = True
        updated.add_field(name=name, value=value, inline=bool(field.inline))
    if not seen_action:
        updated.add_field(name=ACTION_FIELD, value=_clip(action_line), inline=False)
    return updated


def evidence_embed(case_id: str, evidence: Sequence[EvidenceMessage]) -> discord.Embed:
    """Build the private evidence view for one moderator."""
    lines = []
    for item in evidence:
        marks = "".join([" (deleted)" if item.deleted else "", " (edited)" if item.edited else ""])
        attach = (
            f" [{item.attachment_count} attachment(s) withheld]" if item.attachment_count else ""
        )
        text = item.text.replace("\n", " ")
        lines.append(f"<t:{int(item.ts)}:T> `{item.author[:12]}`{marks}: {text[:300]}{attach}")
    body = "\n".join(lines) or "No messages are stored on this case."
    if len(body) > 4000:
        body = body[:3990] + "\n…"
    embed = discord.Embed(
        title=f"Evidence for case {case_id}",
        description=body,
        colour=discord.Colour.dark_grey(),
    )
    embed.set_footer(text="Only you can see this. Authors are shown as case pseudonyms.")
    return embed
