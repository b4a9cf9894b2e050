"""Regular expressions that run in time linear in the text, whatever the text.

Python's ``re`` backtracks: a pattern with overlapping alternatives under a repeat (``(?:a
|a few |few )*``) takes time exponential in the length of a message made of them. Every
pattern the detectors run is therefore compiled here and run by RE2 (google-re2), an
automaton engine whose time is linear in the text by construction.

RE2 has no lookaround. A pattern keeps its Python syntax; each lookaround in it becomes an
empty named group marking its place, RE2 finds the match, and each lookaround that the
match passed through is then checked at its mark (its body is itself an RE2 pattern, run
once at that place). A match whose check fails is dropped and the search goes on after
its start, at most :data:`MAX_RETRIES` times, so a search costs at most
``(MAX_RETRIES + 1)`` linear passes. Patterns are refused at load time (``PatternError``)
when RE2 cannot compile them (backreferences, nested lookarounds), so a pattern that could
backtrack never reaches a message.

Word-bounded patterns (``bounded=True``) consume the non-word character (or text edge) on
each side instead of looking at it, which RE2 can do itself. A pattern's own lookarounds at
its edges are read the same way when that keeps their meaning: a leading "not after this
character" (``(?<![a-z])``) becomes a consumed character outside the class or the text's
start, a trailing "not before this character" (``(?![a-z])``) a consumed character outside
it or the text's end, and a trailing ``(?=...)`` its body, consumed. RE2 then picks the
same match as Python's ``re`` would, in one pass: checked afterwards, such a lookaround
failed on every word it sat inside ("he" in "the") and cost a pass each time.
"""

from __future__ import annotations

import re
import re._parser as _sre_p  # type: ignore[import-not-found]
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import re2

#: How many candidate matches whose lookaround fails are skipped before giving up.
MAX_RETRIES = 64
#: What :attr:`LinearPattern.engine` says: the engine that runs every pattern.
ENGINE = "re2"

_MAX_MEM = 64 << 20
_WORD = "a-z0-9"
_KINDS = {"?=": (False, True), "?!": (False, False), "?<=": (True, True), "?<!": (True, False)}
# One character class, the only lookaround body read as a consumed edge ("[a-z0-9]", "\d").
_ONE_CLASS = re.compile(r"\[(?!\^)(?:\\.|[^\]\\])+\]|\\[dw]")


class LinearPatternError(ValueError):
    """A pattern cannot be run in linear time (the message names the pattern)."""


@dataclass(frozen=True, slots=True)
class _Look:
    """One lookaround: where its mark is, whether it looks back, and what it wants."""

    group: int
    behind: bool
    positive: bool
    body: Any  # the body's compiled RE2 regex
    width: int


def _split_lookarounds(regex: str) -> tuple[str, list[tuple[str, str]]]:
    """Return ``regex`` with each top-level lookaround replaced by a mark, and the bodies.

    Raises:
        LinearPatternError: A lookaround inside another, or unbalanced parentheses.
    """
    out: list[str] = []
    found: list[tuple[str, str]] = []
    i, n = 0, len(regex)
    while i < n:
        kind = next((k for k in ("?<=", "?<!", "?=", "?!") if regex.startswith(k, i + 1)), None)
        if regex[i] == "(" and kind is not None:
            end = _group_end(regex, i)
            body = regex[i + 1 + len(kind) : end]
            if any(f"({k}" in body for k in _KINDS):
                raise LinearPatternError(f"pattern {regex!r}: a lookaround inside a lookaround")
            out.append(f"(?P<_look{len(found)}>)")
            found.append((kind, body))
            i = end + 1
            continue
        step = _token_len(regex, i)
        out.append(regex[i : i + step])
        i += step
    return "".join(out), found


def _token_len(regex: str, i: int) -> int:
    """Length of the token at ``i``: an escape, a character class, or one character."""
    if regex[i] == "\\":
        return 2
    if regex[i] == "[":
        j = i + 1
        if j < len(regex) and regex[j] == "^":
            j += 1
        if j < len(regex) and regex[j] == "]":
            j += 1
        while j < len(regex) and regex[j] != "]":
            j += 2 if regex[j] == "\\" else 1
        return j + 1 - i
    return 1


