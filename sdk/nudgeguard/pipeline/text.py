"""Text normalisation before detection.

Detection runs on a normalised form so that spelling tricks do not hide a pattern. The
steps, in order (each is tested on examples in ``tests/pipeline/test_text.py``):

1. NFKC folds compatibility forms (fullwidth letters, mathematical "fancy fonts").
2. Case folding.
3. Zero-width and bidi control characters are removed.
4. Confusable skeleton (Unicode UTS #39 data from ``confusable-homoglyphs``): a Cyrillic or
   Greek letter that looks like a Latin one becomes the Latin letter.
5. Emoji used as code become words (a ghost becomes ``snapchat``, a camera ``pic``, the
   common sexual emoji ``emojisx``).
6. Apostrophes inside words are dropped (``don't`` -> ``dont``).
7. Spaced-out or dotted letters are joined (``s e n d`` -> ``send``, ``p.i.c`` -> ``pic``).
8. Leetspeak inside words (``s3nd p1c`` -> ``send pic``); numbers stay numbers.
9. Letters repeated three or more times collapse to one (``cuuute`` -> ``cute``).
10. Chat abbreviations expand to one canonical form (``u`` -> ``you``, ``ur`` -> ``your``,
    ``pix`` -> ``pics``), see ``patterns/abbreviations.yaml``.

ASCII input skips steps 1 and 3-5 (they cannot change it), which keeps the common case fast.
Every step but 7 works inside one word, so a message is normalised word by word and each
word's result is cached (chat repeats its words far more than its messages); a message with
a run of single letters, where step 7 may join words, takes the whole-text path.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import yaml

from nudgeguard.cache import BoundedCache

_ZERO_WIDTH = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufe0e\ufe0f\ufeff\uffa0"
)
# Apostrophes inside words ("don't" -> "dont"); "5'2" keeps its apostrophe.
_APOSTROPHES = re.compile("(?<=[a-z])['\u2019\u2018`\u00b4](?=[a-z])")
# Single letters joined by one repeated separator inside a token: "p.i.c", "s-e-x".
_DOTTED = re.compile(r"[a-z](?:([.\-_*+~])[a-z])(?:\1[a-z])+")
# Letters that are common one-letter chat words; a spaced run made mostly of them is normal.
_SINGLE_WORDS = frozenset("aiurykocnx")
_LEET_PRE = re.compile(r"[013457@$]")
_LEET_RUN = re.compile(r"(?<=[a-z])[013457@$]+(?=[a-z])|^[$0]+(?=[a-z])")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
# Cheap test for the rare texts that need the token-level de-obfuscation pass.
_MAYBE_LEET = re.compile(r"[013457@$.\-_*+~][a-z]")
_MAYBE_SPACED = re.compile(r" [a-z] [a-z] ")
_REPEAT_PRE = re.compile(r"(.)\1\1")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_ABBREV_TAILS = ("", "?", "!", ".", ",", "??", "?!", "...", ":", ")")
_EDGE_PUNCT = '.,!?;:()[]{}<>"*~^=+-_|#&%'


class NormalizedText(NamedTuple):
    """A message's text ready for matching (a named tuple: cheap to build, immutable).

    Attributes:
        raw: The text as received.
        text: The normalised form detectors match against.
        evasion: True when de-obfuscation (homoglyphs, zero-width characters, leetspeak,
            spaced-out letters, emoji code) changed the text.
        plain: The text with case, spacing, apostrophes and abbreviations normalised but no
            de-obfuscation; a pattern found in ``text`` but not here was obfuscated. Equal to
            ``text`` when ``evasion`` is False.
        digits: False when neither ``text`` nor ``plain`` has a digit, so a detector can
            skip its number rules (True says only that there may be one).
    """

    raw: str
    text: str
    evasion: bool = False
    plain: str = ""
    digits: bool = True


def _data(name: str) -> object:
    ref = resources.files("nudgeguard.patterns").joinpath(name)
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def _confusable_map() -> dict[int, str]:
    """Map non-ASCII letters that look like a Latin letter or digit to it (UTS #39)."""
    table: dict[int, str] = {}
    try:
        from confusable_homoglyphs.utils import load
    except ImportError:  # pragma: no cover - the dependency is declared; keep a small table
        # Cyrillic and Greek look-alikes of Latin letters, as escapes.
        pairs = (
            "\u0430a\u0435e\u043eo\u0440p\u0441c\u0445x\u0443y\u0456i\u0455s\u0458j\u03bfo\u03c1p"
        )
        small = {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)}
        return {ord(k): v for k, v in small.items()}
    data: dict[str, list[dict[str, str]]] = load("confusables.json")
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii():
            continue
        latin = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii()]
        letters = [c for c in latin if c.isalnum()]
        if letters:
            lower = [c for c in letters if c.islower()]
            table[ord(char)] = (lower or letters)[0].lower()
    return table


