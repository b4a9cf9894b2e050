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

Every regex runs on RE2 through :mod:`nudgeguard.detectors.linear`, in time linear in the
text whatever the text (a pattern RE2 cannot run is refused when the matcher is built).

Typical chat messages hit no anchor or one, so the cost is one C scan plus zero or one regex
search. :class:`AlternationMatcher` (one big alternation with a named group per pattern) is
kept as the pure-Python fallback and as the baseline of the measurement.
"""

from __future__ import annotations

import re
import re._constants as _sre_c  # type: ignore[import-not-found]
import re._parser as _sre_p  # type: ignore[import-not-found]
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from nudgeguard.detectors.linear import LinearPattern, LinearPatternError, compile_linear

_WORD_LEFT = r"(?<![a-z0-9])"
_WORD_RIGHT = r"(?![a-z0-9])"
MIN_ANCHOR = 2


class PatternError(ValueError):
    """A pattern in the data files is invalid (message names the pattern, not any chat)."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled-to-be pattern.

    Attributes:
        key: What the pattern reports (a signal id).
        regex: Regular expression over normalised text (word boundaries are added).
        confidence: 0..1 confidence of a match.
        lang: Language of the pattern (see :mod:`nudgeguard.language`); None for any.
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

    def scan(self, text: str) -> list[Hit]:
        """Return one hit (the first match) per matching pattern."""
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


# Words so common in chat that an anchor made of them alone would fire on most messages.
_COMMON = frozenset(
    """a i u im to on in it is at of or be me my we he do go so no up an as by if the you
    your are and for not can get got did was this that have has what with will just like
    dont know about there they them then when how who why all out one see now ill its let
    want need way say said make made good nice fine great well time day year years back
    come came give take call talk tell think look love home work thing things people some
    any more much very really too also here where our his her him she their than could
    would should only still even new old man men lot little big first last next right
    pay send top line phone number bed body street nothing something going doing""".split()  # noqa: SIM905
)
_CAP = 3000
_EMPTY = frozenset([""])


def _word_chance(word: str) -> float:
    return 0.3 if word in _COMMON or len(word) < 3 else min(0.3, 4.0 / (len(word) ** 2 + 1))


def _string_chance(s: str) -> float:
    """Estimated chance that ``s`` occurs in a message's scan form.

    A word at an end without a space may be the tail or head of a longer word ("id" in
    "did"), so it counts as more likely.
    """
    words = s.split()
    if not words:
        return 1.0
    chance = 1.0
    for w in words:
        chance *= _word_chance(w)
    if not s.startswith(" "):
        chance = min(1.0, chance * 3)
    if not s.endswith(" "):
        chance = min(1.0, chance * 3)
    return chance


def _slot_cost(strings: frozenset[str]) -> float:
    """Estimated chance that one of ``strings`` occurs in a message (at most 1)."""
    return sum(_string_chance(s) for s in strings)


