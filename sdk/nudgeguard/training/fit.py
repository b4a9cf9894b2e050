"""Fitting the learned scorer: hashed features, balanced weights, logistic regression.

Needs the ``train`` extra (scikit-learn, numpy); the runtime detector does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from nudgeguard.detectors.hashing import features
from nudgeguard.detectors.scorer_model import encode_model
from nudgeguard.training.data import Line

#: Defaults of the shipped model (docs/detection.md): 2**20 buckets, L2 with C = 0.5.
BITS = 20
C = 0.5
SEED = 19


def balanced_weights(lines: Sequence[Line]) -> np.ndarray:
    """Return a training weight per line.

    Each (corpus, label) cell of ``n`` lines carries a total weight of ``sqrt(n)`` (so a
    big source counts for more than a small one, but far less than its size), times its
    lines' own weight (below 1 for grooming segments whose suspect is not named); then
    positives and negatives are scaled to equal totals and the mean weight to 1. No single
    source, of chat or of stings, can stand for a class.
    """
    cells = Counter((ln.corpus, ln.label) for ln in lines)
    raw = np.array(
        [ln.weight / np.sqrt(cells[(ln.corpus, ln.label)]) for ln in lines], dtype=np.float64
    )
    labels = np.array([ln.label for ln in lines])
    for label in (0, 1):
        mask = labels == label
        total = raw[mask].sum()
        if total > 0:
            raw[mask] /= total
    out: np.ndarray = raw * (len(lines) / raw.sum())
    return out


def design_matrix(texts: Sequence[str], bits: int = BITS) -> csr_matrix:
    """Return the hashed feature matrix (counts per bucket) of normalised texts."""
    indptr = [0]
    indices: list[int] = []
    cache: dict[str, int] = {}
    for text in texts:
        indices.extend(f.bucket for f in features(text, bits, cache))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    matrix = csr_matrix((data, indices, indptr), shape=(len(texts), 1 << bits))
    matrix.sum_duplicates()
    return matrix


def fit(
    lines: Sequence[Line], *, bits: int = BITS, c: float = C, seed: int = SEED
) -> tuple[np.ndarray, float]:
    """Fit the logistic regression; return the weight per bucket and the intercept."""
    x = design_matrix([ln.text for ln in lines], bits)
    y = np.array([ln.label for ln in lines])
    model = LogisticRegression(C=c, max_iter=500, random_state=seed)
    model.fit(x, y, sample_weight=balanced_weights(lines))
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])


def model_bytes(weights: np.ndarray, bias: float, threshold: float, meta: dict[str, Any]) -> bytes:
    """Return the bytes of a model file (see :mod:`nudgeguard.detectors.scorer_model`)."""
    return encode_model([float(w) for w in weights], bias, threshold, meta)
