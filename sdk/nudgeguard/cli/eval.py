"""``nudgeguard eval``: replay transcript corpora and report conversation-level metrics."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nudgeguard.app import load_detector
from nudgeguard.cli.common import run_async
from nudgeguard.evaluation.metrics import KEYS, by_corpus, compute_metrics
from nudgeguard.evaluation.replay import count_messages, replay_corpora
from nudgeguard.local.transcript import AgesMode, TranscriptError
from nudgeguard.policy import load_policy


@click.command("eval")
@click.argument(
    "corpora",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--policy", default="default", show_default=True, help="Pack name or path.")
@click.option(
    "--ages",
    type=click.Choice(["declared", "unknown"]),
    default="unknown",
    show_default=True,
    help="Pass participants' declared age bands to the engine, or none.",
)
@click.option(
    "--detectors",
    "detector_names",
    multiple=True,
    metavar="NAME",
    help="Also run this optional detector (entry point, e.g. semantic); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_command(
    corpora: tuple[Path, ...],
    policy: str,
    ages: str,
    detector_names: tuple[str, ...],
    as_json: bool,
) -> None:
    """Replay transcript CORPORA (JSONL) through the engine and report metrics.

    Time is simulated from each message's ts. Ground truth is used only for scoring. A
    progress bar goes to stderr; the report to stdout.
    """
    try:
        pack = load_policy(policy)
        total = count_messages(corpora)
        extra = [load_detector(n) for n in detector_names]
    except (TranscriptError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    mode: AgesMode = "declared" if ages == "declared" else "unknown"
    with click.progressbar(length=total, label="replaying", file=sys.stderr, show_pos=True) as bar:
        outcomes = run_async(
            lambda: replay_corpora(
                corpora, pack, mode, on_message=lambda: bar.update(1), extra_detectors=extra
            )
        )
    result = compute_metrics(outcomes)
    result["by_corpus"] = by_corpus(outcomes)
    result["policy"] = pack.name
    result["ages"] = ages
    if detector_names:
        result["detectors"] = list(detector_names)
    if as_json:
        click.echo(json.dumps(result, sort_keys=False))
    else:
        click.echo(render_table(result))


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def render_table(result: dict[str, Any]) -> str:
    """Return the metrics as a readable plain-text table."""
    lines = [f"policy {result['policy']}, ages {result['ages']}", ""]
    width = max(len(k) for k in KEYS)
    for key in (*KEYS, "child_nudged_by_escalation", "escalated_normal_share"):
        lines.append(f"  {key:<{width}}  {_fmt(result.get(key))}")
    cols = (
        ("conv", "conversations"),
        ("groom", "grooming_conversations"),
        ("msgs", "messages"),
        ("recall", "recall"),
        ("esc_norm", "escalated_normal"),
        ("med_esc", "median_messages_to_escalation"),
        ("subj_ok", "subject_correct"),
        ("nudge/1k", "nudges_per_1k_normal_messages"),
        ("case/1k", "cases_per_1k_normal_messages"),
    )
    corpora = result.get("by_corpus", {})
    if len(corpora) > 1:
        name_w = max(len(n) for n in corpora)
        lines += ["", "  " + " ".join([f"{'corpus':<{name_w}}", *(f"{c:>9}" for c, _ in cols)])]
        for name, m in corpora.items():
            cells = [f"{_fmt(m.get(k)):>9}" for _, k in cols]
            lines.append("  " + " ".join([f"{name:<{name_w}}", *cells]))
    return "\n".join(lines)


COMMANDS = [eval_command]
