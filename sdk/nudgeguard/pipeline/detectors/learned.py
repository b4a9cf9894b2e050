"""The learned scorer: how much a pair's side of a conversation, so far, reads like a suspect's.

A logistic regression over hashed word unigrams and bigrams (:mod:`.hashing`), trained on
whole conversations and their prefixes, one side at a time: everything one person said,
as suspects' sides against the sides of their targets (decoys posing as children) and of
ordinary chat from several sources (``python -m nudgeguard.training``, see
docs/detection.md). For a side of ``n`` messages with summed n-gram counts ``x`` the
model's logit is ``bias + w . x / sqrt(n)``; since ``w . x`` is the sum of each message's
own ``w . x_m``, a pair keeps a running sum and a message count (two numbers, O(1) bytes
per pair) and never its text.

Two steps, so that the detector stays stateless:

1. :meth:`LearnedDetector.detect` reports, for every message with a word, one evidence
   signal (``learned_grooming`` with ``logit``: the message's contribution in units of the
   model's margin, ``w . x_m / (logit(threshold) - bias)``). When the message pushes
   towards grooming it is an :class:`Evidence`, which names the n-grams that weighed most
   when asked (:func:`explanation`): ranking them costs more than scoring the message, and
   only a message that counts for its pair needs them.
2. The engine takes the evidence out of the message's signals and folds it into the pair
   (:func:`fold_evidence`): ``sum / sqrt(n) >= 1`` is the model's threshold. From
   :data:`MIN_LINES` messages on, each message that pushes a pair past it counts as a
   ``learned_grooming`` signal of that pair, with the message's strongest n-grams as its
   explanation.

A second model of the same shape, the conversation model, reads both people's lines
together: it was trained on whole conversations (grooming ones against ordinary ones and
against grooming chats with the suspect's lines taken out, so that a child's or a decoy's
lines alone never read as grooming). Each pair keeps its sum too, and the conversation
of two people is the sum of both directions over their lines together. When that passes
the conversation model's threshold (:func:`conversation_signal`), the message counts as
``learned_conversation``, but only for an author whose own side reads at least as much
like a suspect's as the other person's: the conversation model says what the chat is, the
side scores say who it is about. It finds grooming where one side alone says too little
(the two people's lines are short, or both read a little like grooming).

A model reads only the languages it saw grooming in (``languages`` in its training
metadata): trained with ordinary chat alone in a language, it learned that the language
itself reads as ordinary. A message whose words vote clearly for another language
(:func:`~nudgeguard.pipeline.language.voted`) gives no evidence, so it neither adds to a
pair's running score nor counts as a line read, and the policy's learned floor
(``min_learned_score``) does not hold back the lexicon's rules there.

Pure Python on the standard library: the weights load in milliseconds, and scoring a
message is one regular-expression scan and one table lookup per n-gram.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from nudgeguard.cache import BoundedCache
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.pipeline.detectors.hashing import Feature, features, tokens, word_buckets
from nudgeguard.pipeline.detectors.scorer_model import CONVERSATION_FILE, ScorerModel, load_model
from nudgeguard.pipeline.language import LANGUAGES, vote_words, voted
from nudgeguard.pipeline.signals import Signal
from nudgeguard.pipeline.text import CACHE_MAX_CHARS, CACHE_SIZE, NormalizedText, normalize
from nudgeguard.state.store import PairState

NAME = "learned"
SIGNAL = "learned_grooming"
CONVERSATION_SIGNAL = "learned_conversation"
#: How many n-grams an explanation names.
TOP_FEATURES = 3
#: A pair's running score counts only from this many of its messages with words on (one
#: or two lines say too little about a conversation; measured in docs/detection.md).
MIN_LINES = 6
#: The conversation model counts from this many lines of the two people together.
CONVERSATION_MIN_LINES = 10
#: ... and only for an author whose own side score is at least this (1.0 is its threshold).
CONVERSATION_FLOOR = 0.25
_TOKEN_CACHE = 50_000

Explanation = tuple[tuple[int, int], tuple[str, ...]]
"""Where in the normalised text, and which n-grams, weighed most (strongest first)."""


@dataclass(frozen=True, slots=True)
class Evidence(Signal):
    """A message's evidence that pushes towards grooming, explained only when asked.

    Attributes:
        explain: Returns the message's :data:`Explanation` (see :func:`explanation`); its
            argument says which model's weights rank the n-grams (True: the conversation
            model's).
    """

    explain: Callable[[bool], Explanation] | None = field(default=None, compare=False, repr=False)


def explanation(evidence: Signal, together: bool = False) -> Explanation:
    """Return the span and the n-grams that weighed most in one message's evidence.

    Args:
        evidence: The message's evidence.
        together: Rank by the conversation model's weights, not the side model's.
    """
    if isinstance(evidence, Evidence) and evidence.explain is not None:
        return evidence.explain(together)
    return evidence.span, evidence.features


class LearnedDetector:
    """Reports each message's evidence for the pair's running learned score.

    Args:
        model: The weights; the bundled model if omitted.
        path: A model file to load instead of the bundled one.
        threshold: Overrides the model's threshold (a probability of the running score).
        conversation: The conversation model. Omitted, it is the bundled one when the side
            model is, and none (no ``learned_conversation``) when a side model is given.
    """

    name = NAME
    #: Its evidence only ever counts towards the pair a message is aimed at, so the engine
    #: does not run it on messages aimed at nobody (see :meth:`nudgeguard.engine.Engine.detect`).
    pair_evidence = True

    def __init__(
        self,
        model: ScorerModel | None = None,
        *,
        path: str | Path | None = None,
        threshold: float | None = None,
        conversation: ScorerModel | None = None,
    ) -> None:
        if conversation is None and model is None and path is None:
            conversation = load_model(bundled=CONVERSATION_FILE)
        self.model = model if model is not None else load_model(path)
        self.conversation = conversation
        self.threshold = self.model.threshold if threshold is None else threshold
        if not 0.0 < self.threshold < 1.0:
            raise ValueError("the learned scorer's threshold must be in (0, 1)")
        margin = math.log(self.threshold / (1.0 - self.threshold)) - self.model.bias
        if margin <= 0:
            raise ValueError("the learned scorer's threshold must lie above sigmoid(bias)")
        self._weights = self.model.table
        self._bits = self.model.bits
        # One quantised unit of weight, in units of the margin.
        self._unit = self.model.scale / margin
        self._together: Sequence[int] = ()
        self._together_unit = 0.0
        if conversation is not None:
            if conversation.bits != self._bits:
                raise ValueError("the conversation model must have the side model's buckets")
            p = conversation.threshold
            wide = math.log(p / (1.0 - p)) - conversation.bias
            if wide <= 0:
                raise ValueError("the conversation model's threshold must lie above sigmoid(bias)")
            self._together, self._together_unit = conversation.table, conversation.scale / wide
        self._tokens: dict[str, int] = {}
        self._cache: BoundedCache[str, tuple[Signal, ...]] = BoundedCache(CACHE_SIZE)
        #: The languages the model saw grooming in; empty when its metadata does not say.
        self.languages = frozenset(self.model.meta.get("languages") or ())
        self._foreign = _foreign_tokens(self.languages)

    def evidence(self, text: str) -> float:
        """Return a normalised text's contribution to a running score, in margin units."""
        w = self._weights
        return sum([w[b] for b in self._buckets(text)]) * self._unit

    def probability(self, texts: Sequence[str]) -> float:
        """Return the model's probability for one side of a conversation (its messages)."""
        w, total, lines = self._weights, 0, 0
        for text in texts:
            found = self._buckets(text)
            if found:
                total += sum([w[b] for b in found])
                lines += 1
        if not lines:
            return self.model.probability(0)
        return self.model.probability(round(total / math.sqrt(lines)))

    def explain(self, text: str, top: int = TOP_FEATURES) -> list[tuple[str, float]]:
        """Return the n-grams of ``text`` that raise its score most, with their weights."""
        ranked = _ranked(text, self._features(text), self._weights, self.model.scale, top)
        return [(g, v) for g, v, _ in ranked]

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        """Return the evidence signal of one message (cached for short texts)."""
        key = text.text
        if len(key) > CACHE_MAX_CHARS:
            return list(self._read(key, text.raw))
        hit = self._cache.get(key)
        if hit is None:
            hit = self._read(key, text.raw)
            self._cache.put(key, hit)
        return list(hit) if hit else []

    def _read(self, text: str, raw: str) -> tuple[Signal, ...]:
        """Score a message unless its words vote for a language the model cannot read.

        The vote runs only on a message with a token that some word voting for such a
        language normalises to (most messages have none, and the vote costs more than the
        rest of the scoring).
        """
        words = tokens(text)
        if not self._foreign.isdisjoint(words):
            lang = voted(raw)
            if lang is not None and lang not in self.languages:
                return ()
        return self._detect(text, words)

    def _buckets(self, text: str, words: list[str] | None = None) -> list[int]:
        if len(self._tokens) > _TOKEN_CACHE:
            self._tokens.clear()
        return word_buckets(tokens(text) if words is None else words, self._bits, self._tokens)

    def _features(self, text: str) -> list[Feature]:
        if len(self._tokens) > _TOKEN_CACHE:
            self._tokens.clear()
        return features(text, self._bits, self._tokens)

    def _detect(self, text: str, words: list[str]) -> tuple[Signal, ...]:
        found = self._buckets(text, words)
        if not found:
            return ()
        w = self._weights
        units = sum([w[b] for b in found])
        logit = units * self._unit
        t = self._together
        together = sum([t[b] for b in found]) * self._together_unit if t else 0.0
        # Confidence: this message alone as a side (never 0, a signal's confidence is > 0).
        confidence = max(0.001, round(self.model.probability(units), 3))
        if units <= 0 and together <= 0:
            return (
                Signal(SIGNAL, (0, 0), confidence, NAME, logit=logit, conversation_logit=together),
            )
        explain = partial(self._explain, text)
        return (
            Evidence(
                SIGNAL,
                (0, 0),
                confidence,
                NAME,
                logit=logit,
                conversation_logit=together,
                explain=explain,
            ),
        )

    def _explain(self, text: str, together: bool = False) -> Explanation:
        weights: Sequence[int] = self._weights
        scale = self.model.scale
        if together and self.conversation is not None:
            weights, scale = self._together, self.conversation.scale
        ranked = _ranked(text, self._features(text), weights, scale, TOP_FEATURES)
        return (ranked[0][2] if ranked else (0, 0)), tuple(g for g, _, _ in ranked)


