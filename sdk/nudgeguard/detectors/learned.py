"""The learned scorer: a per-message probability that the author is grooming the addressee.

A logistic regression over hashed word unigrams and bigrams (:mod:`.hashing`), trained on
the lines of suspects against the lines of their targets (decoys posing as children) and of
ordinary chat from several sources (``python -m nudgeguard.training``, see
docs/detection.md). It reads only the message, so it says nothing on its own about who the
message is for: its score becomes one signal, ``learned_grooming``, about the author towards
the person addressed, and the risk tracker adds it up per pair with the lexicon's signals,
the stages and the age factors. The signal explains itself: ``features`` names the n-grams
of this message that weighed most, and ``span`` is where the strongest one sits.

Pure Python on the standard library: the weights load in milliseconds, and scoring a
message is one regular-expression scan and one table lookup per n-gram.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nudgeguard.cache import BoundedCache
from nudgeguard.detectors.hashing import Feature, buckets, features
from nudgeguard.detectors.scorer_model import ScorerModel, load_model
from nudgeguard.events import MessageEvent
from nudgeguard.signals import Signal
from nudgeguard.text import CACHE_MAX_CHARS, CACHE_SIZE, NormalizedText

NAME = "learned"
SIGNAL = "learned_grooming"
#: How many n-grams an explanation names.
TOP_FEATURES = 3
_TOKEN_CACHE = 50_000


class LearnedDetector:
    """Reports ``learned_grooming`` when the scorer's probability reaches its threshold.

    Args:
        model: The weights; the bundled model if omitted.
        path: A model file to load instead of the bundled one.
        threshold: Overrides the model's threshold.
    """

    name = NAME

    def __init__(
        self,
        model: ScorerModel | None = None,
        *,
        path: str | Path | None = None,
        threshold: float | None = None,
    ) -> None:
        self.model = model if model is not None else load_model(path)
        self.threshold = self.model.threshold if threshold is None else threshold
        if not 0.0 < self.threshold < 1.0:
            raise ValueError("the learned scorer's threshold must be in (0, 1)")
        self._weights = self.model.table
        self._bits = self.model.bits
        self._tokens: dict[str, int] = {}
        self._cache: BoundedCache[str, tuple[Signal, ...]] = BoundedCache(CACHE_SIZE)

    def probability(self, text: str) -> float:
        """Return the scorer's probability for a normalised text."""
        w = self._weights
        return self.model.probability(sum([w[b] for b in self._buckets(text)]))

    def explain(self, text: str, top: int = TOP_FEATURES) -> list[tuple[str, float]]:
        """Return the n-grams of ``text`` that raise its score most, with their weights."""
        w, scale = self._weights, self.model.scale
        best: dict[str, float] = {}
        for f in self._features(text):
            gram = text[f.start : f.end]
            best[gram] = w[f.bucket] * scale
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        return [(g, round(v, 3)) for g, v in ranked[:top] if v > 0]

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        """Return the learned signal for one message, or nothing (cached for short texts)."""
        key = text.text
        if len(key) > CACHE_MAX_CHARS:
            return list(self._detect(key))
        hit = self._cache.get(key)
        if hit is None:
            hit = self._detect(key)
            self._cache.put(key, hit)
        return list(hit) if hit else []

    def _buckets(self, text: str) -> list[int]:
        if len(self._tokens) > _TOKEN_CACHE:
            self._tokens.clear()
        return buckets(text, self._bits, self._tokens)

    def _features(self, text: str) -> list[Feature]:
        if len(self._tokens) > _TOKEN_CACHE:
            self._tokens.clear()
        return features(text, self._bits, self._tokens)

    def _detect(self, text: str) -> tuple[Signal, ...]:
        found = self._buckets(text)
        if not found:
            return ()
        w = self._weights
        p = self.model.probability(sum([w[b] for b in found]))
        if p < self.threshold:
            return ()
        feats = self._features(text)
        strongest = max(feats, key=lambda f: w[f.bucket])
        named = tuple(g for g, _ in self.explain(text))
        return (
            Signal(
                SIGNAL,
                (strongest.start, strongest.end),
                round(p, 3),
                NAME,
                features=named,
            ),
        )
