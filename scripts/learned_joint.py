"""Screen more ways of reading the two learned models for the English segments (issue 19).

Usage (from the repository root, train extra installed, after ``learned_variants.py record``)::

    D=../shared/eval/dev; E=../shared/eval/dev-external
    python scripts/learned_joint.py /tmp/replay.pkl rules $D $E
    python scripts/learned_joint.py /tmp/replay.pkl train:dn=0.5 $D $E

``rules`` keeps the shipped fold weights (fitted as ``learned_conversation.py`` fits them,
cached in /tmp/joint_weights.pkl) and screens rules beside the shipped ones (the side model
at 0.9 / 6 lines / guard -0.75, the conversation model at 0.88 / 10 lines / floor 0.25 /
author on top):

- ``joint``: a message that pushes the conversation towards grooming counts when its
  author's side score is at least ``a`` (below the side threshold, 1.0) and on top, the
  two people's conversation is past a lower threshold ``b`` and they have ``m`` lines
  together;
- ``sum``: the same when the side score plus the conversation score (in units of the
  conversation threshold) is at least ``k``;
- ``lang``: the conversation threshold chosen apart for the German and Dutch segments (the
  corpus stands for the language: an upper bound of what a language identifier could do),
  over the whole grid of ``learned_conversation.py``.

``train:KEY=VALUE,...`` refits the fold models with other training and screens the grid of
``learned_conversation.py``: ``bits`` (buckets, 20 ships), ``dn`` (weight of the German and
Dutch segments in the conversation model, 0 drops them), ``mw`` (the side model's mixed
weight, 0.5 ships), ``minprefix`` (the conversation model is trained only on prefixes of at
least that many lines, and whole conversations). Each prints the pooled figures and the
nested estimate (chosen on four folds, scored on the fifth). Measured on 2026-12-07:
docs/detection.md, "The conversation model".
"""

from __future__ import annotations

import dataclasses
import math
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import learned_conversation as lc
import learned_variants as lv
from learned_settings import _objective

from nudgeguard.local.transcript import read_transcripts
from nudgeguard.pipeline.text import normalize
from nudgeguard.training.__main__ import _files
from nudgeguard.training.data import fold_of, read_sides