def _foreign_tokens(languages: frozenset[str]) -> frozenset[str]:
    """Return the normalised tokens of the words that vote for a language outside ``languages``.

    Empty when the model's metadata names no languages (it then reads every message).
    """
    if not languages:
        return frozenset()
    out: set[str] = set()
    for word in vote_words(set(LANGUAGES) - languages):
        # Normalisation maps a word alone ("photo" to "pic") but may leave it as it is
        # when punctuation clings to it ("photo?"): both forms.
        out.add(word)
        out.update(tokens(normalize(word).text))
    return frozenset(out)


def _ranked(
    text: str, feats: list[Feature], w: Sequence[int], scale: float, top: int
) -> list[tuple[str, float, tuple[int, int]]]:
    """Return the ``top`` n-grams with a positive weight, strongest first, with their spans."""
    best: dict[str, tuple[float, tuple[int, int]]] = {}
    for f in feats:
        best[text[f.start : f.end]] = (w[f.bucket] * scale, (f.start, f.end))
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:top]
    return [(g, round(v, 3), span) for g, (v, span) in ranked if v > 0]


def split_evidence(signals: list[Signal]) -> tuple[Signal | None, list[Signal]]:
    """Take the learned evidence out of one message's detected signals.

    Every ``learned_grooming`` signal a detector reports is evidence for the pair's running
    score, not a signal of its own (:func:`fold_evidence` decides whether it counts).
    Returns the evidence (the last one, if several) and the other signals.
    """
    if len(signals) == 1:
        only = signals[0]
        return (only, []) if only.id == SIGNAL else (None, signals)
    evidence: Signal | None = None
    rest: list[Signal] = []
    for signal in signals:
        if signal.id == SIGNAL:
            evidence = signal
        else:
            rest.append(signal)
    return evidence, rest


