"""Anchor literals: what must occur in every match of a regex, for the matcher's first stage.

:func:`anchors` derives, from a regex's parse tree, a set of literals at least one of which
occurs in every match; among the possible sets the one least likely in ordinary chat is
chosen, by a rough per-word estimate. :func:`scan_anchors` gives them in *scan form* (every
non-word character a space, a space at each end, see :func:`scan_form`), so a literal that
starts or ends a word carries that space. :mod:`nudgeguard.pipeline.detectors.matcher` puts them in
one Aho-Corasick automaton.
"""

from __future__ import annotations

import re
import re._constants as _sre_c  # type: ignore[import-not-found]
import re._parser as _sre_p  # type: ignore[import-not-found]
from collections.abc import Iterable
from typing import Any

#: Shortest anchor literal (shorter ones fire on nearly every message).
MIN_ANCHOR = 2


class PatternError(ValueError):
    """A pattern in the data files is invalid (message names the pattern, not any chat)."""


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
    """Estimated chance that one of ``strings`` occurs in a message (at most 1).

    Strings that begin with the same word occur at most as often as that word, so a set
    of many ("delete this", "delete that", ...) costs no more than its first words do.
    """
    each = sum(_string_chance(s) for s in strings)
    firsts = {_first_word(s) for s in strings}
    return min(each, sum(_string_chance(f) for f in firsts))


def _first_word(s: str) -> str:
    """``s`` up to the end of its first word (with the space after it, if any)."""
    start = len(s) - len(s.lstrip())
    end = s.find(" ", start)
    return s if end < 0 else s[: end + 1]


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


def needs_digit(regex: str) -> bool:
    """Return whether every match of ``regex`` contains a digit.

    Such a pattern cannot match a text without digits, so a matcher can leave it out for
    one (see :attr:`nudgeguard.pipeline.text.NormalizedText.digits`). False when unsure.

    Raises:
        PatternError: The regex is invalid.
    """
    return _digit_in(_parse(regex))


def _digit_class(items: list[tuple[Any, Any]]) -> bool:
    """True for a character class (a set in brackets, or the digit class) of digits only."""
    return bool(items) and all(
        (op is _sre_c.LITERAL and chr(av).isdigit())
        or (op is _sre_c.RANGE and chr(av[0]) >= "0" and chr(av[1]) <= "9")
        or (op is _sre_c.CATEGORY and av is _sre_c.CATEGORY_DIGIT)
        for op, av in items
    )


def _digit_in(items: Iterable[tuple[Any, Any]]) -> bool:
    """True when one item that every match of the sequence ``items`` passes is a digit."""
    for op, av in items:
        if op is _sre_c.LITERAL:
            found = chr(av).isdigit()
        elif op is _sre_c.IN:
            found = _digit_class(av)
        elif op is _sre_c.SUBPATTERN:
            found = _digit_in(av[-1])
        elif op is _sre_c.BRANCH:
            found = all(_digit_in(b) for b in av[1])
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT):
            found = av[0] >= 1 and _digit_in(av[2])
        elif op is _sre_c.ATOMIC_GROUP:
            found = _digit_in(av)
        else:  # lookarounds, anchors, any other character: no digit for sure
            found = False
        if found:
            return True
    return False


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
