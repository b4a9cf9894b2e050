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
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (needs --state).")
@click.option("--state", "state_url", help="Redis URL the workers share.")
@click.option("--cases", "cases_dsn", help="PostgreSQL DSN the workers share.")
def bench_command(
    corpus: Path | None,
    messages: int,
    seed: int,
    policy: str,
    as_json: bool,
    workers: int | None,
    state_url: str | None,
    cases_dsn: str | None,
) -> None:
    """Time the baseline (building events) and the full pipeline on the same messages.

    With --workers N --state URL [--cases DSN], the corpus is split by conversation across
    N processes sharing Redis (and PostgreSQL) instead; see docs/scale.md.
    """
    if messages < 1:
        raise click.BadParameter("must be at least 1", param_hint="--messages")
    try:
        if workers or state_url or cases_dsn:
            from nudgeguard.evaluation.scale_bench import bench_workers

            report = bench_workers(corpus, messages, seed, policy, workers, state_url, cases_dsn)
        else:
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
