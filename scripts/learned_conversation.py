"""Screen a conversation-level learned score beside the pair score, on the grouped CV folds.

Usage (from the repository root, train extra installed, after ``learned_variants.py record``)::

    D=../shared/eval/dev; E=../shared/eval/dev-external
    python scripts/learned_conversation.py /tmp/replay.pkl $D $E

A second model of the same shape as the pair scorer (hashed word unigrams and bigrams, a
running ``sum / sqrt(lines)``) reads every speaker's lines together. It is trained on whole
conversations: grooming ones positive, normal ones negative, and every grooming transcript
with its suspect's lines removed (the child's side alone) negative too, so that a decoy's
or a child's lines alone never read as grooming. Beside the shipped pair scorer at its
shipped setting, a conversation-level case is opened on the first message that pushes the
conversation's score (``vc > 0``) past its threshold, after at least ``lines`` lines, and
only while the author's own side score is at least ``floor`` (None: no floor). Modes:
``conv`` sums the whole conversation, ``pair`` the two people's lines (the author's pair and
its reverse), ``top`` the same and the author's side must read at least as much like a
suspect's as the other person's (what ships, at 0.88, ten lines and a floor of 0.25).
``wrong`` counts conversation cases opened first on a known non-suspect. The settings (or
off) are chosen on four folds and scored on the fifth. Fold weights are cached in
/tmp/conv_weights.pkl (delete it after changing the training). Measured on 2026-12-07:
docs/detection.md, "The conversation model".
"""

from __future__ import annotations

import math
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from learned_settings import STATED, _objective
from learned_variants import FOLDS, _design, _fit_fold, _key, _replayed, pooled

from nudgeguard.local.transcript import read_transcripts
from nudgeguard.pipeline.text import normalize
from nudgeguard.training.__main__ import _files
from nudgeguard.training.data import Side, fold_of, read_conversations, read_sides

SHIPPED = (0.9, 6, -0.75)  # the pair scorer's threshold, lines and guard
OFF = (None, 0, None, "")
GRID = [OFF] + [
    (t, m, f, mode)
    for t in (0.8, 0.85, 0.88, 0.9, 0.93, 0.95)
    for m in (6, 10, 16)
    for f in (None, 0.0, 0.25)
    for mode in ("conv", "pair", "top")
]


def conversations(dirs: list[Path]) -> list[tuple[int, Side]]:
    """Return the conversation model's examples with their folds (as ``cv`` folds them)."""
    files, groups = _replayed(dirs)
    out = []
    for path in files:
        for s in read_conversations(path):
            corpus, cid = s.group.split("/", 1)
            out.append((fold_of(groups.get((corpus, cid), s.group), FOLDS), s))
    return out


def _fit_all(sides: list[Any], texts: list[str], keys: list[int]) -> tuple[dict, dict]:
    xr, d, owner = _design(sides, texts, "base")
    raw, bias = {}, {}
    for fold in range(FOLDS):
        w, bias[fold] = _fit_fold(sides, d, owner, fold, 0.5, 0.5, "none")
        raw[fold] = dict(zip(keys, (xr @ w).tolist(), strict=True))
    return raw, bias


def prepare(rows: list[Any], side: tuple[dict, dict], conv: tuple[dict, dict]) -> list[Any]:
    """Per row: (row, the shipped setting's first case, per message both running scores)."""
    (raw, bias), (craw, cbias) = side, conv
    out = []
    t0, lines, guard = SHIPPED
    stated = frozenset(STATED)
    for r in rows:
        f = r["fold"]
        margin = math.log(t0 / (1 - t0)) - bias[f]
        sums: dict[int, float] = {}
        csums: dict[int, float] = {}
        nl: dict[int, int] = {}
        total, count, first, msgs = 0.0, 0, None, []
        for e in r["ev"]:
            if e[0] == "e":
                _, idx, actor, target, seg, n, key, back, bad = e
                v, vc = raw[f].get(key, 0.0), craw[f].get(key, 0.0)
                sums[seg] = (sums.get(seg, 0.0) if n > 1 else 0.0) + v
                csums[seg] = (csums.get(seg, 0.0) if n > 1 else 0.0) + vc
                nl[seg] = n
                total, count = total + vc, count + 1
                ok = actor != "minor" and target != "adult"
                s = sums[seg] / math.sqrt(n) / margin
                nb = nl.get(back, 0)
                sb = sums[back] / math.sqrt(nb) / margin if nb else -math.inf
                cu = (csums[seg] + (csums[back] if nb else 0.0)) / math.sqrt(n + nb)
                if first is None and v > 0 and ok and n >= lines and s >= 1.0:
                    first = idx
                whole = (total / math.sqrt(count), count)
                msgs.append((idx, ok, s, whole, (cu, n + nb), vc > 0, s >= sb, bad))
            else:
                _, idx, rule, seg, n = e
                s = sums.get(seg, 0.0) / math.sqrt(n) / margin if n else 0.0
                if not (n >= 6 and rule in stated and s < guard):
                    first = idx if first is None else min(first, idx)
        known = any(e[0] == "e" and e[8] for e in r["ev"])
        out.append((r, first, msgs, cbias[f], known))
    return out


