"""The moderator alert embed: what moderators see in their channel.

It carries severity, score, signals with their stages, the timeline, the participants (ids,
roles, age band and where it came from) and a jump link. It never carries message text:
excerpts are shown only after "Show evidence", privately to the moderator who asked.
Labels and lines come from the core's catalog in the alert's language (the community's
setting); codes, ids and times stay as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import discord
from nudgeguard import (
    DEFAULT_LOCALE,
    AlertDecision,
    Catalog,
    EvidenceMessage,
    ModeratorAction,
    ModeratorAlert,
    ModeratorNotice,
    catalog,
    decision_line,
    signal_name,
    stage_label,
)

_COLOURS = {
    "low": discord.Colour.light_grey(),
    "medium": discord.Colour.gold(),
    "high": discord.Colour.orange(),
    "critical": discord.Colour.red(),
}
_FIELD_MAX = 1024


def _clip(text: str, limit: int = _FIELD_MAX) -> str:
    text = text.strip() or "-"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines(cat: Catalog, items: Iterable[str], limit: int = _FIELD_MAX) -> str:
    out: list[str] = []
    size = 0
    items = list(items)
    for index, item in enumerate(items):
        if size + len(item) + 1 > limit - 40:
            out.append(cat.moderator_text("more", count=len(items) - index))
            break
        out.append(item)
        size += len(item) + 1
    return _clip("\n".join(out), limit)


def alert_embed(alert: ModeratorAlert) -> discord.Embed:
    """Build the embed of an alert in its language (no message text, ever)."""
    cat = catalog(alert.locale)
    t = cat.moderator_text
    severity = str(alert.severity)
    embed = discord.Embed(
        title=t("title", severity=t(f"severity_{severity}")),
        colour=_COLOURS.get(severity, discord.Colour.orange()),
        description=t("intro", button=f"**{t('show_evidence')}**"),
    )
    embed.add_field(name=t("status"), value=state_name(cat, str(alert.status)), inline=True)
    embed.add_field(name=t("score"), value=f"{alert.score:.2f}", inline=True)
    embed.add_field(name=t("child_nudge"), value=_clip(alert.nudge_status, 100), inline=True)
    embed.add_field(
        name=t("signals"),
        value=_lines(
            cat,
            (
                f"`{s.id}` x{s.count}"
                + (f" ({', '.join(s.stages)})" if s.stages else "")
                + (f": {name}" if (name := signal_name(s.id, cat.locale)) else "")
                for s in alert.signals
            ),
        ),
        inline=False,
    )
    embed.add_field(
        name=t("stages"),
        value=_clip(", ".join(stage_label(c, cat.locale) for c in alert.stages)),
        inline=False,
    )
    people = [
        f"**{p.role}**: <@{p.user_id}> (`{p.user_id}`) - {t('age')} {p.age_band}"
        f" ({t('source')}: {p.age_source}"
        + (f", {t('confidence')} {p.age_confidence:.0%}" if p.age_confidence else "")
        + ")"
        + (f"; {t('roles')}: {', '.join(p.roles[:8])}" if p.roles else "")
        for p in alert.participants
    ]
    if alert.participants_note:  # the core's line: who is not named, where to see them
        people.append(alert.participants_note)
    embed.add_field(name=t("participants"), value=_lines(cat, people), inline=False)
    if alert.timeline:
        embed.add_field(
            name=t("timeline"),
            value=_lines(cat, (f"<t:{int(e.ts)}:f> {e.label}" for e in alert.timeline[-12:])),
            inline=False,
        )
    if alert.reasons:
        embed.add_field(
            name=t("why"), value=_lines(cat, (f"- {r}" for r in alert.reasons)), inline=False
        )
    embed.add_field(
        name=t("evidence"), value=t("evidence_count", count=alert.evidence_count), inline=True
    )
    if alert.permalink:
        embed.add_field(
            name=t("jump"), value=f"[{t('go_to_conversation')}]({alert.permalink})", inline=True
        )
    if alert.decision is not None:
        embed.add_field(
            name=t("last_action"),
            value=_clip(last_action_line(alert.decision, cat.locale)),
            inline=False,
        )
    embed.set_footer(text=footer_for(alert.case_id))
    return embed


def last_action_line(decision: AlertDecision, locale: str) -> str:
    """Return the "Last action" line of the core's decision: what, by whom, when."""
    return decision_line(
        decision,
        locale,
        mention=lambda user_id: f"<@{user_id}>",
        when=lambda ts: f"<t:{int(ts)}:f>",
        quote=lambda name: "`" + name.replace("`", "'")[:64] + "`",
    )


