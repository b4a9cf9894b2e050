"""Screen variants of the learned scorer's training on the grouped CV folds, without replaying.

Usage (from the repository root, train extra installed)::

    D=../shared/eval/dev; E=../shared/eval/dev-external
    python scripts/learned_variants.py record /tmp/replay.pkl $D $E
    python scripts/learned_variants.py screen /tmp/replay.pkl $D $E base:0.5:0.5:none ...

``record`` replays every conversation (and the child's side alone) once through the engine,
the default pack without its learned-score guard and the learned rule silenced. None of
that depends on the scorer's weights, so it keeps, per conversation and in engine order,
each message folded into a pair (which pair, its line count, the age bands, and a hash of
the normalised text: no text) and each case the lexicon rules asked for (rule, pair, line
count). ``screen`` fits the five fold models of each variant on the same sides and folds as
``python -m nudgeguard.training cv`` and recomputes the running scores from the recorded
folds: the same pooled figures as a ``cv`` run (checked at the shipped setting, 0.9 / 6
lines / guard -0.75: identical), in a third of the time. For each variant it prints the
shipped setting, the pooled choice and the nested estimate of ``learned_settings.py``.

A variant is ``features:C:mixed_weight:scaling[:power[:dense]]``. Features: ``base`` (the
shipped word unigrams and bigrams), ``tri`` (plus word trigrams), ``c34`` (plus character
3- and 4-grams inside words), ``c34w`` (the same at 0.3 each), ``c34pt`` / ``c34rom`` and
``c34ptw`` / ``c34romw`` (the same only for Portuguese, or pt/es/fr, texts: variant_langs.py).
Scaling: ``none``, ``idf``
or ``nb`` (naive-Bayes log-count ratios, NBSVM-style), both folded into the weights. Power:
of the line count in the running score (0.5 ships). ``dense``: prefixes grow by 1.5x, not
2x. Measured on 2026-12-07: docs/detection.md, "Training".
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import pickle
import sys
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import variant_langs
import yaml
from learned_settings import STATED, STRANGER, _objective, replay_counting
from scipy.sparse import csr_matrix, diags
from sklearn.linear_model import LogisticRegression

from nudgeguard.local.transcript import read_transcripts
from nudgeguard.pipeline import scoring
from nudgeguard.pipeline.detectors import hashing
from nudgeguard.pipeline.signals import Signal
from nudgeguard.pipeline.text import normalize
from nudgeguard.policy import load_policy, parse_policy
from nudgeguard.training import crossval as cv
from nudgeguard.training.__main__ import _files
from nudgeguard.training.data import REPLAY_ONLY, TEAM_PREFIX, fold_of, read_sides
from nudgeguard.training.groups import conversation_groups

FOLDS, BITS = 5, 20
MASK = (1 << BITS) - 1
_S: dict[str, Any] = {}
OPTS: dict[str, Any] = {"power": 0.5, "dense": False}


def _key(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest)


class _Tagger:
    """Stands in for the learned detector: its evidence names the text (a hash), not a score."""

    name = "learned"
    pair_evidence = True

    def detect(self, text: Any, event: Any) -> list[Signal]:
        if not hashing.has_words(text.text):
            return []
        return [
            Signal(
                "learned_grooming",
                (0, 0),
                0.5,
                "learned",
                logit=float(_S["ids"].setdefault(text.text, len(_S["ids"]))),
            )
        ]


def _fold(pair: Any, evidence: Any) -> None:
    pair.learned_lines += 1
    _S["pending"] = (pair.learned_lines, int(evidence.logit))


_score = scoring.Scoring._score


async def _recording_score(self: Any, event: Any, conv: Any, *args: Any, **kw: Any) -> Any:
    _S["pending"] = None
    d = await _score(self, event, conv, *args, **kw)
    pair_key, ev, seg = (d.actor_id, d.target_id), _S["ev"], _S["seg"]
    if _S["pending"] is not None:
        lines, key = _S["pending"]
        if lines == 1 or pair_key not in seg:  # a new pair, or its state was dropped
            seg[pair_key] = _S["segments"] = _S["segments"] + 1
        back, bad = seg.get(pair_key[::-1], -1), d.actor_id in _S["suspects"]
        ev.append(
            (
                "e",
                *(_S["index"], d.actor_band.value, d.target_band.value, seg[pair_key], lines),
                *(key, back, bad),
            )
        )
    esc = d.wants("escalate")
    if esc is not None:
        pk = (event.platform, event.community_id, event.conversation_id, *pair_key)
        pair = self.state.cached_pair(pk, event.ts)
        n = pair.learned_lines if pair is not None else 0
        ev.append(("x", _S["index"], esc.rule, seg.get(pair_key, -1) if n else -1, n))
    return d


async def _replay(t: Any, pack: Any, corpus: str) -> tuple[Any, list[Any]]:
    _S["ev"], _S["seg"], _S["segments"] = [], {}, 0
    _S["suspects"] = t.truth_of("suspect")
    out = await replay_counting(t, pack, corpus, [_Tagger()], _S)
    return out, _S["ev"]


def _replayed(dirs: list[Path]) -> tuple[list[Path], dict[tuple[str, str], str]]:
    files = _files(tuple(dirs), True)
    order = [p for p in files if p.stem not in REPLAY_ONLY] + [
        p for p in files if p.stem in REPLAY_ONLY
    ]
    return [p for p in order if p.stem != "suspect_lines_pj"], conversation_groups(files)


def record(out: Path, dirs: list[Path]) -> None:
    """Replay every conversation once; pickle the model-independent record (no text)."""
    scoring.fold_evidence = _fold  # type: ignore[assignment]
    scoring.Scoring._score = _recording_score  # type: ignore[method-assign]
    unguarded = load_policy("default").model_dump(mode="json")
    for rule in unguarded["rules"]:
        rule["when"]["min_learned_score"] = None
    pack = parse_policy(yaml.safe_dump(unguarded))
    files, groups = _replayed(dirs)
    rows: list[dict[str, Any]] = []
    _S["ids"] = {}
    for path in files:
        for t in read_transcripts(path):
            fold = fold_of(groups.get((path.stem, t.id), f"{path.stem}/{t.id}"), FOLDS)
            for alone, tr in ((False, t), (True, cv.child_side(t))):
                if tr is not None:
                    o, ev = asyncio.run(_replay(tr, pack, path.stem))
                    rows.append({"fold": fold, "alone": alone, "outcome": o, "ev": ev})
        print(path.stem, len(rows), flush=True)
    keys = {i: _key(t) for t, i in _S["ids"].items()}  # the record keeps no text
    for r in rows:
        r["ev"] = [(*e[:6], keys[e[6]], *e[7:]) if e[0] == "e" else e for e in r["ev"]]
    out.write_bytes(pickle.dumps(rows))


def _chargrams(word: str, memo: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    got = memo.get(word)
    if got is None:
        s = f"<{word}>"
        pieces = [s[i : i + n] for n in (3, 4) for i in range(len(s) - n + 1)]
        got = memo[word] = tuple(
            zlib.crc32(("\x01" + p).encode("utf-8", "surrogatepass")) & MASK
            for p in pieces
            if len(word) >= 3 and p != s
        )
    return got


def featurise(
    text: str, kind: str, cache: dict[str, int], memo: dict[str, tuple[int, ...]]
) -> list[int]:
    """Return the buckets of one normalised text for a feature variant (see the docstring)."""
    out = hashing.buckets(text, BITS, cache)
    words = hashing._TOKEN.findall(text)[: hashing.MAX_TOKENS]
    if kind == "tri":
        hs = [cache[w] for w in words]
        for a, b, c in zip(hs, hs[1:], hs[2:], strict=False):
            out.append(((hashing.bigram_hash(a, b) * 0x9E3779B1) ^ (c + 0x2545F491)) & MASK)
    elif kind.startswith("c34"):
        langs = variant_langs.chargram_languages(kind)
        if langs is not None and variant_langs.LANGS.get(text) not in langs:
            return out
        for w in words:
            out.extend(_chargrams(w, memo))
    return out


def prefix_lengths(n: int) -> list[int]:
    """1, 2, 4 ... n (as shipped), or 1, 2, 3, 5, 8, 12 ... n with ``dense``."""
    out, k = [], 1
    while k < n:
        out.append(k)
        k = (k * 3 + 1) // 2 if OPTS["dense"] and k > 1 else k * 2
    return [*out, n]


def _design(sides: list[Any], texts: list[str], kind: str) -> tuple[Any, Any, np.ndarray]:
    ids = {t: i for i, t in enumerate(texts)}
    for _, s in sides:
        for t in s.texts:
            ids.setdefault(t, len(ids))
    cache: dict[str, int] = {}
    memo: dict[str, tuple[int, ...]] = {}
    indptr, indices, data = [0], [], []
    for t in ids:
        got = featurise(t, kind, cache, memo)
        low = kind.startswith("c34") and kind.endswith("w")
        words = len(hashing.buckets(t, BITS, cache)) if low else len(got)
        indices.extend(got)
        data += [1.0] * words + [0.3] * (len(got) - words)  # c34w: a character n-gram is 0.3
        indptr.append(len(indices))
    x = csr_matrix((data, indices, indptr), shape=(len(ids), 1 << BITS))
    x.sum_duplicates()
    rows, cols, vals, owner = [], [], [], []
    for si, (_, s) in enumerate(sides):
        line_ids = [ids[t] for t in s.texts]
        for k in prefix_lengths(len(line_ids)):
            rows += [len(owner)] * k
            cols += line_ids[:k]
            vals += [k ** -OPTS["power"]] * k
            owner.append(si)
    p = csr_matrix((vals, (rows, cols)), shape=(len(owner), len(ids)))
    return x[: len(texts)].tocsr(), (p @ x).tocsr(), np.array(owner)


def _fit_fold(
    sides: list[Any], d: Any, owner: np.ndarray, fold: int, c: float, mw: float, scaling: str
) -> tuple[np.ndarray, float]:
    keep = np.array([f != fold and (s.role != "mixed" or mw > 0) for f, s in sides])
    train = [s for (_, s), k in zip(sides, keep, strict=True) if k]
    cells = Counter((s.corpus, s.label) for s in train)
    raw: list[float] = []
    for s in train:
        ks = prefix_lengths(len(s.texts))
        raw += [
            (mw if s.role == "mixed" else 1.0) / math.sqrt(cells[(s.corpus, s.label)]) / len(ks)
        ] * len(ks)
    y = np.array([s.label for s in train for _ in prefix_lengths(len(s.texts))])
    w = np.array(raw)
    for label in (0, 1):
        w[y == label] /= w[y == label].sum()
    w *= len(w) / w.sum()
    xf = d[np.flatnonzero(keep[owner])]
    col = None
    if scaling == "idf":
        df = np.bincount(xf.indices, minlength=xf.shape[1])
        col = np.log((1 + xf.shape[0]) / (1 + df)) + 1.0
    elif scaling == "nb":
        pos = np.asarray(xf[y == 1].multiply(w[y == 1][:, None]).sum(0)).ravel() + 1
        neg = np.asarray(xf[y == 0].multiply(w[y == 0][:, None]).sum(0)).ravel() + 1
        col = np.abs(np.log((pos / pos.sum()) / (neg / neg.sum())))
    model = LogisticRegression(C=c, max_iter=500, random_state=19)
    model.fit(xf if col is None else xf @ diags(col), y, sample_weight=w)
    coef = model.coef_[0] * (1.0 if col is None else col)
    scale = (np.abs(coef).max() or 1.0) / 32767  # the model file's 16-bit quantisation
    return np.round(coef / scale) * scale, float(model.intercept_[0])


def _prepare(rows: list[Any], raw: dict[int, dict[int, float]]) -> list[Any]:
    out = []
    for r in rows:
        sums: dict[int, float] = {}
        learned, lexicon = [], []
        for e in r["ev"]:
            if e[0] == "e":
                _, idx, actor, target, seg, n, key = e[:7]
                v = raw[r["fold"]].get(key, 0.0)
                sums[seg] = (sums.get(seg, 0.0) if n > 1 else 0.0) + v
                learned.append((idx, actor != "minor" and target != "adult", sums[seg], n, v > 0))
            else:
                _, idx, rule, seg, n = e
                lexicon.append((idx, rule, sums.get(seg, 0.0) if n else 0.0, n))
        out.append((r, learned, lexicon))
    return out


def _case_at(learned: list[Any], lexicon: list[Any], margin: float, st: Any) -> int | None:
    _, lines, guard, rules = st
    guarded, power = (STATED if rules == "A" else STRANGER), OPTS["power"]
    found = []
    for i, rule, s, n in lexicon:  # the first lexicon case the guard lets through
        vetoed = guard is not None and rule in guarded and n >= 6
        if not (vetoed and s / n**power / margin < guard):
            found.append(i)
            break
    for i, ok, s, n, pos in learned:  # the first message that takes the pair past the threshold
        if pos and ok and n >= lines and s / n**power >= margin:
            found.append(i)
            break
    return min(found, default=None)


def _summary(prep: list[Any], bias: dict[int, float], pick: Any) -> dict[str, Any]:
    res = []
    for r, learned, lexicon in prep:
        st = pick(r["fold"])
        margin = math.log(st[0] / (1 - st[0])) - bias[r["fold"]]
        res.append((r, _case_at(learned, lexicon, margin, st)))
    return pooled(res)


def pooled(res: list[tuple[dict[str, Any], int | None]]) -> dict[str, Any]:
    """Pool each replay's first case (None: no case) into the figures ``_objective`` reads."""
    main = [(r["outcome"], e) for r, e in res if not r["alone"]]
    orig = [(o, e) for o, e in main if not o.corpus.startswith(TEAM_PREFIX)]

    def counts(sel: list[Any]) -> dict[str, Any]:
        g = [e is not None for o, e in sel if o.label == "grooming"]
        tp, fp = sum(g), sum(e is not None for o, e in sel if o.label != "grooming")
        p = tp / (tp + fp) if tp + fp else 0.0
        return {"r": tp / len(g) if g else 0.0, "p": p, "fp": fp, "n": len(sel) - len(g)}

    by = {c: counts([x for x in orig if x[0].corpus == c]) for c in {o.corpus for o, _ in orig}}
    team = sum(e is not None for o, e in main if o.corpus.startswith(TEAM_PREFIX))
    alone = sum(e is not None for r, e in res if r["alone"])
    return {"all": counts(orig), "by": by, "team": team, "alone": alone}


