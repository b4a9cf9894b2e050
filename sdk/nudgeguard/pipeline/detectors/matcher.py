"""Compile many regular expressions into one fast matcher that returns spans.

The chosen design (see docs/detection.md for the measurements) is two-stage:

1. An Aho-Corasick automaton (pyahocorasick, C) over *anchor literals*: for every pattern
   the literal strings of which at least one must occur in any match are derived from the
   regex itself. One pass over the text finds which patterns can possibly match. The pass
   reads the text's *scan form* (every non-word character a space, a space at each end),
   so a literal that starts or ends a word carries that space: " yo " no longer fires
   inside every "you". Among a pattern's possible anchor sets the one least likely in
   ordinary chat is chosen, by a rough per-word estimate.
2. Only those candidate patterns run their own compiled regex, which yields the span.

Every regex runs on RE2 through :mod:`nudgeguard.pipeline.detectors.linear`, in time linear in the
text whatever the text (a pattern RE2 cannot run is refused when the matcher is built).

Typical chat messages hit no anchor or one, so the cost is one C scan plus zero or one regex
search. :class:`AlternationMatcher` (one big alternation with a named group per pattern) is
kept as the pure-Python fallback and as the baseline of the measurement. How anchors are
derived from a regex is :mod:`nudgeguard.pipeline.detectors.anchors`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from nudgeguard.pipeline.detectors.anchors import (
    PatternError,
    anchors,
    needs_digit,
    scan_anchors,
    scan_form,
)
from nudgeguard.pipeline.detectors.linear import LinearPattern, LinearPatternError, compile_linear

_WORD_LEFT = r"(?<![a-z0-9])"
_WORD_RIGHT = r"(?![a-z0-9])"


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled-to-be pattern.

    Attributes:
        key: What the pattern reports (a signal id).
        regex: Regular expression over normalised text (word boundaries are added).
        confidence: 0..1 confidence of a match.
        lang: Language of the pattern (see :mod:`nudgeguard.pipeline.language`); None for any.
    """

    key: str
    regex: str
    confidence: float = 1.0
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """A pattern that matched, with its span in the scanned text."""

    index: int
    start: int
    end: int


class Matcher(Protocol):
    """Finds which patterns match a text."""

    patterns: Sequence[Pattern]
    #: The word-bounded compiled form of each pattern, in the order of ``patterns``.
    regexes: Sequence[LinearPattern]

    def scan(self, text: str, digits: bool = True) -> list[Hit]:
        """Return one hit (the first match) per matching pattern.

        ``digits`` False says ``text`` has no digit: patterns that need one are left out.
        """
        ...


def wrap(regex: str) -> str:
    """Return ``regex`` bounded by word boundaries (letters and digits)."""
    return f"{_WORD_LEFT}(?:{regex}){_WORD_RIGHT}"


def linear(regex: str) -> LinearPattern:
    """Return ``regex`` word-bounded (like :func:`wrap`) and compiled to run in linear time.

    Raises:
        PatternError: The pattern cannot run on the linear-time engine.
    """
    try:
        return compile_linear(regex, bounded=True)
    except LinearPatternError as exc:
        raise PatternError(str(exc)) from None


_MACRO = re.compile(r"<([A-Z_]+)>")


def expand_macros(regex: str, macros: Mapping[str, str], where: str) -> str:
    """Return ``regex`` with each ``<NAME>`` replaced by its macro (macros may nest twice).

    Raises:
        PatternError: A macro is not defined (``where`` names the file section).
    """

    def sub(m: re.Match[str]) -> str:
        try:
            return macros[m.group(1)]
        except KeyError:
            raise PatternError(f"unknown macro <{m.group(1)}> in {where}") from None

    for _ in range(3):
        regex = _MACRO.sub(sub, regex)
    return regex


class AhoCorasickMatcher:
    """Anchor literals in one Aho-Corasick automaton, then the candidate regexes."""

    name = "aho-corasick+regex"

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        import ahocorasick

        self.patterns: Sequence[Pattern] = tuple(patterns)
        self.regexes: Sequence[LinearPattern] = [linear(p.regex) for p in self.patterns]
        by_anchor: dict[str, list[int]] = {}
        for i, p in enumerate(self.patterns):
            for a in scan_anchors(p.regex):
                by_anchor.setdefault(a, []).append(i)
        digit_only = {i for i, p in enumerate(self.patterns) if needs_digit(p.regex)}

        def automaton(leave_out: set[int]) -> Any:
            built = ahocorasick.Automaton()
            for a, idxs in by_anchor.items():
                kept = tuple(i for i in idxs if i not in leave_out)
                if kept:
                    built.add_word(a, kept)
            built.make_automaton()
            return built

        self._automaton = automaton(set())
        # For texts without a digit: the patterns that need one cannot match, and their
        # anchors ("you" for "14 and you?") would fire on ordinary chat for nothing.
        self._no_digits = automaton(digit_only) if digit_only else self._automaton

    def scan(self, text: str, digits: bool = True) -> list[Hit]:
        """Return one hit per matching pattern (``digits`` as in :meth:`Matcher.scan`)."""
        cands: set[int] | None = None
        for _, idxs in (self._automaton if digits else self._no_digits).iter(scan_form(text)):
            if cands is None:
                cands = set(idxs)
            else:
                cands.update(idxs)
        if cands is None:
            return []
        hits = []
        regexes = self.regexes
        for i in sorted(cands):
            m = regexes[i].search(text)
            if m is not None:
                hits.append(Hit(i, m.start(), m.end()))
        return hits


class AlternationMatcher:
    """One alternation of all patterns as a pre-check (pure Python fallback)."""

    name = "single-alternation"

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self.patterns: Sequence[Pattern] = tuple(patterns)
        for p in self.patterns:
            anchors(p.regex)  # validate like the other matchers
        joined = "|".join(f"(?:{p.regex})" for p in self.patterns)
        self._regex = linear(joined)
        self.regexes: Sequence[LinearPattern] = [linear(p.regex) for p in self.patterns]
        self._digit_only = {i for i, p in enumerate(self.patterns) if needs_digit(p.regex)}

    def scan(self, text: str, digits: bool = True) -> list[Hit]:
        """Return one hit per matching pattern (``digits`` as in :meth:`Matcher.scan`).

        The alternation answers "does anything match?"; only then is each pattern tried,
        because an alternation reports just the leftmost of overlapping matches.
        """
        if self._regex.search(text) is None:
            return []
        hits = []
        for i, regex in enumerate(self.regexes):
            if not digits and i in self._digit_only:
                continue
            m = regex.search(text)
            if m is not None:
                hits.append(Hit(i, m.start(), m.end()))
        return hits


def build_matcher(patterns: Sequence[Pattern], backend: str = "auto") -> Matcher:
    """Return the fastest available matcher (``auto``) or the named one."""
    if backend in ("auto", "aho-corasick"):
        try:
            return AhoCorasickMatcher(patterns)
        except ImportError:
            if backend != "auto":
                raise
    return AlternationMatcher(patterns)
