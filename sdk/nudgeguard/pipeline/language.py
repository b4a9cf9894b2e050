"""Which language a chat message is in, fast enough to ask for every message.

Detection patterns are written per language (``patterns/lexicon.yaml`` is English,
``patterns/lexicon_<lang>.yaml`` the others) and a pattern applies only to messages of its
language or to messages whose language cannot be told ("ambiguous"): a word that is
harmless in one language and a warning sign in another must not open a case.

Identification has two stages (measured in docs/detection.md, "Languages"):

1. A vote of very common words (``patterns/languages.yaml``) over the message's raw words.
   Most chat messages carry two or more such words, and one language wins clearly. This
   costs a set lookup per word.
2. Messages the vote leaves open and that have enough letters to go on go to py3langid
   (a naive Bayes model over byte n-grams, shipped inside its package, restricted here to
   the six languages). Its answer counts only when it is confident; anything else is
   ambiguous (None).

Results depend on the text alone and are cached (short texts repeat a lot in chat).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from itertools import islice
from typing import Any

import yaml

from nudgeguard.cache import BoundedCache

#: The languages detection has patterns for (English first: the lexicon's own).
LANGUAGES: tuple[str, ...] = ("en", "de", "nl", "pt", "es", "fr")
#: Most words of a message that are looked at (the vote settles long before).
MAX_WORDS = 40
#: Fewest letters for the statistical stage (below it, n-gram models guess).
MIN_LETTERS = 12
#: Least probability (normalised over the six languages) the statistical stage must give.
MIN_PROBABILITY = 0.9
#: Most of a person's latest lines looked at to tell the language they write in.
READER_LINES = 3
_CACHE_SIZE = 8192
#: A word: a run of letters in any script. Python's re, not RE2 like the detectors: RE2's
#: \w is ASCII only and would split "größer" and "não". One repeated class has nothing to
#: backtrack over: one pass over the text.
WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, tuple[str, ...]]:
    """Map each listed word to the languages it votes for."""
    raw = resources.files("nudgeguard.patterns").joinpath("languages.yaml").read_text("utf-8")
    data = yaml.safe_load(raw)
    votes: dict[str, list[str]] = {}
    for lang, words in (data.get("words") or {}).items():
        if lang not in LANGUAGES:
            raise ValueError(f"languages.yaml: unknown language {lang!r}")
        for word in words:
            langs = votes.setdefault(str(word).casefold(), [])
            if lang not in langs:
                langs.append(str(lang))
    return {w: tuple(langs) for w, langs in votes.items()}


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """The py3langid identifier, restricted to :data:`LANGUAGES` (loaded on first use).

    None when py3langid is not installed: then only the word vote decides (it leaves about
    half of short chat lines ambiguous instead of a third, see docs/detection.md).
    """
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:
        return None

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def vote_words(languages: Iterable[str]) -> frozenset[str]:
    """Return the listed words (casefolded) that vote for any of ``languages``."""
    wanted = set(languages)
    return frozenset(w for w, langs in _vocabulary().items() if wanted.intersection(langs))


def vote(text: str) -> dict[str, int]:
    """Return how many of ``text``'s words vote for each language (only those with votes)."""
    get = _vocabulary().get
    counts: dict[str, int] = {}
    # findall is one C call (a third faster than finditer on chat lines); a text is at
    # most 8,192 characters, so listing all its words before the cut stays linear.
    for word in WORD.findall(text.casefold())[:MAX_WORDS]:
        langs = get(word)
        if langs is not None:
            for lang in langs:
                counts[lang] = counts.get(lang, 0) + 1
    return counts


def _tally(counts: dict[str, int]) -> tuple[str | None, int, int]:
    """Return the language with the most votes, its votes and the runner-up's."""
    best = second = 0
    winner: str | None = None
    for lang, n in counts.items():
        if n > best:
            best, second, winner = n, best, lang
        elif n > second:
            second = n
    return winner, best, second


def _clear(winner: str | None, best: int, second: int, text: str) -> str | None:
    """The vote's answer when it is clear (the first stage of :func:`identify`), else None."""
    if winner is not None and best >= 2 and best >= 2 * second:
        return winner
    if winner is not None and best == 1 and second == 0 and len(text.split()) <= 3:
        return winner
    return None


def voted(text: str) -> str | None:
    """Return the language the words of ``text`` vote for clearly, or None.

    The first stage of :func:`identify` alone: a few dictionary lookups, no statistical
    model, for callers on every message's path (the learned scorer, see
    :class:`~nudgeguard.pipeline.detectors.learned.LearnedDetector`).
    """
    return _clear(*_tally(vote(text)), text)


def _decide(text: str) -> str | None:
    counts = vote(text)
    winner, best, second = _tally(counts)
    clear = _clear(winner, best, second, text)
    if clear is not None:
        return clear
    letters = sum(1 for c in text if c.isalpha())
    if letters < MIN_LETTERS:
        return None
    ident = _identifier()
    if ident is None:
        return None
    lang, prob = ident.classify(text)
    if prob < MIN_PROBABILITY:
        return None
    # The model may not overrule a vote that went the other way.
    if counts and counts.get(lang, 0) < best:
        return None
    return str(lang)


_cache: BoundedCache[str, str | None] = BoundedCache(_CACHE_SIZE)
_last: list[Any] = [None, None]


def identify(text: str) -> str | None:
    """Return the language code of a message (see :data:`LANGUAGES`), or None if unclear.

    ``text`` is the message as written (not normalised: chat abbreviations of one language
    are words of another, and normalisation expands them). The last answer is kept apart,
    as every detector asks about the same message in turn.
    """
    if text is _last[0]:
        return _last[1]  # type: ignore[no-any-return]
    found = _cache.get(text, _cache)
    if found is _cache:
        found = _decide(text)
        _cache.put(text, found)
    _last[0], _last[1] = text, found
    return found  # type: ignore[return-value]


def written_language(own_lines: Iterable[str], message: str) -> str | None:
    """Return the language a person writes in, or None if unclear.

    The first clear language among ``own_lines`` (the person's latest lines, newest
    first; at most :data:`READER_LINES` are read), else that of ``message`` (the line at
    hand, which may be someone else's). Asked only when a nudge is worded (see
    :meth:`nudgeguard.delivery.dispatch.Dispatcher.locale_for`), and cached like :func:`identify`.
    """
    for line in islice(own_lines, READER_LINES):
        lang = identify(line)
        if lang is not None:
            return lang
    return identify(message)


def applies(pattern_lang: str | None, message_lang: str | None) -> bool:
    """True when a pattern of ``pattern_lang`` may fire on a message of ``message_lang``.

    A pattern without a language, and a message whose language is unclear, match anything.
    """
    return pattern_lang is None or message_lang is None or pattern_lang == message_lang


def warm() -> None:
    """Load the word lists and the statistical model now, not on the first message."""
    _vocabulary()
    _identifier()
