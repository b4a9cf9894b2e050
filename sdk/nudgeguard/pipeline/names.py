"""Whom a line in a group addresses by name: "ari dm me", "nice moss, try the rim light".

In a busy channel people rarely reply or @mention: they call each other by a short form of
the name they see ("ari" for lil_ari, "pip" for Pipsketch). A line whose clause starts or
ends with such a name, or a greeting and then the name ("hey ari"), is aimed at that
person, as a mention would be (see :func:`~nudgeguard.pipeline.conversation.target_of`).

The names are the display names adapters pass (:attr:`Participant.display_name`), never
an id: platform ids are opaque. They are kept in memory only, as pieces (runs of three or
more letters, common words left out), in a bounded cache; nothing here is stored or
logged. A name is looked for among the conversation's recent speakers only, and a word
that starts the names of two of them addresses neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources

import yaml

from nudgeguard.cache import BoundedCache
from nudgeguard.pipeline.language import LANGUAGES, WORD, vote_words
from nudgeguard.pipeline.text import CACHE_SIZE

#: Fewest letters of a name piece, and of a word read as one (shorter ones are words).
MIN_LETTERS = 3
#: Most pieces kept of one name, and most letters of one piece.
MAX_PIECES = 3
MAX_LETTERS = 24
#: People whose name pieces are kept in memory (the cache starts afresh when full).
PEOPLE = 50_000
#: Most words of a line looked at as possible names (a few clauses' first and last).
MAX_CANDIDATES = 8
#: Most characters of a line read for names (a call by name opens or closes a clause).
MAX_CHARS = 512
#: Lines up to this long keep their calling words in a cache (chat lines repeat).
CACHED_CHARS = 160

_CLAUSE = re.compile(r"[.,!?;:()]+")


@lru_cache(maxsize=1)
def _words() -> dict[str, frozenset[str]]:
    """The word lists of ``patterns/names.yaml``."""
    raw = resources.files("nudgeguard.patterns").joinpath("names.yaml").read_text("utf-8")
    data = yaml.safe_load(raw)
    return {
        key: frozenset(str(w).casefold() for w in data[key]) for key in ("greetings", "chat_words")
    }


def greetings() -> frozenset[str]:
    """Words before a name that leave it in the calling position ("hey ari", "ty pip")."""
    return _words()["greetings"]


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words never read as a name: greetings, chat words and every language's vote words."""
    words = _words()
    return words["greetings"] | words["chat_words"] | vote_words(LANGUAGES)


def name_pieces(display_name: str) -> tuple[str, ...]:
    """Return the pieces of a display name a person may be called by.

    Runs of at least :data:`MIN_LETTERS` letters, casefolded, common words left out, the
    first :data:`MAX_PIECES` kept ("lil_ari" gives "ari", "Vexx_Reaper" "vexx" and
    "reaper").
    """
    common = common_words()
    pieces: list[str] = []
    for run in WORD.findall(display_name[:MAX_CHARS].casefold()):
        if MIN_LETTERS <= len(run) <= MAX_LETTERS and run not in common and run not in pieces:
            pieces.append(run)
            if len(pieces) == MAX_PIECES:
                break
    return tuple(pieces)


def calling_words(text: str) -> list[str]:
    """Return the words of a line in a calling position, at most :data:`MAX_CANDIDATES`.

    The first and last word of each clause, and the word after a greeting that opens one.
    Short and common words are left out.
    """
    common, greeting = common_words(), greetings()
    found: list[str] = []
    for clause in _CLAUSE.split(text[:MAX_CHARS].casefold()):
        words = WORD.findall(clause)
        if not words:
            continue
        picks = [words[0], words[-1]]
        if words[0] in greeting and len(words) > 1:
            picks.append(words[1])
        for word in picks:
            if len(word) >= MIN_LETTERS and word not in common and word not in found:
                found.append(word)
        if len(found) >= MAX_CANDIDATES:
            return found[:MAX_CANDIDATES]
    return found


class Names:
    """The name pieces of people seen lately, and whom a line calls by name."""

    def __init__(self, size: int = PEOPLE) -> None:
        self._pieces: BoundedCache[tuple[str, str], tuple[str, tuple[str, ...]]] = BoundedCache(
            size
        )
        # Short lines repeat ("lol", "gg ez"): their calling words are kept.
        self._words: BoundedCache[str, list[str]] = BoundedCache(CACHE_SIZE)

    def learn(self, platform: str, person: str, display_name: str | None) -> None:
        """Remember the pieces of a person's display name (a no-op when it is unchanged)."""
        if not display_name:
            return
        key = (platform, person)
        known = self._pieces.get(key)
        if known is None or known[0] != display_name:
            self._pieces.put(key, (display_name, name_pieces(display_name)))

    def forget(self, platform: str, matches: Callable[[str], bool]) -> None:
        """Forget the names of everyone on ``platform`` whose id ``matches`` (an erasure)."""
        for key in [k for k in self._pieces if k[0] == platform and matches(k[1])]:
            del self._pieces[key]

    def addressed(self, platform: str, text: str, me: str, people: Iterable[str]) -> str | None:
        """Return the one person among ``people`` (not ``me``) the line calls by name.

        A word in a calling position (:func:`calling_words`) calls a person when it starts
        one of their name pieces; a word that starts the names of two people calls no one.
        """
        get = self._pieces.get
        pieces: list[tuple[str, str]] = []  # (piece, person) of the others who spoke lately
        for person in people:
            if person != me:
                entry = get((platform, person))
                if entry is not None:
                    pieces += [(piece, person) for piece in entry[1]]
        if not pieces:  # no display names here (or none with a piece): nothing to read
            return None
        cached = len(text) <= CACHED_CHARS
        words = self._words.get(text) if cached else None
        if words is None:
            words = calling_words(text)
            if cached:
                self._words.put(text, words)
        for word in words:
            called = {person for piece, person in pieces if piece.startswith(word)}
            if len(called) == 1:
                return called.pop()
        return None