def fold_evidence(pair: PairState, evidence: Signal) -> Signal | None:
    """Add one message's evidence to its pair; return the signal to count, if any.

    The pair's running score is ``learned_sum / sqrt(learned_lines)`` in units of the
    model's margin (1.0 is the model's threshold). A message counts as ``learned_grooming``
    (confidence 1, its strongest n-grams as features) when it pushes towards grooming and
    the pair, after :data:`MIN_LINES` messages, is at or past the threshold.
    """
    pair.learned_sum += evidence.logit
    pair.conversation_sum += evidence.conversation_logit
    pair.learned_lines += 1
    if evidence.logit <= 0 or pair.learned_lines < MIN_LINES:
        return None
    if pair.learned_sum < math.sqrt(pair.learned_lines):
        return None
    span, features = explanation(evidence)
    return Signal(SIGNAL, span, 1.0, NAME, features=features)


def may_count_conversation(pair: PairState, evidence: Signal) -> bool:
    """Whether a message can count for the conversation, before the reverse pair is read.

    It must push the conversation towards grooming, and its author's own side must lean
    towards a suspect's (:data:`CONVERSATION_FLOOR`): most messages fail here, so the
    reverse pair is read for few of them. Call after :func:`fold_evidence`.
    """
    return evidence.conversation_logit > 0 and running_score(pair) >= CONVERSATION_FLOOR


def conversation_signal(pair: PairState, reverse: PairState, evidence: Signal) -> Signal | None:
    """Return ``learned_conversation`` if this message takes its two people's chat past.

    Call after :func:`fold_evidence` (``pair`` already holds the message); it holds only
    where :func:`may_count_conversation` does.
    The two people's lines are read together, ``(c_ab + c_ba) / sqrt(n_ab + n_ba)`` in
    units of the conversation model's margin, from :data:`CONVERSATION_MIN_LINES` lines on.
    The author must be the one whose side reads more like a suspect's (or the only one
    who has spoken), and lean towards one: the signal is about them, and never about the
    person they talk to.

    Args:
        pair: The author's pair towards the person addressed.
        reverse: That person's pair towards the author (empty if they never answered).
        evidence: The message's evidence.
    """
    if not may_count_conversation(pair, evidence):
        return None
    lines = pair.learned_lines + reverse.learned_lines
    if lines < CONVERSATION_MIN_LINES:
        return None
    if pair.conversation_sum + reverse.conversation_sum < math.sqrt(lines):
        return None
    if reverse.learned_lines and running_score(pair) < running_score(reverse):
        return None
    span, features = explanation(evidence, together=True)
    return Signal(CONVERSATION_SIGNAL, span, 1.0, NAME, features=features)


def running_score(pair: PairState) -> float:
    """Return a pair's running learned score in units of the threshold (0 without lines)."""
    if not pair.learned_lines:
        return 0.0
    return pair.learned_sum / math.sqrt(pair.learned_lines)