def _emoji_map() -> dict[int, str]:
    raw = _data("emoji.yaml")
    assert isinstance(raw, dict)
    table: dict[int, str] = {}
    for word, chars in raw.items():
        for char in chars:
            if len(char) == 1:
                table[ord(char)] = f" {word} "
    return table


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str | None], dict[str, str]]:
    table: dict[int, str | None] = {}
    table.update(_confusable_map())
    table.update(_emoji_map())
    for char in _ZERO_WIDTH:
        table[ord(char)] = None
    raw = _data("abbreviations.yaml")
    assert isinstance(raw, dict)
    abbrev: dict[str, str] = {}
    for canonical, variants in raw.items():
        for variant in variants:
            for tail in _ABBREV_TAILS:
                abbrev[f"{variant}{tail}"] = f"{canonical}{tail}"
    return table, abbrev


def _leet(match: re.Match[str]) -> str:
    return match.group(0).translate(_LEET)


def _deobfuscate_tokens(text: str) -> tuple[str, bool]:
    """Join spaced-out letters and undo leetspeak and dotted letters, token by token."""
    toks = text.split()
    out: list[str] = []
    evasion = False
    i, n = 0, len(toks)
    while i < n:
        tok = toks[i]
        if len(tok) == 1 and tok.isalpha():
            j = i + 1
            while j < n and len(toks[j]) == 1 and toks[j].isalpha():
                j += 1
            run = toks[i:j]
            if len(run) >= 3 and sum(c in _SINGLE_WORDS for c in run) <= 1:
                out.append("".join(run))
                evasion = True
            else:
                out.extend(run)
            i = j
            continue
        i += 1
        if tok.isalpha() or tok.isdigit():
            out.append(tok)
            continue
        core = tok.strip(_EDGE_PUNCT)
        if not core or core.isdigit():
            out.append(tok)
            continue
        new = core
        if len(core) >= 5 and core[1] in ".-_*+~" and _DOTTED.fullmatch(core):
            new = core[::2]
        elif _LEET_PRE.search(core) is not None:
            new = _LEET_RUN.sub(_leet, core)
        if new != core:
            evasion = True
            tok = tok.replace(core, new, 1)
        out.append(tok)
    return " ".join(out), evasion


def _abbreviate(text: str) -> str:
    """Expand chat abbreviations token by token and squeeze whitespace."""
    abbrev = _tables()[1]
    tokens = text.split()
    if abbrev.keys().isdisjoint(tokens):  # most messages: nothing to expand
        return " ".join(tokens)
    get = abbrev.get
    return " ".join([get(t, t) for t in tokens])


def _prepare(raw: str) -> tuple[str, str]:
    """Return (folded form without de-obfuscation, folded form with homoglyphs mapped)."""
    if raw.isascii():
        base = raw.lower()
        if "'" in base or "`" in base:
            base = _APOSTROPHES.sub("", base)
        deobf = base
    else:
        base = unicodedata.normalize("NFKC", raw).casefold()
        deobf = base.translate(_tables()[0])
        if not deobf.isascii():
            # NFKC again: a mapped letter may combine with a following accent.
            deobf = unicodedata.normalize("NFKC", deobf)
        deobf = _APOSTROPHES.sub("", deobf)
        base = _APOSTROPHES.sub("", base)
    if _REPEAT_PRE.search(deobf) is not None:
        deobf = _REPEATS.sub(r"\1", deobf)
        base = _REPEATS.sub(r"\1", base)
    return base, deobf