def _case(first: int | None, msgs: list[Any], cb: float, st: Any) -> tuple[int | None, bool]:
    """The first case and whether the conversation rule opened it on a known non-suspect."""
    t, m, floor, mode = st
    if t is None:
        return first, False
    cm = math.log(t / (1 - t)) - cb
    for idx, ok, s, whole, pair, pos, top, bad in msgs:
        if first is not None and idx >= first:
            break
        c, count = whole if mode == "conv" else pair
        if not (pos and ok and count >= m and c >= cm):
            continue
        if (floor is None or s >= floor) and (mode != "top" or top):
            return idx, not bad
    return first, False


def summary(prep: list[Any], pick: Any) -> dict[str, Any]:
    """Pooled figures in the shape ``learned_settings._objective`` reads."""
    res, wrong = [], 0
    for r, first, msgs, cb, known in prep:
        e, off = _case(first, msgs, cb, pick(r["fold"]))
        res.append((r, e))
        wrong += known and off and not r["alone"]
    return {**pooled(res), "wrong": wrong}


def nested(
    prep: list[Any], grid: list[Any], summarise: Callable[..., dict[str, Any]]
) -> dict[int, Any]:
    """Per fold, the setting of ``grid`` the objective prefers on the other four folds.

    ``summarise(rows, pick)`` pools the outcomes of ``rows`` at the setting ``pick(fold)``.
    """
    return {
        k: max(
            grid,
            key=lambda st: _objective(
                summarise([p for p in prep if p[0]["fold"] != k], lambda _, st=st: st)
            ),
        )
        for k in range(FOLDS)
    }


def line(s: dict[str, Any]) -> str:
    """One line of figures."""
    b, a = s["by"], s["all"]
    en, pt = b["ext_vtpan_en_proxy"], b["ext_fei_grooming_pt"]
    pj, pan = b["grooming_pj"], b["pan12_sample"]
    return (
        f"all {a['r']:.3f}/{a['p']:.3f} false {a['fp']} | alone {s['alone']}"
        f" | en {en['r']:.2f}/{en['p']:.2f} fp {en['fp']}"
        f" | de {b['ext_vtpan_de']['r']:.2f} fp {b['ext_vtpan_de']['fp']}"
        f" | nl {b['ext_vtpan_nl']['r']:.2f} fp {b['ext_vtpan_nl']['fp']}"
        f" | pt {pt['r']:.2f} | pj {pj['r']:.2f} pan {pan['r']:.2f}/{pan['fp']} | team {s['team']}"
        f" | wrong {s['wrong']} | dd {b['normal_dailydialog']['fp']}"
        f" nps {b['normal_nps_groups']['fp']} ub {b['ext_normal_irc_ubuntu']['fp']}"
        f"/{b['ext_normal_irc_ubuntu_channel']['fp']}"
    )


def main(rec: Path, dirs: list[Path], cache: Path) -> None:
    """Fit (or load) both models' fold weights, then print pooled and nested figures."""
    rows = pickle.loads(rec.read_bytes())
    if cache.exists():
        side, conv = pickle.loads(cache.read_bytes())
    else:
        files, groups = _replayed(dirs)
        texts = sorted(
            {normalize(m.text).text for p in files for t in read_transcripts(p) for m in t.messages}
        )
        keys = [_key(t) for t in texts]
        sides = [
            (fold_of(groups.get((s.corpus, s.group.split("/", 1)[1]), s.group), FOLDS), s)
            for p in _files(tuple(dirs), True)
            for s in read_sides(p, 1.0)
        ]
        side = _fit_all(sides, texts, keys)
        print("side models fitted", flush=True)
        conv = _fit_all(conversations(dirs), texts, keys)
        cache.write_bytes(pickle.dumps((side, conv)))
    prep = prepare(rows, side, conv)
    pooled = {st: summary(prep, lambda _, st=st: st) for st in GRID}
    for st in GRID:
        print(f"{st!s:24} {line(pooled[st])}")
    chosen = nested(prep, GRID, summary)
    print(f"pooled choice {max(GRID, key=lambda st: _objective(pooled[st]))}")
    print(f"nested {line(summary(prep, chosen.__getitem__))} | chosen {list(chosen.values())}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]], Path("/tmp/conv_weights.pkl"))