def _line(s: dict[str, Any]) -> str:
    b, a = s["by"], s["all"]
    en, pt = b["ext_vtpan_en_proxy"], b["ext_fei_grooming_pt"]
    return (
        f"all {a['r']:.3f}/{a['p']:.3f} false {a['fp']} | alone {s['alone']}"
        f" | en {en['r']:.2f}/{en['p']:.2f}"
        f" | de/nl false {b['ext_vtpan_de']['fp']}/{b['ext_vtpan_nl']['fp']}"
        f" | pt {pt['r']:.2f} | team {s['team']}"
    )


GRID = [
    (t, m, g, k)
    for t in (0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.97, 0.98)
    for m in (2, 3, 4, 5, 6, 8)
    for g, k in ((None, "S"), (-0.75, "A"), (-0.5, "A"), (-0.25, "A"), (-0.5, "S"))
]


def screen(rec: Path, dirs: list[Path], variants: list[str]) -> None:
    """Fit and judge each variant (see the module docstring)."""
    rows = pickle.loads(rec.read_bytes())
    files, groups = _replayed(dirs)
    texts = sorted(
        {normalize(m.text).text for p in files for t in read_transcripts(p) for m in t.messages}
    )
    all_files = _files(tuple(dirs), True)
    sides = [
        (fold_of(groups.get((s.corpus, s.group.split("/", 1)[1]), s.group), FOLDS), s)
        for p in all_files
        for s in read_sides(p, 1.0)
    ]
    keys = [_key(t) for t in texts]
    recorded = {e[6] for r in rows for e in r["ev"] if e[0] == "e"}
    print(f"recorded texts not found among the corpora's messages: {len(recorded - set(keys))}")
    if any(variant_langs.chargram_languages(v.split(":")[0]) for v in variants):
        print(f"texts per identified language: {dict(variant_langs.load(all_files))}")
    for spec in variants:
        kind, c, mw, scaling, *rest = spec.split(":")
        OPTS["power"], OPTS["dense"] = float(rest[0]) if rest else 0.5, rest[1:] == ["dense"]
        xr, d, owner = _design(sides, texts, kind)
        raw, bias = {}, {}
        for fold in range(FOLDS):
            w, bias[fold] = _fit_fold(sides, d, owner, fold, float(c), float(mw), scaling)
            raw[fold] = dict(zip(keys, (xr @ w).tolist(), strict=True))
        prep = _prepare(rows, raw)
        pooled = {st: _summary(prep, bias, lambda _, st=st: st) for st in GRID}
        best = max(GRID, key=lambda st: _objective(pooled[st]))
        chosen = {
            k: max(
                GRID,
                key=lambda st: _objective(
                    _summary([p for p in prep if p[0]["fold"] != k], bias, lambda _, st=st: st)
                ),
            )
            for k in range(FOLDS)
        }
        print(f"== {spec}")
        print(f"  shipped (0.9, 6, -0.75) {_line(pooled[(0.9, 6, -0.75, 'A')])}")
        print(f"  pooled choice {best} {_line(pooled[best])}")
        print(
            f"  nested {_line(_summary(prep, bias, chosen.__getitem__))}"
            f" | chosen {list(chosen.values())}",
            flush=True,
        )


if __name__ == "__main__":
    if sys.argv[1] == "record":
        record(Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]])
    else:
        dirs = [Path(p) for p in sys.argv[3:] if ":" not in p]
        screen(Path(sys.argv[2]), dirs, [v for v in sys.argv[3:] if ":" in v])