#: Short messages repeat a lot in chat ("lol", "ok", "brb"): the detectors cache their
#: results for texts up to this long, this many at most.
CACHE_MAX_CHARS = 48
CACHE_SIZE = 8192
#: Words (whitespace-separated tokens of the raw text) whose normalised form is cached.
WORD_CACHE_SIZE = 16384
_WORD_MAX_CHARS = 40
# A word's (text, plain, letter, digit): its normalised and plain forms (several words after
# emoji or compatibility mapping, "" when nothing is left), whether it is one letter that a
# spaced-out run could take, and whether either form has a digit.
_Word = tuple[str, str, bool, bool]
_words: BoundedCache[str, _Word] = BoundedCache(WORD_CACHE_SIZE)
# Lower-case ASCII words that normalisation leaves exactly as they are (no abbreviation,
# no digit, no obfuscation; of the single letters only "a" and "i"). A message made of
# them alone is its own normal form: no per-word work at all (see normalize).
_SELF: set[str] = set()
_SELF_LETTERS = ("a", "i")


def normalize(raw: str) -> NormalizedText:
    """Return the normalised form of ``raw``.

    Never raises for any string; works in time linear in its length. Normalises word by
    word (the same result as :func:`_whole`) through a small cache of each word's form
    (emptied when full), which is safe because it depends on the word alone and is
    immutable. No whole message is cached: a message of known words costs little more
    than a cache lookup would (see docs/architecture.md).
    """
    if raw.isascii():
        words = raw.lower().split()
        # A run of "a" and "i" alone is never joined as spaced-out letters (both are
        # one-letter words), so a message of _SELF words needs no whole-text pass.
        if _SELF.issuperset(words):
            text = " ".join(words)
            return NormalizedText(raw, text, False, text, False)
    texts: list[str] = []
    plains: list[str] = []
    differs = digits = False
    run = 0
    get = _words.get
    for word in raw.split():
        hit = get(word)
        if hit is None:
            hit = _word(word)
            if len(word) <= _WORD_MAX_CHARS:
                _words.put(word, hit)
                _note_self(word, hit)
        text, plain, letter, digit = hit
        if letter:
            run += 1
            if run == 3:  # spaced-out letters may join across words: the whole-text path
                return _whole(raw)
        else:
            run = 0
        if text:
            texts.append(text)
        if plain:
            plains.append(plain)
        if text is not plain:
            differs = True
        digits = digits or digit
    text = " ".join(texts)
    if not differs:
        return NormalizedText(raw, text, False, text, digits)
    plain = " ".join(plains)
    if plain == text:
        return NormalizedText(raw, text, False, text, digits)
    return NormalizedText(raw, text, True, plain, digits)


def _note_self(word: str, hit: _Word) -> None:
    """Remember ``word`` in :data:`_SELF` if its normal form is its lower-case self."""
    text, plain, letter, digit = hit
    if (
        text is plain
        and not digit
        and word.isascii()
        and text == word.lower()
        and (not letter or text in _SELF_LETTERS)
    ):
        if len(_SELF) >= WORD_CACHE_SIZE:
            _SELF.clear()
        _SELF.add(text)


def _word(word: str) -> _Word:
    """Normalise one whitespace-free token on its own (every step but the spaced-letter join)."""
    base, deobf = _prepare(word)
    parts = deobf.split()
    out: list[str] = []
    for part in parts:
        if _MAYBE_LEET.search(part) is not None:
            part = _deobfuscate_tokens(part)[0]
        out.append(part)
    text = _abbreviate(" ".join(out))
    plain = _abbreviate(base)
    if plain == text:
        plain = text
    # Could take part in a run of single letters: one letter, or (to be safe) a word that
    # splits into parts with a letter among them, or that vanishes (zero-width characters).
    letter = not parts or any(len(p) == 1 and p.isalpha() for p in parts)
    return text, plain, letter, _has_digit(text) or _has_digit(plain)


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _whole(raw: str) -> NormalizedText:
    """Normalise the whole text at once (needed when spaced-out letters span words)."""
    base, deobf = _prepare(raw)
    evasion = deobf != base
    if _MAYBE_LEET.search(deobf) is not None or _MAYBE_SPACED.search(f" {deobf} ") is not None:
        deobf, changed = _deobfuscate_tokens(deobf)
        evasion = evasion or changed
    text = _abbreviate(deobf)
    if not evasion:
        return NormalizedText(raw, text, False, text, _has_digit(text))
    plain = _abbreviate(base)
    digits = _has_digit(text) or _has_digit(plain)
    return NormalizedText(raw, text, plain != text, plain, digits)


def warm() -> None:
    """Load the normalisation tables now rather than on the first message."""
    _tables()
