"""``nudgeguard demo``: the whole pipeline on bundled scenarios, no tokens, no network."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

import click

from nudgeguard.app import open_store, pseudonymizer_for
from nudgeguard.cli.common import run_async, store_option
from nudgeguard.delivery.outbound import Delivery, ModeratorAlert, Nudge
from nudgeguard.engine import Engine
from nudgeguard.local import LocalAdapter, read_transcripts, render, transcript_events
from nudgeguard.policy import load_policy

SCENARIOS = ("grooming.jsonl", "benign_teens.jsonl", "benign_adults.jsonl")


def scenario_paths() -> list[Path]:
    """Return the bundled demo scenario files."""
    base = resources.files("nudgeguard.local").joinpath("scenarios")
    return [Path(str(base.joinpath(name))) for name in SCENARIOS]


@click.command()
@store_option
@click.option("--policy", default="default", show_default=True, help="Pack name or path.")
def demo(store: str | None, policy: str) -> None:
    """Replay bundled scenarios and show each nudge and moderator case as it happens.

    Cases go to --store (or $NUDGEGUARD_STORE) when given, else to a new temporary store;
    its path is printed at the start and the end, for ``cases list --store PATH``.
    """
    path = store or Path(tempfile.mkdtemp(prefix="nudgeguard-demo-")) / "cases.sqlite3"
    click.echo(f"case store: {path}")
    run_async(lambda: _demo(path, policy))


async def _demo(path: str | Path, policy: str) -> None:
    cases = open_store(path)
    adapter = LocalAdapter(
        on_nudge=lambda n, c: _show_nudge(n, c), on_alert=lambda a: _show_alert(a)
    )
    engine = Engine(
        load_policy(policy),
        cases=cases,
        adapters=[adapter],
        pseudonymizer=await pseudonymizer_for(cases),
    )
    await engine.start(background=False)
    summary: list[str] = []
    for scenario in scenario_paths():
        for t in read_transcripts(scenario):
            click.echo(
                click.style(
                    f"\n== {t.id} ({t.kind} chat, {len(t.messages)} messages) ==", bold=True
                )
            )
            nudges, alerts = len(adapter.nudges), len(adapter.alerts)
            for event in transcript_events(t, "unknown", community_id="demo"):
                click.echo(render.message(event.author.id, event.text))
                await engine.handle(event)
            fired = len(adapter.nudges) - nudges, len(adapter.alerts) - alerts
            subjects = {
                p.user_id
                for a in adapter.alerts[alerts:]
                for p in a.participants
                if p.role == "subject"
            }
            summary.append(
                f"  {t.id}: "
                + (
                    "nothing fired"
                    if fired == (0, 0)
                    else f"{fired[0]} nudge(s), {fired[1]} alert(s); case subject:"
                    f" {', '.join(sorted(subjects)) or '-'}"
                )
            )
    await engine.stop()
    opened = await cases.list_cases()
    await cases.close()
    click.echo(click.style("\n== Summary ==", bold=True))
    click.echo("\n".join(summary))
    click.echo(f"  cases opened: {len(opened)}")
    click.echo(f"\nCase store: {path}")
    click.echo(f"  nudgeguard cases list --json --store {path}")


def _show_nudge(n: Nudge, channel: Delivery) -> None:
    click.echo(render.nudge(n, channel))


def _show_alert(a: ModeratorAlert) -> None:
    click.echo(render.alert(a))


COMMANDS = [demo]
