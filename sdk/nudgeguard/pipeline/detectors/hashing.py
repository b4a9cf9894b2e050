"""Hashed word n-gram features shared by the learned scorer and its training script.

A message's normalised text is cut into word tokens; the features are the word unigrams and
bigrams, each mapped to one of ``2**bits`` buckets by a fixed hash (CRC-32 of the word, then
an integer mix for a bigram). No vocabulary is kept anywhere: a trained model is a table of
weights per bucket, and nothing in it can be read back as text. The tokens of the message
being scored are at hand when it is scored, which is how an explanation names the n-grams
that weighed most.

Runtime and training call the same :func:`features`, so they cannot drift apart.
"""

from __future__ import annotations

import re
import zlib
from itertools import pairwise
from typing import NamedTuple

#: Tokens: runs of letters or digits (any script), plus the question mark.
_TOKEN = re.compile(r"[^\W_]+|\?")
#: At most this many tokens of a message are featurised (time linear, bounded).
MAX_TOKENS = 64
_MIX = 0x9E3779B1
_MASK32 = 0xFFFFFFFF
_BIGRAM = 0x7F4A7C15


class Feature(NamedTuple):
    """One n-gram of a message: its bucket and where it sits in the text."""

    bucket: int
    start: int
    end: int


def has_words(text: str) -> bool:
    """Return whether a text has at least one token (only those count in a running score)."""
    return _TOKEN.search(text) is not None


def word_hash(word: str) -> int:
    """Return the fixed 32-bit hash of one token (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(word.encode("utf-8", "surrogatepass"))


def bigram_hash(first: int, second: int) -> int:
    """Return the 32-bit hash of a bigram from its tokens' hashes (order matters)."""
    return ((first * _MIX) ^ (second + _BIGRAM)) & _MASK32


def tokens(text: str) -> list[str]:
    """Return the tokens of a normalised text that are featurised (at most MAX_TOKENS)."""
    return _TOKEN.findall(text)[:MAX_TOKENS]


def word_buckets(words: list[str], bits: int, cache: dict[str, int]) -> list[int]:
    """Return the buckets of :func:`features` without their offsets (the scoring fast path).

    Args:
        words: The text's :func:`tokens`.
        bits: Table size is ``2**bits``.
        cache: Token -> hash memo; the caller bounds its size.
    """
    mask = (1 << bits) - 1
    get = cache.get
    hashes = [get(w) or _remember(cache, w) for w in words]
    out = [h & mask for h in hashes]
    # bigram_hash(a, b) & mask, inlined (mask has at most 24 bits, within the 32-bit mask).
    out += [((a * _MIX) ^ (b + _BIGRAM)) & mask for a, b in pairwise(hashes)]
    return out


def _remember(cache: dict[str, int], word: str) -> int:
    h = cache[word] = word_hash(word)
    return h


def features(text: str, bits: int, cache: dict[str, int] | None = None) -> list[Feature]:
    """Return the hashed unigram and bigram features of a normalised text.

    Args:
        text: The normalised message text.
        bits: Table size is ``2**bits``.
        cache: Optional token -> hash memo (tokens repeat far more than messages); the
            caller bounds its size.
    """
    mask = (1 << bits) - 1
    out: list[Feature] = []
    prev_hash = -1
    prev_start = 0
    for count, m in enumerate(_TOKEN.finditer(text)):
        if count >= MAX_TOKENS:
            break
        word = m.group()
        h = cache.get(word) if cache is not None else None
        if h is None:
            h = word_hash(word)
            if cache is not None:
                cache[word] = h
        start, end = m.span()
        out.append(Feature(h & mask, start, end))
        if prev_hash >= 0:
            out.append(Feature(bigram_hash(prev_hash, h) & mask, prev_start, end))
        prev_hash, prev_start = h, start
    return out
