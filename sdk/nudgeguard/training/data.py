"""Training examples for the learned scorer: one side of a conversation, labelled by behaviour.

A side is everything one person said in one conversation, in order. It is positive when
its author is a known suspect (``truth: suspect`` in a grooming transcript, or the suspect
lines of ``suspect_lines_pj.jsonl``); the sides of the people they talk to (decoys posing
as children) are negatives, and so is every side of normal chat. Grooming segments whose
sources name no suspect (``truth`` ``other`` everywhere: the external PAN12-derived and
Portuguese sets, where the speakers were assigned in turn) mix both people on each side;
those sides count as positives with a reduced weight (``mixed_weight``), or not at all when
it is 0.

Every side keeps its conversation id as its group, so that cross-validation folds never
split a conversation.

The conversation model's examples (:func:`read_conversations`) are whole conversations
instead: every speaker's lines together, positive for grooming and negative for normal
chat, and every grooming transcript that names its suspects once more with the suspect's
lines removed (the child's side alone), as a negative.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nudgeguard.pipeline.detectors.hashing import has_words
from nudgeguard.pipeline.text import normalize

#: Corpora that replay whole busy channels built from lines another corpus already holds.
REPLAY_ONLY = frozenset({"ext_normal_irc_ubuntu_channel"})
#: The corpus of suspect and child lines cut from transcripts (pairs, not conversations).
PAIR_LINES = "suspect_lines_pj"


def _checkout() -> Path:
    """Return the checkout that training reads its own data from.

    The package's own checkout (an editable install), else the working folder (a wheel
    install run from a checkout, as CI and the documented commands do).
    """
    for root in (Path(__file__).resolve().parents[3], Path.cwd().resolve()):
        if (root / "training" / "normal_chat").is_dir():
            return root
    return Path.cwd().resolve()


_ROOT = _checkout()
#: The team's own ordinary chat in six languages (training/normal_chat/README.md), trained
#: on as extra negatives by default. It lives outside the package: a wheel has no copy.
TEAM_CHAT = _ROOT / "training" / "normal_chat"
#: Corpus names of the team's chat start with this (``team_normal_pt`` ...).
TEAM_PREFIX = "team_normal_"
#: The benign regression set: it judges the scorer, so it is never trained on.
REGRESSION_DATA = _ROOT / "tests" / "evaluation" / "data"


@dataclass(frozen=True, slots=True)
class Side:
    """One person's messages in one conversation (normalised texts, never written anywhere).

    Attributes:
        texts: The messages, in order (normalised; those without a word left out, as at
            run time).
        label: 1 for a suspect's side (or a mixed grooming side), else 0.
        weight: The side's own weight (``mixed_weight`` for a mixed side, else 1).
        group: ``corpus/conversation id``.
        corpus: The corpus file's stem.
        role: ``suspect``, ``child`` (the person a suspect talks to), ``mixed`` or ``normal``;
            for :func:`read_conversations`, ``conversation`` or ``alone``.
    """

    texts: tuple[str, ...]
    label: int
    weight: float
    group: str
    corpus: str
    role: str


def fold_of(conversation_id: str, folds: int) -> int:
    """Return the cross-validation fold of a conversation (a fixed hash of its id)."""
    return hashlib.sha256(conversation_id.encode("utf-8")).digest()[0] % folds


def corpus_files(dirs: list[Path]) -> list[Path]:
    """Return the JSONL corpora under ``dirs``, sorted by name within each directory.

    Raises:
        ValueError: A directory is, or lies inside, the regression set (never trained on).
    """
    for d in dirs:
        if d.resolve().is_relative_to(REGRESSION_DATA):
            raise ValueError(f"{d} holds regression sets, which are never trained on")
    return [p for d in dirs for p in sorted(d.glob("*.jsonl"))]


def read_sides(path: Path, mixed_weight: float = 0.5) -> Iterator[Side]:
    """Yield the labelled sides of one corpus file (see the module docstring)."""
    corpus = path.stem
    if corpus in REPLAY_ONLY:
        return
    for conv in _records(path):
        group = f"{corpus}/{conv.get('id', '')}"
        if "suspect_lines" in conv:
            yield from _pair_sides(conv, group, corpus)
        else:
            yield from _transcript_sides(conv, group, corpus, mixed_weight)


def read_conversations(path: Path) -> Iterator[Side]:
    """Yield one example per conversation of one corpus file, every speaker's lines together.

    A conversation is positive when it is labelled grooming, else negative. A grooming
    transcript that names its suspects (``truth: suspect``) is also yielded with every
    suspect line removed (the child's side alone) as a negative, in a cell of its own
    (corpus ``<corpus>#alone``, role ``alone``). Both keep the conversation's group
    (``corpus/conversation id``), so they fall in its cross-validation fold. The replayed
    busy channels and the pair lines of ``suspect_lines_pj.jsonl`` are not conversations
    and yield nothing.
    """
    corpus = path.stem
    if corpus in REPLAY_ONLY or corpus == PAIR_LINES:
        return
    for conv in _records(path):
        if "suspect_lines" in conv:
            continue
        group = f"{corpus}/{conv.get('id', '')}"
        messages = conv.get("messages") or []
        grooming = conv.get("label") == "grooming"
        texts = _texts([m.get("text") or "" for m in messages])
        if texts:
            yield Side(texts, int(grooming), 1.0, group, corpus, "conversation")
        people = conv.get("participants") or []
        suspects = {p["id"] for p in people if p.get("truth") == "suspect"}
        if not (grooming and suspects):
            continue
        alone = _texts(
            [m.get("text") or "" for m in messages if str(m.get("author")) not in suspects]
        )
        if alone:
            yield Side(alone, 0, 1.0, group, f"{corpus}#alone", "alone")


def grooming_languages(files: list[Path]) -> list[str]:
    """Return the languages (a record's ``lang``, English when absent) grooming is seen in.

    A model reads only these (see :mod:`nudgeguard.pipeline.detectors.learned`): in a
    language with ordinary chat alone, it learned that the language reads as ordinary.
    """
    found: set[str] = set()
    for path in files:
        if path.stem in REPLAY_ONLY:
            continue
        for conv in _records(path):
            if "suspect_lines" in conv or conv.get("label") == "grooming":
                found.add(str(conv.get("lang") or "en"))
    return sorted(found)


def _records(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON records of a JSON Lines corpus file (blank lines skipped)."""
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            if raw.strip():
                yield json.loads(raw)


def _texts(raw: list[Any]) -> tuple[str, ...]:
    return tuple(t for t in (normalize(str(x)).text for x in raw) if has_words(t))


def _pair_sides(conv: dict[str, Any], group: str, corpus: str) -> Iterator[Side]:
    for key, label, role in (("suspect_lines", 1, "suspect"), ("child_lines", 0, "child")):
        texts = _texts(conv.get(key) or [])
        if texts:
            yield Side(texts, label, 1.0, group, corpus, role)


def _transcript_sides(
    conv: dict[str, Any], group: str, corpus: str, mixed_weight: float
) -> Iterator[Side]:
    people = conv.get("participants") or []
    suspects = {p["id"] for p in people if p.get("truth") == "suspect"}
    grooming = conv.get("label") == "grooming"
    said: dict[str, list[Any]] = {}
    for m in conv.get("messages") or []:
        said.setdefault(str(m.get("author")), []).append(m.get("text") or "")
    for author, raw in said.items():
        texts = _texts(raw)
        if not texts:
            continue
        if not grooming:
            yield Side(texts, 0, 1.0, group, corpus, "normal")
        elif suspects:
            bad = author in suspects
            yield Side(texts, int(bad), 1.0, group, corpus, "suspect" if bad else "child")
        elif mixed_weight > 0:
            yield Side(texts, 1, mixed_weight, group, corpus, "mixed")
