"""Choose the learned scorer's threshold, MIN_LINES and the rules' learned-score guard out of fold.

Usage (from the repository root, after a ``python -m nudgeguard.training cv ... --cache DIR``
run has fitted the fold weights)::

    D=../shared/eval/dev; E=../shared/eval/dev-external
    python scripts/learned_settings.py record DIR OUT.pkl $D $E
    python scripts/learned_settings.py choose OUT.pkl

``record`` replays every fold's conversations (and the child's side alone) through the
engine with that fold's cached weights, the default pack without its learned-score guard
and the learned rule silenced, and keeps for each message the pair's running score, line
count and age bands, and for each case the rule and the pair's running score: numbers
only, never text. ``choose`` then judges every
setting (threshold, MIN_LINES, guard) on those pooled out-of-fold outcomes, and estimates
the choice honestly by nesting it: pick on four folds, score the fifth. Objective, in
order: English segments at precision >= 0.75, German and Dutch false share <= 1%, no
case on the team's chat; the child's side alone at most 1; then English recall; then
fewer false cases. An approximation (a vetoed case is not replaced by a later one of the
same pair), so the chosen setting is confirmed by a real ``cv`` run.
"""

from __future__ import annotations

import asyncio
import math
import pickle
import sys
from pathlib import Path
from typing import Any

import yaml

from nudgeguard.evaluation import replay as rp
from nudgeguard.local.transcript import read_transcripts
from nudgeguard.pipeline import scoring
from nudgeguard.pipeline.detectors.learned import LearnedDetector
from nudgeguard.policy import load_policy, parse_policy
from nudgeguard.training import crossval as cv
from nudgeguard.training.__main__ import _files
from nudgeguard.training.data import REPLAY_ONLY, TEAM_PREFIX, fold_of, read_sides
from nudgeguard.training.groups import conversation_groups

FOLDS = 5
RECORD_THRESHOLD = 0.9
STRANGER = {"review-unknown-age", "urgent-unknown-age"}
STATED = STRANGER | {"review", "urgent", "review-adult-to-minor"}
_STATE: dict[str, Any] = {"index": 0, "pending": None, "rec": None, "esc": None}


def _silent_fold(pair: Any, evidence: Any) -> None:
    pair.learned_sum += evidence.logit
    pair.learned_lines += 1
    _STATE["pending"] = (pair.learned_sum, pair.learned_lines, evidence.logit > 0)


_score = scoring.Scoring._score


async def _recording_score(self: Any, event: Any, *args: Any, **kw: Any) -> Any:
    _STATE["pending"] = None
    d = await _score(self, event, *args, **kw)
    esc = d.wants("escalate")
    if esc is not None:
        key = (event.platform, event.community_id, event.conversation_id, d.actor_id, d.target_id)
        pair = self.state.cached_pair(key, event.ts)
        _STATE["esc"].append((_STATE["index"], esc.rule, pair.learned_sum, pair.learned_lines))
    p = _STATE["pending"]
    if p is not None:
        _STATE["rec"].append((_STATE["index"], d.actor_band.value, d.target_band.value, *p))
    return d


async def replay_counting(
    t: Any, pack: Any, corpus: str, detectors: list[Any], state: dict[str, Any]
) -> Any:
    """Replay ``t`` (ages unknown) with ``state["index"]`` set to each message's number."""
    handle = rp.Engine.handle
    count = iter(range(1, len(t.messages) + 1))

    async def counted(self: Any, event: Any) -> Any:
        state["index"] = next(count, 0)
        return await handle(self, event)

    rp.Engine.handle = counted  # type: ignore[method-assign]
    try:
        return await rp.replay_transcript(t, pack, "unknown", corpus, None, detectors)
    finally:
        rp.Engine.handle = handle  # type: ignore[method-assign]


async def _replay(t: Any, pack: Any, corpus: str, det: LearnedDetector) -> tuple[Any, Any, Any]:
    _STATE["rec"], _STATE["esc"] = [], []
    out = await replay_counting(t, pack, corpus, [det], _STATE)
    return out, _STATE["rec"], _STATE["esc"]


def record(cache: Path, out: Path, dirs: list[Path]) -> None:
    """Replay every fold with its cached weights; pickle the numbers per conversation."""
    scoring.fold_evidence = _silent_fold  # type: ignore[assignment]
    scoring.Scoring._score = _recording_score  # type: ignore[method-assign]
    files = _files(tuple(dirs), True)
    # The default pack without its learned-score guard: choose() simulates the guard.
    unguarded = load_policy("default").model_dump(mode="json")
    for rule in unguarded["rules"]:
        rule["when"]["min_learned_score"] = None
    pack = parse_policy(yaml.safe_dump(unguarded))
    groups = conversation_groups(files)
    sides = []
    for path in files:
        for side in read_sides(path, 0.5):
            cid = side.group.split("/", 1)[1]
            sides.append((fold_of(groups.get((side.corpus, cid), side.group), FOLDS), side))
    replayed = [p for p in files if p.stem not in REPLAY_ONLY]
    replayed += [p for p in files if p.stem in REPLAY_ONLY]
    rows = []
    fit = {"bits": 20, "c": 0.5, "seed": 19}
    for fold in range(FOLDS):
        model = cv._fold_model(sides, fold, FOLDS, RECORD_THRESHOLD, fit, cache, print)
        det = LearnedDetector(model)
        for path in replayed:
            if path.stem == "suspect_lines_pj":
                continue
            for t in read_transcripts(path):
                if fold_of(groups.get((path.stem, t.id), f"{path.stem}/{t.id}"), FOLDS) != fold:
                    continue
                for alone, tr in ((False, t), (True, cv.child_side(t))):
                    if tr is None:
                        continue
                    o, rec, esc = asyncio.run(_replay(tr, pack, path.stem, det))
                    rows.append(
                        {
                            "fold": fold,
                            "alone": alone,
                            "outcome": o,
                            "rec": rec,
                            "esc": esc,
                            "bias": model.bias,
                        }
                    )
    out.write_bytes(pickle.dumps(rows))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _case_at(row: dict[str, Any], st: tuple[float, int, float | None, str]) -> int | None:
    t, lines, guard, rules = st
    scale = (_logit(RECORD_THRESHOLD) - row["bias"]) / (_logit(t) - row["bias"])
    guarded = STATED if rules == "A" else STRANGER
    lexicon = None
    for idx, rule, s, n in row["esc"]:
        if guard is not None and rule in guarded and n >= 6 and s * scale / math.sqrt(n) < guard:
            continue
        lexicon = idx
        break
    learned = None
    for idx, actor, target, s, n, pos in row["rec"]:
        readable = pos and actor != "minor" and target != "adult" and n >= lines
        if readable and s * scale / math.sqrt(n) >= 1.0:
            learned = idx
            break
    found = [x for x in (lexicon, learned) if x is not None]
    return min(found) if found else None


