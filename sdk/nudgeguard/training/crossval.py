"""Grouped cross-validation of the learned scorer through the whole engine.

For each fold: fit the scorer on the sides of every other fold, and the conversation model
on their whole conversations (:func:`~nudgeguard.training.data.read_conversations`), then
replay the fold's conversations through the engine (default detectors, the fold's two
weight tables in place of the bundled ones) and the fold's grooming transcripts with every
suspect line removed (the child's side alone, which must not alert). The outcomes of all
folds are pooled and reported like ``nudgeguard eval``; no conversation (nor its child's
side alone) is ever scored by a model that saw it.
The team's own chat (``team_normal_*`` corpora) is folded and replayed like any other; the
pooled figures without it are reported too (``original``), to compare with runs that had
none.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nudgeguard.evaluation.metrics import by_corpus, by_language, compute_metrics
from nudgeguard.evaluation.replay import Outcome, replay_transcript
from nudgeguard.local.transcript import AgesMode, Transcript, read_transcripts
from nudgeguard.pipeline.detectors.learned import LearnedDetector
from nudgeguard.pipeline.detectors.scorer_model import ScorerModel, decode_model
from nudgeguard.policy.model import PolicyPack
from nudgeguard.training.data import (
    PAIR_LINES,
    REPLAY_ONLY,
    TEAM_PREFIX,
    Side,
    fold_of,
    grooming_languages,
    read_conversations,
    read_sides,
)
from nudgeguard.training.fit import fit, model_bytes
from nudgeguard.training.groups import conversation_groups

#: Names what a fold's cached weights were fitted on (sides and their prefixes).
_FIT_VERSION = "sides-prefixes-1"
#: The same for the conversation model (whole conversations and the child's side alone).
_CONVERSATION_VERSION = "conversations-prefixes-1"


def child_side(t: Transcript) -> Transcript | None:
    """Return the transcript with every suspect line removed, or None without a suspect."""
    suspects = t.truth_of("suspect")
    if t.label != "grooming" or not suspects:
        return None
    kept = [m for m in t.messages if m.author not in suspects]
    return t.model_copy(update={"messages": kept, "id": f"{t.id}-child-side"}) if kept else None


async def _replay_fold(
    files: list[Path],
    fold: int,
    folds: int,
    groups: dict[tuple[str, str], str],
    detector: LearnedDetector,
    pack: PolicyPack,
    ages: AgesMode,
) -> tuple[list[Outcome], list[Outcome]]:
    outcomes: list[Outcome] = []
    alone: list[Outcome] = []
    for path in files:
        corpus = path.stem
        if corpus == PAIR_LINES:
            continue
        for t in read_transcripts(path):
            if fold_of(groups.get((corpus, t.id), f"{corpus}/{t.id}"), folds) != fold:
                continue
            outcomes.append(await replay_transcript(t, pack, ages, corpus, None, [detector]))
            side = child_side(t)
            if side is not None:
                alone.append(await replay_transcript(side, pack, ages, corpus, None, [detector]))
    return outcomes, alone


def cross_validate(
    files: list[Path],
    pack: PolicyPack,
    *,
    folds: int = 5,
    ages: AgesMode = "unknown",
    mixed_weight: float = 0.5,
    threshold: float = 0.5,
    conversation_threshold: float = 0.88,
    fit_kwargs: dict[str, Any] | None = None,
    cache: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Run the grouped cross-validation and return pooled metrics (see the module doc).

    With ``cache`` (a folder), each fold's weights are kept there under a name made of the
    fold and the fitting parameters, and reused by a later run with the same ones (so that
    thresholds and policy packs can be compared without refitting). The conversation
    model's weights are kept beside them (``conv-`` names).
    """
    groups = conversation_groups(files)
    languages = grooming_languages(files)

    def folded(side: Side) -> tuple[int, Side]:
        corpus, cid = side.group.split("/", 1)  # the file's corpus, also for ``#alone``
        return fold_of(groups.get((corpus, cid), side.group), folds), side

    sides = [folded(s) for path in files for s in read_sides(path, mixed_weight)]
    convs = [folded(s) for path in files for s in read_conversations(path)]
    kwargs = fit_kwargs or {}
    outcomes: list[Outcome] = []
    alone: list[Outcome] = []
    replayed = [p for p in files if p.stem not in REPLAY_ONLY] + [
        p for p in files if p.stem in REPLAY_ONLY
    ]
    for fold in range(folds):
        model = _fold_model(sides, fold, folds, threshold, kwargs, cache, progress)
        conv = _fold_model(
            convs, fold, folds, conversation_threshold, kwargs, cache, progress, "conv-"
        )
        # The languages it reads, as the shipped model's (fit writes them to its metadata).
        model = dataclasses.replace(model, meta={**model.meta, "languages": languages})
        detector = LearnedDetector(model, conversation=conv)
        progress(f"fold {fold + 1}/{folds}: replaying")
        got, child = asyncio.run(_replay_fold(replayed, fold, folds, groups, detector, pack, ages))
        outcomes += got
        alone += child
    result = compute_metrics(outcomes)
    result["by_corpus"] = by_corpus(outcomes)
    result["by_language"] = by_language(outcomes)
    result["child_side_alone"] = {
        "conversations": len(alone),
        "alerts": sum(o.escalated_at is not None for o in alone),
        "nudged_anyone": sum(o.nudges > 0 for o in alone),
    }
    original = [o for o in outcomes if not o.corpus.startswith(TEAM_PREFIX)]
    result["original"] = {**compute_metrics(original), "by_language": by_language(original)}
    result["folds"] = folds
    result["ages"] = ages
    return result


def _fold_model(
    sides: list[tuple[int, Side]],
    fold: int,
    folds: int,
    threshold: float,
    fit_kwargs: dict[str, Any],
    cache: Path | None,
    progress: Callable[[str], None],
    prefix: str = "",
) -> ScorerModel:
    """Return one fold's model of ``sides``, from ``cache`` when it holds the same fit.

    With ``prefix`` ``conv-``, ``sides`` are whole conversations: the conversation model,
    cached under its own names and fit version.
    """
    version = _CONVERSATION_VERSION if prefix else _FIT_VERSION
    what = "conversation weights" if prefix else "weights"
    params = "-".join(f"{k}{v}" for k, v in sorted(fit_kwargs.items()))
    # The fitting parameters and each corpus's side weights (the mixed weight) name a fit.
    key = hashlib.sha256(
        repr((version, params, sorted({(s.corpus, s.weight) for _, s in sides}))).encode()
    ).hexdigest()[:12]
    path = cache / f"{prefix}fold{fold}of{folds}-{key}.bin" if cache is not None else None
    if path is not None and path.exists():
        progress(f"fold {fold + 1}/{folds}: cached {what}")
        cached = decode_model(path.read_bytes())
        return dataclasses.replace(cached, threshold=threshold)
    progress(f"fold {fold + 1}/{folds}: fitting {what}")
    weights, bias = fit([s for f, s in sides if f != fold], **fit_kwargs)
    meta: dict[str, Any] = {"fold": fold}
    if prefix:
        meta["reads"] = "whole conversations"
    data = model_bytes(weights, bias, threshold, meta)
    if path is not None:
        write_model(path, data)
    return decode_model(data)


def write_model(path: Path, data: bytes) -> None:
    """Write a model file atomically (a temporary file renamed into place)."""
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as fh:
        fh.write(data)
    Path(fh.name).replace(path)
