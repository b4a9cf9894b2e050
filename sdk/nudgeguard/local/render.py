"""Terminal rendering of what the simulator shows: messages, nudges, alerts."""

from __future__ import annotations

import textwrap
import time

import click

from nudgeguard.delivery.case_alert import decision_line
from nudgeguard.delivery.outbound import AlertParticipant, Delivery, ModeratorAlert, Nudge

_CHANNEL = {Delivery.EPHEMERAL: "only they can see it", Delivery.DIRECT_MESSAGE: "direct message"}


def message(author: str, text: str) -> str:
    """Return a chat line."""
    return f"  {click.style(author, bold=True)}: {text}"


def nudge(n: Nudge, channel: Delivery) -> str:
    """Return a nudge as the recipient would see it, with who, how and why."""
    who = "child" if n.audience == "child" else "sender"
    head = click.style(
        f"    >> NUDGE to {n.recipient_id} ({who}, {_CHANNEL[channel]})", fg="yellow", bold=True
    )
    body = textwrap.fill(n.text, width=88, initial_indent="       ", subsequent_indent="       ")
    buttons = "       " + " ".join(f"[{b.label}]" for b in n.buttons)
    why = f"       why: {n.family.replace('_', ' ')}"
    return "\n".join([head, body, buttons, why])


def alert(a: ModeratorAlert) -> str:
    """Return a moderator alert (no message text: excerpts are shown on request only)."""
    people: dict[str, AlertParticipant] = {p.role: p for p in a.participants}
    kind = "UPDATED" if a.is_update else "OPENED"
    head = click.style(
        f"    !! CASE {a.case_id} {kind}: severity {a.severity.value}, score {a.score:.1f}",
        fg="red",
        bold=True,
    )
    lines = [head]
    for role, title in (("subject", "subject"), ("target", "at risk")):
        if (p := people.get(role)) is not None:
            lines.append(
                f"       {title}: {p.user_id} (age {p.age_band.value}, from {p.age_source.value})"
            )
    if a.participants_note:  # the core's line: who is not named, where to see them
        lines.append(f"       participants: {a.participants_note}")
    lines += [
        "       signals: " + ", ".join(f"{s.id} x{s.count}" for s in a.signals),
        "       stages: " + "/".join(a.stages),
    ]
    if a.reasons:
        lines.append(
            textwrap.fill(
                "why: " + a.reasons[0],
                width=88,
                initial_indent="       ",
                subsequent_indent="         ",
            )
        )
    if a.nudge_status == "undeliverable":
        lines.append("       the child could not be reached privately")
    lines.append(f"       evidence: {a.evidence_count} messages preserved (hidden until requested)")
    if a.decision is not None:
        line = decision_line(
            a.decision,
            a.locale,
            mention=lambda user_id: user_id,
            when=lambda ts: time.strftime("%H:%M", time.localtime(ts)),
        )
        lines.append(f"       last action: {line}")
    lines.append("       actions: " + " ".join(f"[{x.value}]" for x in a.actions))
    return "\n".join(lines)