def keeping_post(
    new: discord.Embed, old: discord.Embed, old_locale: str, alert: ModeratorAlert
) -> discord.Embed:
    """Return ``new`` with what only the posted ``old`` embed knows (a rebuilt alert).

    An alert rebuilt from the stored case knows neither the participants' platform ids
    nor (when it says ``none``) what became of the child's nudge, nor the timeline before
    the change: the post keeps its participants and child-nudge fields, and its timeline
    gains the new entries.
    """
    was, now = catalog(old_locale).moderator_text, catalog(alert.locale).moderator_text
    before = {f.name: f.value or "-" for f in old.fields}
    keys = ("participants", "child_nudge") if alert.nudge_status == "none" else ("participants",)
    kept = {now(key): before[was(key)] for key in keys if was(key) in before}
    timeline = now("timeline")
    earlier = (before.get(was("timeline")) or "").splitlines()
    updated = new.copy()
    fields = list(updated.fields)
    updated.clear_fields()
    for field in fields:
        name, value = field.name or "", field.value or "-"
        if name in kept:
            value = kept[name]
        elif name == timeline and earlier:
            added = [line for line in value.splitlines() if line not in earlier]
            value = _clip("\n".join((earlier + added)[-12:]))
        updated.add_field(name=name, value=value, inline=bool(field.inline))
    return updated


def action_line(action: ModeratorAction, moderator_id: str, when: int, locale: str) -> str:
    """Return the "Last action" line: which button, who pressed it and when."""
    t = catalog(locale).moderator_text
    return f"{t(action.value)} {t('by', who=f'<@{moderator_id}>')}, <t:{when}:f>"


def state_name(cat: Catalog, status: str) -> str:
    """Return a case status (``open``, ``acknowledged``...) in the catalog's language."""
    try:
        return cat.moderator_text(f"state_{status}")
    except KeyError:
        return status


def footer_for(case_id: str) -> str:
    """Return the footer that identifies a case's alert post."""
    return f"case {case_id}"


def with_status(
    embed: discord.Embed, status: str, action_line: str, locale: str = DEFAULT_LOCALE
) -> discord.Embed:
    """Return a copy of an alert embed with a new status and last-action line.

    ``locale`` is the language the alert was posted in (see ``views.locale_on``).
    """
    cat = catalog(locale)
    status_field, action_field = cat.moderator_text("status"), cat.moderator_text("last_action")
    status = state_name(cat, status)
    updated = embed.copy()
    fields = list(updated.fields)
    updated.clear_fields()
    seen_action = False
    for field in fields:
        name, value = field.name or "", field.value or "-"
        if name == status_field:
            value = status
        elif name == action_field:
            value = _clip(action_line)
            seen_action = True
        updated.add_field(name=name, value=value, inline=bool(field.inline))
    if not seen_action:
        updated.add_field(name=action_field, value=_clip(action_line), inline=False)
    return updated


def notice_embed(notice: ModeratorNotice) -> discord.Embed:
    """Build the embed of a case-less notice, as the core worded it (no text, no ids)."""
    embed = discord.Embed(
        title=_clip(notice.title, 256),
        colour=discord.Colour.gold(),
        description=_clip("\n".join(notice.lines), 4000),
        timestamp=dt.datetime.fromtimestamp(notice.ts, dt.UTC),
    )
    embed.set_footer(text=f"nudgeguard {notice.kind}")
    return embed


def post_of(ref: str | None, channel_id: int) -> tuple[int, int] | None:
    """Return (channel id, message id) of a post reference ``send_alert`` returned.

    References are message ids in ``channel_id`` (the guild's moderator channel), or
    ``"<channel>/<message>"``. Anything else is no reference.
    """
    if not ref:
        return None
    channel, _, message = ref.rpartition("/")
    if not message.isdigit() or (channel and not channel.isdigit()):
        return None
    return (int(channel) if channel else channel_id, int(message))


def evidence_embed(
    case_id: str, evidence: Sequence[EvidenceMessage], locale: str = DEFAULT_LOCALE
) -> discord.Embed:
    """Build the private evidence view for one moderator, in the alert's language."""
    t = catalog(locale).moderator_text
    lines = []
    for item in evidence:
        flags = [t(f) for f, on in (("deleted", item.deleted), ("edited", item.edited)) if on]
        marks = "".join(f" ({f})" for f in flags)
        attach = (
            f" [{t('attachments_withheld', count=item.attachment_count)}]"
            if item.attachment_count
            else ""
        )
        text = item.text.replace("\n", " ")
        lines.append(f"<t:{int(item.ts)}:T> `{item.author[:12]}`{marks}: {text[:300]}{attach}")
    body = "\n".join(lines) or t("no_evidence")
    if len(body) > 4000:
        body = body[:3990] + "\n…"
    embed = discord.Embed(
        title=t("evidence_title", case=case_id),
        description=body,
        colour=discord.Colour.dark_grey(),
    )
    embed.set_footer(text=t("evidence_private"))
    return embed