def _summary(rows: list[dict[str, Any]], st: Any) -> dict[str, Any]:
    def counts(sel: list[tuple[Any, Any]]) -> dict[str, Any]:
        g = [e for o, e in sel if o.label == "grooming"]
        n = [e for o, e in sel if o.label != "grooming"]
        tp, fp = sum(e is not None for e in g), sum(e is not None for e in n)
        return {
            "r": tp / len(g) if g else 0.0,
            "p": tp / (tp + fp) if tp + fp else 0.0,
            "fp": fp,
            "n": len(n),
        }

    main = [(r["outcome"], _case_at(r, st)) for r in rows if not r["alone"]]
    orig = [(o, e) for o, e in main if not o.corpus.startswith(TEAM_PREFIX)]
    by = {c: counts([x for x in orig if x[0].corpus == c]) for c in {o.corpus for o, _ in orig}}
    return {
        "all": counts(orig),
        "by": by,
        "team": sum(e is not None for o, e in main if o.corpus.startswith(TEAM_PREFIX)),
        "alone": sum(_case_at(r, st) is not None for r in rows if r["alone"]),
    }


def _objective(s: dict[str, Any]) -> tuple[bool, bool, float, int]:
    en = s["by"]["ext_vtpan_en_proxy"]
    ok = en["p"] >= 0.75 and s["team"] == 0
    ok = ok and all(
        s["by"][c]["fp"] <= 0.01 * s["by"][c]["n"] for c in ("ext_vtpan_de", "ext_vtpan_nl")
    )
    return ok, s["alone"] <= 1, en["r"] if ok else en["p"] - 1, -s["all"]["fp"]


def _line(st: Any, s: dict[str, Any]) -> str:
    b = s["by"]
    return (
        f"{st!s:30} all R/P {s['all']['r']:.3f}/{s['all']['p']:.3f} false {s['all']['fp']}"
        f" | en {b['ext_vtpan_en_proxy']['r']:.2f}/{b['ext_vtpan_en_proxy']['p']:.2f}"
        f" | de/nl false {b['ext_vtpan_de']['fp']}/{b['ext_vtpan_nl']['fp']}"
        f" | pt {b['ext_fei_grooming_pt']['r']:.2f} | team {s['team']} | alone {s['alone']}"
    )


def choose(path: Path) -> None:
    """Print every setting's pooled figures, the nested estimate and the pooled choice."""
    rows = pickle.loads(path.read_bytes())
    grid = [
        (t, m, g, k)
        for t in (0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96)
        for m in (2, 3, 4, 5, 6, 8)
        for g, k in ((None, "S"), (-0.75, "A"), (-0.5, "A"), (-0.25, "A"), (-0.5, "S"))
    ]
    pooled = {st: _summary(rows, st) for st in grid}
    for st in grid:
        print(_line(st, pooled[st]))
    nested: list[dict[str, Any]] = []
    for k in range(FOLDS):
        train = [r for r in rows if r["fold"] != k]
        best = max(grid, key=lambda st: _objective(_summary(train, st)))
        print(f"fold {k}: chosen on the other folds {best}")
        nested += [{**r, "fixed": best} for r in rows if r["fold"] == k]
    merged: dict[str, Any] = {"rows": nested}
    outs = [(r["outcome"], _case_at(r, r["fixed"])) for r in nested if not r["alone"]]
    orig = [(o, e) for o, e in outs if not o.corpus.startswith(TEAM_PREFIX)]
    en = [(o, e) for o, e in orig if o.corpus == "ext_vtpan_en_proxy"]
    for name, sel in (("all", orig), ("en", en)):
        g = [e for o, e in sel if o.label == "grooming"]
        fp = sum(e is not None for o, e in sel if o.label != "grooming")
        tp = sum(e is not None for e in g)
        merged[name] = f"R/P {tp / len(g):.3f}/{tp / max(1, tp + fp):.3f} false {fp}"
    alone = sum(_case_at(r, r["fixed"]) is not None for r in nested if r["alone"])
    print(f"NESTED all {merged['all']} | en {merged['en']} | alone {alone}")
    best = max(grid, key=lambda st: _objective(pooled[st]))
    print("POOLED CHOICE", _line(best, pooled[best]))


if __name__ == "__main__":
    if sys.argv[1] == "record":
        record(Path(sys.argv[2]), Path(sys.argv[3]), [Path(p) for p in sys.argv[4:]])
    else:
        choose(Path(sys.argv[2]))
