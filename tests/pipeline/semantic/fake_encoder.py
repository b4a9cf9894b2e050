"""A tiny deterministic sentence encoder for tests: hashed bag-of-words vectors.

Texts that share words point in similar directions, which is enough to exercise the
contrastive scoring and the risk bar without torch. It counts its calls so tests can check
how often the (in production costly) encoder runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

DIM = 512


class BagOfWordsEncoder:
    """Unit-length hashed word-count vectors."""

    def __init__(self) -> None:
        self.calls = 0
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=4).digest()
                out[row, int.from_bytes(digest, "big") % DIM] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out
