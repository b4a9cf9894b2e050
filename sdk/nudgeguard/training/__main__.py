"""``python -m nudgeguard.training``: fit the learned scorer, or cross-validate it.

Examples (from the repository root)::

    python -m nudgeguard.training fit ../shared/eval/dev ../shared/eval/dev-external
    python -m nudgeguard.training cv ../shared/eval/dev ../shared/eval/dev-external --json

``fit`` writes two models: the pair scorer (one side of a conversation at a time,
``learned_scorer.bin``) and the conversation model (whole conversations,
``learned_conversation.bin``); ``cv`` fits both per fold. Both commands also read the
team's ordinary chat in ``training/normal_chat`` (extra negatives in six languages) unless
given ``--no-team-chat``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from nudgeguard.policy import load_policy
from nudgeguard.training.data import (
    TEAM_CHAT,
    corpus_files,
    grooming_languages,
    read_conversations,
    read_sides,
)

_DIRS = click.argument(
    "dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
_BUNDLED = Path(__file__).resolve().parent.parent / "patterns" / "learned_scorer.bin"
#: The conversation model's file name, written beside the pair scorer's by default.
CONVERSATION_FILE = "learned_conversation.bin"
_FEATURES = "hashed word unigrams and bigrams (nudgeguard.pipeline.detectors.hashing), "
_TEAM = click.option(
    "--team-chat/--no-team-chat",
    default=True,
    show_default=True,
    help="Also train on the team's ordinary chat (training/normal_chat in a checkout).",
)


def _files(dirs: tuple[Path, ...], team_chat: bool) -> list[Path]:
    """Return the corpora of ``dirs``, plus the team's chat unless it is switched off."""
    chosen = list(dirs)
    if team_chat:
        if not TEAM_CHAT.is_dir():
            raise click.UsageError(f"{TEAM_CHAT} is missing (not a checkout?): --no-team-chat")
        if all(d.resolve() != TEAM_CHAT for d in chosen):
            chosen.append(TEAM_CHAT)
    try:
        return corpus_files(chosen)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _fit_options(f: click.decorators.FC) -> click.decorators.FC:
    from nudgeguard.training import fit as fitting

    for option in (
        click.option("--seed", default=fitting.SEED, show_default=True, help="Solver seed."),
        click.option("--c", "c", default=fitting.C, show_default=True, help="Inverse L2 strength."),
        click.option("--bits", default=fitting.BITS, show_default=True, help="2**bits buckets."),
        click.option(
            "--mixed-weight",
            default=0.5,
            show_default=True,
            help="Weight of sides of grooming segments that name no suspect (0 drops them).",
        ),
        click.option(
            "--threshold",
            default=0.9,
            show_default=True,
            help="Probability of a pair's running score from which its messages count.",
        ),
        click.option(
            "--conversation-threshold",
            default=0.88,
            show_default=True,
            help="Probability of a conversation's running score from which it counts.",
        ),
    ):
        f = option(f)
    return f


@click.group()
def main() -> None:
    """Fit or cross-validate nudgeguard's learned scorer (needs the train extra)."""


@main.command("fit")
@_DIRS
@_fit_options
@_TEAM
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=_BUNDLED,
    show_default=True,
    help="Pair scorer's model file to write.",
)
@click.option(
    "--conversation-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Conversation model's file to write [default: {CONVERSATION_FILE} beside --out].",
)
def fit_command(
    dirs: tuple[Path, ...],
    seed: int,
    c: float,
    bits: int,
    mixed_weight: float,
    threshold: float,
    conversation_threshold: float,
    team_chat: bool,
    out: Path,
    conversation_out: Path | None,
) -> None:
    """Fit the pair scorer on every side and the conversation model on every conversation.

    Both are fitted on the corpora in DIRS (and the team's chat) and written as model files.
    """
    from nudgeguard.pipeline.detectors.learned import MIN_LINES
    from nudgeguard.training.crossval import write_model
    from nudgeguard.training.fit import fit, model_bytes

    files = _files(dirs, team_chat)
    languages = grooming_languages(files)
    sides = [s for p in files for s in read_sides(p, mixed_weight)]
    weights, bias = fit(sides, bits=bits, c=c, seed=seed)
    meta = {
        "trained_on": [p.stem for p in files],
        "sides": len(sides),
        "positives": sum(s.label for s in sides),
        "lines": sum(len(s.texts) for s in sides),
        "seed": seed,
        "c": c,
        "mixed_weight": mixed_weight,
        "min_lines": MIN_LINES,
        "languages": languages,
        "features": _FEATURES + "summed over one side's first k messages / sqrt(k)",
    }
    write_model(out, model_bytes(weights, bias, threshold, meta))
    click.echo(f"wrote {out} ({out.stat().st_size} bytes, {len(sides)} sides)")
    convs = [s for p in files for s in read_conversations(p)]
    weights, bias = fit(convs, bits=bits, c=c, seed=seed)
    meta = {
        "trained_on": [p.stem for p in files],
        "reads": "whole conversations (every speaker's lines, in order)",
        "conversations": sum(s.role == "conversation" for s in convs),
        "positives": sum(s.label for s in convs),
        "child_side_alone": sum(s.role == "alone" for s in convs),
        "languages": languages,
        "lines": sum(len(s.texts) for s in convs),
        "seed": seed,
        "c": c,
        "features": _FEATURES + "summed over a conversation's first k messages / sqrt(k)",
    }
    conv_out = conversation_out or out.with_name(CONVERSATION_FILE)
    write_model(conv_out, model_bytes(weights, bias, conversation_threshold, meta))
    click.echo(f"wrote {conv_out} ({conv_out.stat().st_size} bytes, {len(convs)} conversations)")


@main.command("cv")
@_DIRS
@_fit_options
@_TEAM
@click.option("--folds", default=5, show_default=True, help="Folds (grouped by conversation).")
@click.option("--policy", default="default", show_default=True, help="Pack name or path.")
@click.option("--ages", type=click.Choice(["declared", "unknown"]), default="unknown")
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to keep each fold's weights in, reused by runs with the same fit.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def cv_command(
    dirs: tuple[Path, ...],
    seed: int,
    c: float,
    bits: int,
    mixed_weight: float,
    threshold: float,
    conversation_threshold: float,
    team_chat: bool,
    folds: int,
    policy: str,
    ages: str,
    cache: Path | None,
    as_json: bool,
) -> None:
    """Cross-validate by conversation through the engine, with the child's-side-alone check."""
    from nudgeguard.cli.eval import render_table
    from nudgeguard.training.crossval import cross_validate

    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    result = cross_validate(
        _files(dirs, team_chat),
        load_policy(policy),
        folds=folds,
        ages="declared" if ages == "declared" else "unknown",
        mixed_weight=mixed_weight,
        threshold=threshold,
        conversation_threshold=conversation_threshold,
        fit_kwargs={"bits": bits, "c": c, "seed": seed},
        cache=cache,
        progress=lambda msg: click.echo(msg, err=True),
    )
    result["policy"] = policy
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(render_table(result))
        alone = result["child_side_alone"]
        click.echo(
            f"\n  child's side alone: {alone['alerts']} alerts in {alone['conversations']}"
            " grooming chats with every suspect line removed"
        )


if __name__ == "__main__":
    sys.exit(main())