DN = frozenset({"ext_vtpan_de", "ext_vtpan_nl"})
SHIPPED_CONV = (0.88, 10, 0.25, "top")


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _fits(dirs: list[Path], opts: dict[str, float], cache: Path) -> tuple[Any, Any]:
    """Fit (or load) the side and conversation fold models under ``opts``."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())  # type: ignore[no-any-return]
    bits = int(opts.get("bits", 20))
    lv.BITS, lv.MASK = bits, (1 << bits) - 1
    files, groups = lv._replayed(dirs)
    texts = sorted(
        {normalize(m.text).text for p in files for t in read_transcripts(p) for m in t.messages}
    )
    keys = [lv._key(t) for t in texts]
    sides = [
        (fold_of(groups.get((s.corpus, s.group.split("/", 1)[1]), s.group), lv.FOLDS), s)
        for p in _files(tuple(dirs), True)
        for s in read_sides(p, 1.0)
    ]

    def fit_all(examples: list[Any], mw: float) -> tuple[dict[int, Any], dict[int, float]]:
        xr, d, owner = lv._design(examples, texts, "base")
        raw, bias = {}, {}
        for fold in range(lv.FOLDS):
            w, bias[fold] = lv._fit_fold(examples, d, owner, fold, 0.5, mw, "none")
            raw[fold] = dict(zip(keys, (xr @ w).tolist(), strict=True))
        return raw, bias

    side = fit_all(sides, opts.get("mw", 0.5))
    convs = [
        (f, dataclasses.replace(s, role="mixed") if s.corpus in DN else s)
        for f, s in lc.conversations(dirs)
    ]  # the German and Dutch conversations weigh "mixed", i.e. ``dn``
    shipped = lv.prefix_lengths
    least = int(opts.get("minprefix", 0))
    lv.prefix_lengths = lambda n: [k for k in shipped(n) if k >= least] or [n]  # type: ignore[assignment]
    conv = fit_all(convs, opts.get("dn", 1.0))
    lv.prefix_lengths = shipped  # type: ignore[assignment]
    cache.write_bytes(pickle.dumps((side, conv)))
    return side, conv


def _extra(first: int | None, msgs: list[Any], cb: float, rule: Any) -> tuple[int | None, bool]:
    """The first case with the shipped rules and ``rule`` (joint or sum) beside them."""
    got, off = lc._case(first, msgs, cb, SHIPPED_CONV)
    if rule is None:
        return got, off
    kind, x, y, m = rule
    unit = _logit(0.88) - cb
    for idx, ok, s, _, (cu, count), pos, top, bad in msgs:
        if got is not None and idx >= got:
            break
        if not (pos and ok and top and count >= m):
            continue
        if (kind == "joint" and s >= x and cu >= _logit(y) - cb) or (
            kind == "sum" and s >= 0.25 and s + cu / unit >= x
        ):
            return idx, not bad
    return got, off


def _per_language(first: int | None, msgs: list[Any], cb: float, st: Any, corpus: str) -> Any:
    ten, tdn, m, floor = st
    t = tdn if corpus in DN else ten
    return lc._case(first, msgs, cb, lc.OFF if t is None else (t, m, floor, "top"))


def _summary(prep: list[Any], pick: Callable[[int], Any], case: Callable[..., Any]) -> Any:
    res, wrong = [], 0
    for r, first, msgs, cb, known in prep:
        e, off = case(first, msgs, cb, pick(r["fold"]), r["outcome"].corpus)
        res.append((r, e))
        wrong += known and off and not r["alone"]
    return {**lv.pooled(res), "wrong": wrong}


def _report(prep: list[Any], grid: list[Any], case: Callable[..., Any], name: str) -> None:
    pooled = {st: _summary(prep, lambda _, st=st: st, case) for st in grid}
    for st in grid:
        print(f"{name} {st!s:32} {lc.line(pooled[st])}")
    chosen = lc.nested(prep, grid, lambda rows, pick: _summary(rows, pick, case))
    best = max(grid, key=lambda st: _objective(pooled[st]))
    print(f"{name} pooled choice {best} {lc.line(pooled[best])}")
    print(f"{name} nested {lc.line(_summary(prep, chosen.__getitem__, case))}")
    print(f"{name} chosen {list(chosen.values())}", flush=True)


def main(rec: Path, what: str, dirs: list[Path]) -> None:
    """Run the ``rules`` screens or one ``train:`` variant (see the module docstring)."""
    rows = pickle.loads(rec.read_bytes())
    opts = dict(kv.split("=") for kv in what.removeprefix("train:").split(",") if "=" in kv)
    tag = "_".join(f"{k}{v}" for k, v in sorted(opts.items()))
    side, conv = _fits(
        dirs, {k: float(v) for k, v in opts.items()}, Path(f"/tmp/joint_weights{tag}.pkl")
    )
    prep = lc.prepare(rows, side, conv)
    if what != "rules":
        _report(prep, lc.GRID, lambda f, m, c, st, _: lc._case(f, m, c, st), what)
        return
    joint = [("joint", a, b) for a in (0.5, 0.6, 0.7, 0.8) for b in (0.5, 0.7, 0.8, 0.85)]
    joint += [("sum", k, 0.0) for k in (1.5, 1.6, 1.7, 1.8, 1.9, 2.0)]
    grid: list[Any] = [None] + [(*j, m) for j in joint for m in (10, 16)]
    _report(prep, grid, lambda f, m, c, st, _: _extra(f, m, c, st), "joint")
    ts = (0.8, 0.85, 0.88, 0.9, 0.93, 0.95, None)
    lang = [(None, None, 0, None)] + [
        (a, b, m, f) for a in ts for b in ts for m in (6, 10, 16) for f in (None, 0.25)
    ]
    _report(prep, lang, _per_language, "lang")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], [Path(p) for p in sys.argv[3:]])
