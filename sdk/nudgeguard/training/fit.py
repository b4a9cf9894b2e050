"""Fitting the learned scorer: sides and their prefixes, balanced weights, logistic regression.

A side of ``n`` messages is an example several times over: its first 1, 2, 4, 8 ...
messages and all ``n`` of them, each as the summed hashed n-gram counts of those messages
divided by the square root of their number. That is exactly what a pair's running score
computes at run time after as many messages (:mod:`nudgeguard.pipeline.detectors.learned`), so the
model learns to judge a conversation early as well as whole.

Needs the ``train`` extra (scikit-learn, numpy, scipy); the runtime detector does not.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from nudgeguard.pipeline.detectors.hashing import features
from nudgeguard.pipeline.detectors.scorer_model import encode_model
from nudgeguard.training.data import Side

#: Defaults of the shipped model (docs/detection.md): 2**20 buckets, L2 with C = 0.5.
BITS = 20
C = 0.5
SEED = 19


def prefix_lengths(n: int) -> list[int]:
    """Return the prefix lengths a side of ``n`` messages is trained at: 1, 2, 4 ... and n."""
    out, k = [], 1
    while k < n:
        out.append(k)
        k *= 2
    out.append(n)
    return out


def balanced_weights(sides: Sequence[Side]) -> np.ndarray:
    """Return a training weight per prefix example (in :func:`design_matrix`'s order).

    Each (corpus, label) cell of ``n`` sides carries a total weight of ``sqrt(n)`` (so a
    big source counts for more than a small one, but far less than its size), times its
    sides' own weight (below 1 for grooming segments whose suspect is not named), shared
    equally among a side's prefixes; then positives and negatives are scaled to equal
    totals and the mean weight to 1. No single source, of chat or of stings, can stand for
    a class, and a long side counts as much as a short one.
    """
    cells = Counter((s.corpus, s.label) for s in sides)
    raw: list[float] = []
    labels: list[int] = []
    for s in sides:
        ks = prefix_lengths(len(s.texts))
        each = s.weight / math.sqrt(cells[(s.corpus, s.label)]) / len(ks)
        raw += [each] * len(ks)
        labels += [s.label] * len(ks)
    w = np.array(raw, dtype=np.float64)
    y = np.array(labels)
    for label in (0, 1):
        mask = y == label
        total = w[mask].sum()
        if total > 0:
            w[mask] /= total
    out: np.ndarray = w * (len(w) / w.sum())
    return out


def design_matrix(sides: Sequence[Side], bits: int = BITS) -> tuple[csr_matrix, np.ndarray]:
    """Return the prefix examples of ``sides`` (rows) over hashed buckets, and their labels."""
    cache: dict[str, int] = {}
    indptr: list[int] = [0]
    indices: list[int] = []
    for s in sides:
        for text in s.texts:
            indices.extend(f.bucket for f in features(text, bits, cache))
            indptr.append(len(indices))
    lines = csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(indptr) - 1, 1 << bits))
    lines.sum_duplicates()
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    labels: list[int] = []
    first = 0
    for s in sides:
        for k in prefix_lengths(len(s.texts)):
            rows += [len(labels)] * k
            cols += range(first, first + k)
            vals += [1.0 / math.sqrt(k)] * k
            labels.append(s.label)
        first += len(s.texts)
    prefixes = csr_matrix((vals, (rows, cols)), shape=(len(labels), lines.shape[0]))
    return (prefixes @ lines).tocsr(), np.array(labels)


def fit(
    sides: Sequence[Side], *, bits: int = BITS, c: float = C, seed: int = SEED
) -> tuple[np.ndarray, float]:
    """Fit the logistic regression; return the weight per bucket and the intercept."""
    x, y = design_matrix(sides, bits)
    model = LogisticRegression(C=c, max_iter=500, random_state=seed)
    model.fit(x, y, sample_weight=balanced_weights(sides))
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])


def model_bytes(weights: np.ndarray, bias: float, threshold: float, meta: dict[str, Any]) -> bytes:
    """Return the bytes of a model file (see :mod:`nudgeguard.pipeline.detectors.scorer_model`)."""
    return encode_model([float(w) for w in weights], bias, threshold, meta)
