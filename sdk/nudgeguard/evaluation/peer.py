"""The TF-IDF peer of ``nudgeguard eval --peer tfidf``: a yardstick trained in the same run.

A TF-IDF (word 1-2 grams) + logistic regression classifier of whole conversations, fitted
on the ``--peer-train`` corpora with a fixed seed, then run over each evaluated
conversation as it unfolds: the text so far is scored every ``STEP`` messages up to
``DENSE`` messages, every ``SPARSE`` messages after that, and at the end; the first score
at or above 0.5 counts as a case at that message. It names no subject. Needs the ``train``
extra (scikit-learn).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nudgeguard.evaluation.replay import Outcome, corpus_name
from nudgeguard.local.transcript import Transcript, read_transcripts

NAME = "tfidf"
STEP = 5
DENSE = 200
SPARSE = 25
_BATCH = 16
SEED = 19


class PeerUnavailableError(RuntimeError):
    """scikit-learn is not installed."""


def _sklearn() -> tuple[Any, Any]:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise PeerUnavailableError(
            "--peer tfidf needs scikit-learn: pip install 'nudgeguard[train]'"
        ) from None
    return TfidfVectorizer, LogisticRegression


def _text(t: Transcript, upto: int | None = None) -> str:
    return "\n".join(m.text for m in t.messages[:upto])


class TfidfPeer:
    """A fitted TF-IDF + logistic regression conversation classifier."""

    def __init__(self, train: Sequence[Path]) -> None:
        vectorizer_cls, lr_cls = _sklearn()
        convs = [t for p in train for t in read_transcripts(p)]
        if len({t.label for t in convs}) < 2:
            raise ValueError("--peer-train needs both grooming and normal conversations")
        self.vectorizer = vectorizer_cls(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000
        )
        x = self.vectorizer.fit_transform([_text(t) for t in convs])
        y = [int(t.label == "grooming") for t in convs]
        self.model = lr_cls(C=10.0, class_weight="balanced", max_iter=1000, random_state=SEED)
        self.model.fit(x, y)
        self.trained_on = [corpus_name(p) for p in train]

    def first_alert(self, t: Transcript) -> int | None:
        """Return the message number at which the peer first scores 0.5 or more."""
        n = len(t.messages)
        points = [*range(STEP, min(n, DENSE + 1), STEP), *range(DENSE + SPARSE, n, SPARSE), n]
        points = sorted(set(points))
        for i in range(0, len(points), _BATCH):
            batch = points[i : i + _BATCH]
            x = self.vectorizer.transform([_text(t, k) for k in batch])
            for k, p in zip(batch, self.model.predict_proba(x)[:, 1], strict=True):
                if p >= 0.5:
                    return int(k)
        return None


def replay_peer(
    peer: TfidfPeer, paths: Sequence[Path], on_conversation: Callable[[], None] | None = None
) -> list[Outcome]:
    """Score every conversation of ``paths`` with the peer; return outcomes like the engine's."""
    outcomes = []
    for path in paths:
        name = corpus_name(path)
        for t in read_transcripts(path):
            out = Outcome(name, t.id, t.label, t.kind, messages=len(t.messages), lang=t.lang)
            at = peer.first_alert(t)
            if at is not None:
                out.escalated_at, out.cases = at, 1
            outcomes.append(out)
            if on_conversation is not None:
                on_conversation()
    return outcomes