def _tokens(regex: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """Each token from ``start``: its index, its first character, and its group depth.

    The depth is the number of groups around the token; a group's own parentheses are at
    the depth outside it.
    """
    depth, i = 0, start
    while i < len(regex):
        c = regex[i]
        if c == ")":
            depth -= 1
        yield i, c, depth
        if c == "(":
            depth += 1
        i += _token_len(regex, i)


def _group_end(regex: str, start: int) -> int:
    """Index of the parenthesis closing the group opened at ``start``."""
    for i, c, depth in _tokens(regex, start):
        if c == ")" and depth == 0:
            return i
    raise LinearPatternError(f"pattern {regex!r}: unbalanced parentheses")


def _top_level_alternation(regex: str) -> bool:
    """True when ``regex`` has a ``|`` outside every group (its edges are not shared)."""
    return any(c == "|" and depth == 0 for _, c, depth in _tokens(regex))


def _class_body(look: str) -> str | None:
    r"""The inside of a one-character class (``a-z`` of ``[a-z]``, ``\d``), else None."""
    if _ONE_CLASS.fullmatch(look) is None:
        return None
    return look[1:-1] if look.startswith("[") else look


def _last_group(regex: str) -> int:
    """Start of the top-level group that ends ``regex``, or -1 when it ends otherwise."""
    start, last = -1, ("", 0)
    for i, c, depth in _tokens(regex):
        if depth == 0 and c == "(":
            start = i
        elif depth == 0 and c != ")":
            start = -1
        last = (c, depth)
    return start if last == (")", 0) else -1


def _edges(regex: str) -> tuple[str | None, str, str | None]:
    """Split off the lookarounds at a pattern's edges that RE2 can consume instead.

    Returns:
        The class a leading ``(?<![...])`` excludes (None when there is none), the rest of
        the pattern, and the regex consumed in place of a trailing ``(?![...])`` or
        ``(?=...)`` (None when there is none). A pattern with a top-level alternation
        keeps its lookarounds: they belong to one alternative, not to the whole.
    """
    if _top_level_alternation(regex):
        return None, regex, None
    lead: str | None = None
    tail: str | None = None
    rest = regex
    if rest.startswith("(?<!"):
        end = _group_end(rest, 0)
        lead = _class_body(rest[4:end])
        if lead is not None:
            rest = rest[end + 1 :]
    start = _last_group(rest)
    if start > 0 and rest.startswith("(?!", start):
        cls = _class_body(rest[start + 3 : -1])
        tail = None if cls is None else f"(?:[^{cls}]|$)"
    elif start > 0 and rest.startswith("(?=", start):
        body = rest[start + 3 : -1]
        tail = None if any(f"({k}" in body for k in _KINDS) else f"(?:{body})"
    if tail is not None:
        rest = rest[:start]
    return lead, rest, tail


def _compile(regex: str, where: str, longest: bool = False) -> Any:
    options = re2.Options()
    options.max_mem = _MAX_MEM
    options.log_errors = False
    options.longest_match = longest
    try:
        return re2.compile(regex, options)
    except re2.error as exc:
        raise LinearPatternError(f"pattern {where!r} cannot run in linear time: {exc}") from None


class LinearMatch:
    """A match: the span of the pattern (without consumed word boundaries) and its groups."""

    __slots__ = ("_m", "_span", "re")

    def __init__(self, m: Any, span: tuple[int, int], pattern: LinearPattern) -> None:
        self._m = m
        self._span = span
        self.re = pattern

    def start(self) -> int:
        """Start offset of the match."""
        return self._span[0]

    def end(self) -> int:
        """End offset of the match."""
        return self._span[1]

    def span(self) -> tuple[int, int]:
        """(start, end) of the match."""
        return self._span

    def group(self, name: str | int = 0) -> Any:
        """Text of a named group (None when it did not take part), or of the match (0).

        Typed ``Any`` like :meth:`re.Match.group`: the caller knows whether its group can
        be absent.
        """
        if name == 0:
            return self._m.group(self.re.span_group)
        index = self.re.groupindex[name] if isinstance(name, str) else name
        value = self._m.group(index)
        return None if value is None else str(value)


class LinearPattern:
    """A Python-syntax regular expression run in linear time (see the module docstring).

    Args:
        regex: The pattern, in Python syntax.
        bounded: Match only where the pattern is not preceded or followed by ``a-z0-9``.

    Raises:
        LinearPatternError: RE2 cannot compile the pattern or one of its lookarounds.
    """

    engine = ENGINE

    def __init__(self, regex: str, *, bounded: bool = False) -> None:
        self.pattern = regex
        lead, rest, tail = (_WORD, regex, f"(?:[^{_WORD}]|$)") if bounded else _edges(regex)
        core, looks = _split_lookarounds(rest)
        edged = lead is not None or tail is not None
        body = f"(?P<_m>{core}){tail or ''}" if edged else core
        before = f"(?:^|[^{lead}])" if lead is not None else ""
        self._lead = lead is not None
        self._re = _compile(before + body, regex)
        # Used to retry after a failed candidate at the very start of the text: the next
        # candidate needs a character outside the class before it, never the text's start.
        self._re_inner = _compile(f"[^{lead}]{body}", regex) if lead is not None and looks else None
        # For match(), compiled on its first call (most patterns are only searched): the
        # pattern from its first character on, and the leading class, checked apart.
        self._body, self._lead_class = body, lead
        self._at: tuple[Any, Any] | None = None
        # Where the preferred match fails a lookaround, the longest one at the same start
        # often passes ("he" fails "(?![a-z])" in "hes", "hes" passes): tried before moving on.
        self._re_longest = _compile(before + body, regex, longest=True) if looks else None
        index: Mapping[str, int] = self._re.groupindex
        self.groupindex: dict[str, int] = {
            k: v for k, v in index.items() if not k.startswith("_look") and k != "_m"
        }
        self.span_group = index["_m"] if edged else 0
        self._looks = tuple(
            _Look(
                index[f"_look{i}"],
                _KINDS[kind][0],
                _KINDS[kind][1],
                _compile(body, regex),
                _width(body, regex) if _KINDS[kind][0] else 0,
            )
            for i, (kind, body) in enumerate(looks)
        )
        #: Candidate matches dropped by lookaround checks, over this pattern's life (for
        #: tests: one search drops at most ``MAX_RETRIES + 1``, each one linear pass).
        self.retries = 0

    def __repr__(self) -> str:
        return f"LinearPattern({self.pattern!r})"

    def _holds(self, m: Any, text: str) -> bool:
        for look in self._looks:
            at = m.start(look.group)
            if at < 0:
                continue  # the lookaround's branch was not taken
            if look.behind:
                ok = at >= look.width and look.body.fullmatch(text[at - look.width : at])
            else:
                ok = look.body.match(text, at) is not None
            if bool(ok) is not look.positive:
                return False
        return True

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> LinearMatch | None:
        """Return the first match in ``text[pos:endpos]`` (the slice is searched alone)."""
        if pos or (endpos is not None and endpos < len(text)):
            m = self.search(text[pos:endpos])
            if m is None:
                return None
            s, e = m.span()
            return LinearMatch(m._m, (s + pos, e + pos), self)
        regex = self._re
        at = 0
        for _ in range(MAX_RETRIES + 1):
            m = regex.search(text, at)
            if m is None:
                return None
            if not self._looks or self._holds(m, text):
                return LinearMatch(m, m.span(self.span_group), self)
            self.retries += 1
            longest = self._re_longest.match(text, m.start()) if self._re_longest else None
            if longest is not None and self._holds(longest, text):
                return LinearMatch(longest, longest.span(self.span_group), self)
            start = m.start(self.span_group)
            if start == 0 and self._re_inner is not None:
                regex = self._re_inner
            at = start if self._lead else start + 1
            if at > len(text):
                return None
        return None

    def match(self, text: str, pos: int = 0) -> LinearMatch | None:
        """Return a match starting exactly at ``pos`` (lookarounds checked, no retry)."""
        regex = self._re
        if self._lead_class is not None:
            if self._at is None:
                self._at = (
                    _compile(self._body, self.pattern),
                    _compile(f"[{self._lead_class}]", self.pattern),
                )
            regex, lead_char = self._at
            if pos > 0 and lead_char.fullmatch(text[pos - 1]):
                return None
        m = regex.match(text, pos)
        if m is None or (self._looks and not self._holds(m, text)):
            return None
        return LinearMatch(m, m.span(self.span_group), self)


def _width(body: str, regex: str) -> int:
    lo, hi = _sre_p.parse(body).getwidth()
    if lo != hi:
        raise LinearPatternError(f"pattern {regex!r}: a lookbehind must have a fixed width")
    return int(lo)


def compile_linear(regex: str, *, bounded: bool = False) -> LinearPattern:
    """Return ``regex`` compiled to run in linear time (see :class:`LinearPattern`)."""
    return LinearPattern(regex, bounded=bounded)
