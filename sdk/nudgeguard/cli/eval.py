"""``nudgeguard eval``: replay transcript corpora and report conversation-level metrics."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nudgeguard.app import load_detector
from nudgeguard.cli.common import run_async
from nudgeguard.evaluation.metrics import KEYS, by_corpus, by_language, compute_metrics
from nudgeguard.evaluation.peer import PeerUnavailableError, TfidfPeer, replay_peer
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
@click.option(
    "--peer",
    type=click.Choice(["tfidf"]),
    help="Also train a peer classifier on --peer-train and score it side by side.",
)
@click.option(
    "--peer-train",
    multiple=True,
    metavar="PATH",
    type=click.Path(exists=True, path_type=Path),
    help="Corpus file or folder of *.jsonl the peer is trained on (e.g. ../shared/eval/dev).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_command(
    corpora: tuple[Path, ...],
    policy: str,
    ages: str,
    detector_names: tuple[str, ...],
    peer: str | None,
    peer_train: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Replay transcript CORPORA (JSONL) through the engine and report metrics.

    Time is simulated from each message's ts. Ground truth is used only for scoring. A
    progress bar goes to stderr; the report to stdout. Metrics are also given per corpus
    file and per language (a corpus line's ``lang``, en if absent).
    """
    try:
        pack = load_policy(policy)
        total = count_messages(corpora)
        extra = [load_detector(n) for n in detector_names]
        peer_result = _peer(peer, peer_train, corpora) if peer else None
    except (TranscriptError, ValueError, OSError, PeerUnavailableError) as exc:
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
    result["by_language"] = by_language(outcomes)
    result["policy"] = pack.name
    result["ages"] = ages
    if detector_names:
        result["detectors"] = list(detector_names)
    if peer_result is not None:
        result["peer"] = peer_result
    if as_json:
        click.echo(json.dumps(result, sort_keys=False))
    else:
        click.echo(render_table(result))


def _peer(name: str, train: tuple[Path, ...], corpora: tuple[Path, ...]) -> dict[str, Any]:
    """Train the peer on ``train`` (files or folders) and score it on ``corpora``."""
    if not train:
        raise ValueError("--peer needs --peer-train (the corpora to train it on)")
    files = [p for t in train for p in (sorted(t.glob("*.jsonl")) if t.is_dir() else [t])]
    files = [p for p in files if p.stem != "suspect_lines_pj"]
    model = TfidfPeer(files)
    outcomes = replay_peer(model, list(corpora))
    result = compute_metrics(outcomes)
    result["by_corpus"] = by_corpus(outcomes)
    result["by_language"] = by_language(outcomes)
    result["name"] = name
    result["trained_on"] = model.trained_on
    return result


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
    for title, key in (("corpus", "by_corpus"), ("language", "by_language")):
        groups = result.get(key, {})
        if len(groups) > 1:
            lines += ["", *_group_table(title, groups, cols)]
    peer = result.get("peer")
    if peer:
        lines += ["", *_side_by_side(result, peer)]
    return "\n".join(lines)


def _group_table(
    title: str, groups: dict[str, dict[str, Any]], cols: tuple[tuple[str, str], ...]
) -> list[str]:
    name_w = max(len(title), *(len(n) for n in groups))
    out = ["  " + " ".join([f"{title:<{name_w}}", *(f"{c:>9}" for c, _ in cols)])]
    for name, m in groups.items():
        cells = [f"{_fmt(m.get(k)):>9}" for _, k in cols]
        out.append("  " + " ".join([f"{name:<{name_w}}", *cells]))
    return out


_SIDE = (
    ("F0.5", "f0_5"),
    ("recall", "recall"),
    ("precision", "precision"),
    ("cases on normal", "escalated_normal"),
    ("median msgs to case", "median_messages_to_escalation"),
)


def _side_by_side(result: dict[str, Any], peer: dict[str, Any]) -> list[str]:
    """Rows of nudgeguard against the peer: overall, then per corpus and per language."""
    head = f"  {'':<34} {'nudgeguard':>22}   {peer['name'] + ' peer':>22}"
    out = [head]
    scopes: list[tuple[str, dict[str, Any], dict[str, Any]]] = [("all", result, peer)]
    for key in ("by_corpus", "by_language"):
        for name, m in result.get(key, {}).items():
            scopes.append((name, m, peer.get(key, {}).get(name, {})))
    for name, ours, theirs in scopes:
        a = "/".join(_fmt(ours.get(k)) for _, k in _SIDE)
        b = "/".join(_fmt(theirs.get(k)) for _, k in _SIDE)
        out.append(f"  {name:<34} {a:>22}   {b:>22}")
    out.append("  (" + " / ".join(label for label, _ in _SIDE) + ")")
    return out


COMMANDS = [eval_command]
