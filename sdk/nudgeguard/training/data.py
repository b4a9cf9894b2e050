"""Training lines for the learned scorer: who said what, labelled by behaviour.

A line is positive when its author is a known suspect (``truth: suspect`` in a grooming
transcript, or a suspect's line in ``suspect_lines_pj.jsonl``); the lines of the people they
talk to (decoys posing as children) are negatives, and so is every line of normal chat.
Grooming segments whose sources name no suspect (``truth`` ``other`` everywhere: the
external PAN12-derived and Portuguese sets) mix both sides; their lines count as positives
with a reduced weight (``mixed_weight``), or not at all when it is 0.

Every line keeps its conversation id as its group, so that cross-validation folds never
split a conversation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nudgeguard.text import normalize

#: Corpora that replay whole busy channels built from lines another corpus already holds.
REPLAY_ONLY = frozenset({"ext_normal_irc_ubuntu_channel"})


@dataclass(frozen=True, slots=True)
class Line:
    """One message as a training example (normalised text, never written anywhere)."""

    text: str
    label: int
    weight: float
    group: str
    corpus: str


def fold_of(conversation_id: str, folds: int) -> int:
    """Return the cross-validation fold of a conversation (a fixed hash of its id)."""
    return hashlib.sha256(conversation_id.encode("utf-8")).digest()[0] % folds


def corpus_files(dirs: list[Path]) -> list[Path]:
    """Return the JSONL corpora under ``dirs``, sorted by name within each directory."""
    return [p for d in dirs for p in sorted(d.glob("*.jsonl"))]


def read_lines(path: Path, mixed_weight: float = 0.5) -> Iterator[Line]:
    """Yield the labelled lines of one corpus file (see the module docstring)."""
    corpus = path.stem
    if corpus in REPLAY_ONLY:
        return
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            conv = json.loads(raw)
            group = f"{corpus}/{conv.get('id', '')}"
            if "suspect_lines" in conv:
                yield from _pair_lines(conv, group, corpus)
                continue
            yield from _transcript_lines(conv, group, corpus, mixed_weight)


def _pair_lines(conv: dict[str, Any], group: str, corpus: str) -> Iterator[Line]:
    for key, label in (("suspect_lines", 1), ("child_lines", 0)):
        for text in conv.get(key) or []:
            norm = normalize(str(text)).text
            if norm.strip():
                yield Line(norm, label, 1.0, group, corpus)


def _transcript_lines(
    conv: dict[str, Any], group: str, corpus: str, mixed_weight: float
) -> Iterator[Line]:
    people = conv.get("participants") or []
    suspects = {p["id"] for p in people if p.get("truth") == "suspect"}
    grooming = conv.get("label") == "grooming"
    for m in conv.get("messages") or []:
        norm = normalize(str(m.get("text") or "")).text
        if not norm.strip():
            continue
        if not grooming:
            yield Line(norm, 0, 1.0, group, corpus)
        elif suspects:
            yield Line(norm, int(m.get("author") in suspects), 1.0, group, corpus)
        elif mixed_weight > 0:
            yield Line(norm, 1, mixed_weight, group, corpus)
