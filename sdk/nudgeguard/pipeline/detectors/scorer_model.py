"""The learned scorer's weights: a compact file read with the standard library only.

Layout of a model file (the bundled ones are ``patterns/learned_scorer.bin``, which reads
one person's side, and ``patterns/learned_conversation.bin``, which reads both people's
lines together):

1. the magic line ``NGLS1``;
2. one line of JSON: ``bits`` (table size ``2**bits``), ``scale`` (weight of one unit),
   ``bias``, ``threshold`` (probability at which a message reports a signal) and
   ``meta`` (how it was trained: seed, regularisation, line counts; never text);
3. the zlib-compressed table of ``2**bits`` little-endian signed 16-bit weights.

A weight is ``table[bucket] * scale``; a message's probability is
``sigmoid(bias + sum of its features' weights)``.
"""

from __future__ import annotations

import json
import math
import sys
import zlib
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

MAGIC = b"NGLS1\n"
#: The bundled models: one person's side, and both people's lines together.
SIDE_FILE = "learned_scorer.bin"
CONVERSATION_FILE = "learned_conversation.bin"
_MAX_BITS = 24
_INT16 = 32767


class ModelError(ValueError):
    """A scorer model file is damaged or not a model file."""


@dataclass(frozen=True, slots=True)
class ScorerModel:
    """Logistic-regression weights over hashed n-gram buckets.

    Attributes:
        bits: The table has ``2**bits`` buckets.
        table: Quantised weight per bucket.
        scale: Weight of one quantisation unit.
        bias: Intercept.
        threshold: Probability from which a message reports a signal.
        meta: How the model was trained (no text).
    """

    bits: int
    table: array[int]
    scale: float
    bias: float
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    def probability(self, logit_units: int) -> float:
        """Return the probability for a sum of quantised weights."""
        z = self.bias + logit_units * self.scale
        if z < -40.0:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


def encode_model(
    weights: list[float], bias: float, threshold: float, meta: dict[str, Any]
) -> bytes:
    """Return the bytes of a model file for float ``weights`` (length a power of two)."""
    size = len(weights)
    bits = size.bit_length() - 1
    if size == 0 or 1 << bits != size or bits > _MAX_BITS:
        raise ModelError("the weight table must have 2**bits entries (bits <= 24)")
    top = max((abs(w) for w in weights), default=0.0) or 1.0
    scale = top / _INT16
    table = array("h", (round(w / scale) for w in weights))
    if sys.byteorder != "little":
        table.byteswap()
    header = {
        "bits": bits,
        "scale": scale,
        "bias": bias,
        "threshold": threshold,
        "meta": meta,
    }
    head = json.dumps(header, sort_keys=True).encode("utf-8") + b"\n"
    return MAGIC + head + zlib.compress(table.tobytes(), 9)


def decode_model(data: bytes) -> ScorerModel:
    """Parse the bytes of a model file.

    Raises:
        ModelError: Wrong magic, a bad header or a table of the wrong size.
    """
    if not data.startswith(MAGIC):
        raise ModelError("not a nudgeguard scorer model (bad magic)")
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        raise ModelError("scorer model: header line missing")
    try:
        head = json.loads(data[len(MAGIC) : end])
        bits, scale = int(head["bits"]), float(head["scale"])
        bias, threshold = float(head["bias"]), float(head["threshold"])
        meta = dict(head.get("meta") or {})
    except (ValueError, KeyError, TypeError):
        raise ModelError("scorer model: bad header") from None
    if not 0 < bits <= _MAX_BITS or not 0.0 < threshold < 1.0:
        raise ModelError("scorer model: bits or threshold out of range")
    if not (math.isfinite(scale) and math.isfinite(bias)):
        raise ModelError("scorer model: weights must be finite")
    try:
        raw = zlib.decompress(data[end + 1 :], bufsize=2 << bits)
    except zlib.error:
        raise ModelError("scorer model: weight table damaged") from None
    if len(raw) != 2 << bits:
        raise ModelError("scorer model: weight table has the wrong size")
    table = array("h")
    table.frombytes(raw)
    if sys.byteorder != "little":
        table.byteswap()
    return ScorerModel(bits, table, scale, bias, threshold, meta)


def load_model(path: str | Path | None = None, bundled: str = SIDE_FILE) -> ScorerModel:
    """Load the model file at ``path``, or the bundled model named ``bundled``."""
    if path is None:
        return _bundled(bundled)
    return decode_model(Path(path).read_bytes())


@lru_cache(maxsize=2)
def _bundled(name: str) -> ScorerModel:
    """A bundled model, read once per process (it is read-only)."""
    return decode_model(resources.files("nudgeguard.patterns").joinpath(name).read_bytes())