def _finite(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
    """The strings ``items`` can match, when that is a small finite set."""
    out = frozenset([""])
    for op, av in items:
        if op is _sre_c.AT:
            continue
        if op is _sre_c.LITERAL:
            part: frozenset[str] | None = frozenset([chr(av)])
        elif op is _sre_c.SUBPATTERN:
            part = _finite(av[-1])
        elif op is _sre_c.BRANCH:
            subs = [_finite(b) for b in av[1]]
            part = None if any(x is None for x in subs) else frozenset().union(*subs)  # type: ignore[arg-type]
        elif op is _sre_c.IN and all(o is _sre_c.LITERAL for o, _ in av) and len(av) <= 8:
            part = frozenset(chr(v) for _, v in av)
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and av[1] == 1:
            sub = _finite(av[2])
            part = None if sub is None else (sub | {""} if av[0] == 0 else sub)
        else:
            part = None
        if part is None:
            return None
        out = frozenset(a + b for a in out for b in part)
        if len(out) > _CAP:
            return None
    return out


def _slots(items: list[tuple[Any, Any]]) -> list[frozenset[str] | tuple[Any, Any] | None]:
    """Group parsed items into literal-word slots, finite sets, or opaque items."""
    slots: list[frozenset[str] | tuple[Any, Any] | None] = []
    buf: list[str] = []
    for op, av in items:
        if op is _sre_c.AT:
            continue
        if op is _sre_c.LITERAL:
            buf.append(chr(av))
            continue
        if buf:
            slots.append(frozenset(["".join(buf)]))
            buf = []
        part = _finite([(op, av)])
        slots.append(part if part is not None else (op, av))
    if buf:
        slots.append(frozenset(["".join(buf)]))
    return slots


def _required(
    items: Iterable[tuple[Any, Any]], left: bool = False, right: bool = False
) -> frozenset[str] | None:
    """Literal sets of which one must occur in every match of the parsed ``items``.

    With ``left`` (``right``), a match of ``items`` is known to start (end) next to a
    character that is not a letter or digit, or at the text's edge; a literal found at
    that edge then carries a space there, which the scan form (:func:`scan_form`) has in
    that place. A bounded literal (" yo ") fires far less often than the bare one ("yo",
    inside every "you").
    """
    cands: list[tuple[frozenset[str], float]] = []
    run = _EMPTY
    at_start = True
    slots = _slots(list(items))

    def flush(at_end: bool) -> None:
        nonlocal run, at_start
        if left and at_start:
            run = frozenset(" " + s for s in run)
        if right and at_end:
            run = frozenset(s + " " for s in run)
        if all(len(s.strip()) >= MIN_ANCHOR for s in run):
            cands.append((run, _slot_cost(run)))
        run, at_start = _EMPTY, False

    last = len(slots) - 1
    for index, slot in enumerate(slots):
        if isinstance(slot, frozenset):
            joined = frozenset(a + b for a in run for b in slot)
            if len(joined) > _CAP:
                flush(at_end=False)
                joined = slot
            run = joined
            continue
        first = at_start and run == _EMPTY
        flush(at_end=False)
        if slot is None:
            continue
        op, av = slot
        edge_left, edge_right = left and first, right and index == last
        sub: frozenset[str] | None = None
        if op is _sre_c.SUBPATTERN:
            sub = _required(av[-1], edge_left, edge_right)
        elif op is _sre_c.BRANCH:
            subs = [_required(b, edge_left, edge_right) for b in av[1]]
            if all(x is not None for x in subs):
                sub = frozenset().union(*(x for x in subs if x is not None))
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and av[0] >= 1:
            sub = _required(av[2], edge_left, edge_right)
        if sub is not None:
            cands.append((sub, _slot_cost(sub)))
    flush(at_end=True)
    if not cands:
        return None
    return min(cands, key=lambda c: (c[1], len(c[0])))[0]


def anchors(regex: str) -> frozenset[str]:
    """Return literals of which at least one occurs in every match of ``regex``.

    Raises:
        PatternError: The regex is invalid or has no literal of two characters or more.
    """
    found = _required(_parse(regex))
    if found is None:
        raise PatternError(f"pattern {regex!r} has no required literal to anchor on")
    return found


def _parse(regex: str) -> list[tuple[Any, Any]]:
    try:
        return list(_sre_p.parse(regex).data)
    except re.error as exc:
        raise PatternError(f"invalid pattern {regex!r}: {exc}") from None


# Every character a word boundary of :func:`wrap` treats as "not a word" becomes a space:
# ASCII text through a byte table (a str.translate table is eight times slower), the rest
# (rare in normalised text) by regex.
_WORD_CHARS = b"abcdefghijklmnopqrstuvwxyz0123456789"
_NOT_WORD_BYTES = bytes(c if c in _WORD_CHARS else 32 for c in range(256))
_NOT_WORD = re.compile(r"[^a-z0-9]")


def scan_form(text: str) -> str:
    """Return ``text`` as the anchor automaton reads it.

    Every character other than ``a-z`` and ``0-9`` becomes a space, and a space is added at
    each end, so that "the start of a word" is a space before it whatever the punctuation.
    The mapping is one character for one: a literal in a match of the text is, mapped the
    same way, a literal of the scan form at the same place. The last result is kept, as
    each detector with a matcher scans the same message text in turn.
    """
    last = _LAST_SCAN
    if text is last[0]:
        return last[1]
    if text.isascii():
        form = f" {text.encode().translate(_NOT_WORD_BYTES).decode()} "
    else:
        form = f" {_NOT_WORD.sub(' ', text)} "
    last[0], last[1] = text, form
    return form


_LAST_SCAN = ["", "  "]


def scan_anchors(regex: str) -> frozenset[str]:
    """Return the literals the automaton looks for in :func:`scan_form` for ``regex``.

    Like :func:`anchors`, for the word-bounded pattern :func:`wrap` makes of ``regex`` and
    in scan form: a literal at the start (end) of every match gets a space before (after)
    it. Falls back to the plain anchors when bounding leaves none of two characters.

    Raises:
        PatternError: The regex is invalid or has no literal to anchor on.
    """
    bounded = _required(_parse(regex), left=True, right=True)
    if bounded is not None:
        found = frozenset(scan_form(a)[1:-1] for a in bounded)
        if all(len(a.strip()) >= MIN_ANCHOR for a in found):
            return found
    return frozenset(scan_form(a)[1:-1] for a in anchors(regex))


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
        automaton = ahocorasick.Automaton()
        for a, idxs in by_anchor.items():
            automaton.add_word(a, tuple(idxs))
        automaton.make_automaton()
        self._automaton = automaton

    def scan(self, text: str) -> list[Hit]:
        """Return one hit per matching pattern."""
        cands: set[int] | None = None
        for _, idxs in self._automaton.iter(scan_form(text)):
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

    def scan(self, text: str) -> list[Hit]:
        """Return one hit per matching pattern.

        The alternation answers "does anything match?"; only then is each pattern tried,
        because an alternation reports just the leftmost of overlapping matches.
        """
        if self._regex.search(text) is None:
            return []
        hits = []
        for i, regex in enumerate(self.regexes):
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
