"""``nudgeguard signals``: what each signal id and stage code in cases and decisions means."""

from __future__ import annotations

import json

import click

from nudgeguard.legend import STAGES, all_signals


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def signals(as_json: bool) -> None:
    """Explain the signal ids and stage codes shown in cases, alerts and decisions."""
    rows = all_signals()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "signals": [
                        {"id": i, "family": f, "stages": s.split("/"), "meaning": m}
                        for i, f, s, m in rows
                    ],
                    "stages": STAGES,
                },
                indent=2,
            )
        )
        return
    click.echo("signals (id, nudge family, stages: meaning):")
    for sid, family, stages, meaning in rows:
        click.echo(f"  {sid:<24} {family:<13} {stages:<11} {meaning}")
    click.echo("stages:")
    for code, meaning in STAGES.items():
        click.echo(f"  {code:<4} {meaning}")


COMMANDS = [signals]
