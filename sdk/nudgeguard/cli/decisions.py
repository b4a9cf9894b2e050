"""``nudgeguard decisions``: review what the bot did, would have done, or held back.

In observe mode (the dry run) nothing is sent; every decision is recorded with what would
have been sent, to whom (by role and pseudonym) and why. In live mode the nudges a cap or a
hard line held back are recorded the same way, so a quiet bot can be told from a blind one.
"""

from __future__ import annotations

import dataclasses
import json
import time

import click

from nudgeguard.app import open_existing_store
from nudgeguard.cli.common import run_async, store_option
from nudgeguard.legend import local_time, signal_label, stage_label
from nudgeguard.policy.decisions import RecordedDecision, describe, list_decisions

_DAY = 86400.0


def as_json(d: RecordedDecision) -> dict[str, object]:
    """Return the JSON shape of a recorded decision (local ISO time added)."""
    out = dataclasses.asdict(d)
    out["time"] = local_time(d.ts)
    return out


async def _load(
    store: str | None, community: str | None, days: float
) -> tuple[str, list[RecordedDecision]]:
    s, where = open_existing_store(store)
    try:
        since = time.time() - days * _DAY if days > 0 else 0.0
        return where, await list_decisions(s, community_id=community, since=since)
    finally:
        await s.close()


@click.group()
def decisions() -> None:
    """Review recorded decisions: observe-mode dry runs and nudges held back by caps."""


@decisions.command("list")
@store_option
@click.option("--community", default=None, help="Only this community id.")
@click.option(
    "--days",
    type=click.FloatRange(min=0),
    default=30,
    show_default=True,
    help="How far back (0: everything).",
)
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--json", "as_json_flag", is_flag=True, help="Print a JSON array.")
def list_cmd(
    store: str | None, community: str | None, days: float, limit: int, as_json_flag: bool
) -> None:
    """List decisions, newest last: when, what (would have) happened, to whom, why."""
    where, found = run_async(lambda: _load(store, community, days))
    found = found[-limit:]
    if as_json_flag:
        click.echo(json.dumps([as_json(d) for d in found], indent=2))
        return
    click.echo(f"store: {where}")
    if not found:
        click.echo("no decisions recorded" + (f" in the last {days:g} days" if days else ""))
        return
    for d in found:
        signals = ", ".join(d.signals) or "none in this message"
        click.echo(
            f"#{d.id}  {local_time(d.ts)}  {d.mode}  community {d.community_id}  level {d.level}"
            f"  signals: {signals}"
        )
        for p in d.planned:
            click.echo(f"    {describe(p, d.mode)}")
    click.echo("details: nudgeguard decisions show ID")


@decisions.command("show")
@store_option
@click.argument("decision_id", type=int)
@click.option("--json", "as_json_flag", is_flag=True, help="Print a JSON object.")
def show_cmd(store: str | None, decision_id: int, as_json_flag: bool) -> None:
    """Explain one decision: the pair, the signals and stages, each action and its rule."""
    _, found = run_async(lambda: _load(store, None, 0))
    d = next((x for x in found if x.id == decision_id), None)
    if d is None:
        raise click.ClickException(f"no decision #{decision_id} (see: nudgeguard decisions list)")
    if as_json_flag:
        click.echo(json.dumps(as_json(d), indent=2))
        return
    rows = [
        ("when", local_time(d.ts)),
        ("mode", d.mode + (" (dry run: nothing was sent)" if d.mode == "observe" else "")),
        ("where", f"{d.platform}, community {d.community_id}"),
        ("subject", f"{d.subject} (author of the message)"),
        ("target", f"{d.target} (the person it was aimed at)"),
        ("level", f"{d.level} (score {d.score:.2f})"),
        ("stages", ", ".join(stage_label(c) for c in d.stages) or "none"),
    ]
    for key, value in rows:
        click.echo(f"{key:>8}: {value}")
    click.echo(" signals:" + ("" if d.signals else " none in this message"))
    for sid in d.signals:
        click.echo(f"    {signal_label(sid)}")
    click.echo(" actions:")
    for p in d.planned:
        click.echo(f"    {describe(p, d.mode)}")


COMMANDS = [decisions]
