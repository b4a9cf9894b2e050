"""``nudgeguard bench``: pipeline throughput against a baseline, latency and memory."""

from __future__ import annotations

from pathlib import Path

import click

from nudgeguard.cli.common import run_async
from nudgeguard.evaluation.bench import run_bench, to_json
from nudgeguard.local.transcript import TranscriptError
from nudgeguard.policy import load_policy


@click.command("bench")
@click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Transcript corpus (JSONL, the eval format); default: the seeded synthetic corpus.",
)
@click.option("--messages", default=100_000, show_default=True, help="Synthetic corpus size.")
@click.option("--seed", default=7, show_default=True, help="Synthetic corpus seed.")
@click.option("--policy", default="default", show_default=True, help="Pack name or path.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench_command(
    corpus: Path | None, messages: int, seed: int, policy: str, as_json: bool
) -> None:
    """Time the baseline (building events) and the full pipeline on the same messages."""
    if messages < 1:
        raise click.BadParameter("must be at least 1", param_hint="--messages")
    try:
        pack = load_policy(policy)
        report = run_async(lambda: run_bench(pack, corpus, messages, seed))
    except (TranscriptError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(to_json(report))
        return
    width = max(len(k) for k in report)
    for key, value in report.items():
        click.echo(f"  {key:<{width}}  {value}")


COMMANDS = [bench_command]
