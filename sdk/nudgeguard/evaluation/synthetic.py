"""A seeded synthetic chat corpus for ``nudgeguard bench``.

Generated at run time from a seed (nothing explicit is bundled): mostly ordinary chat in
direct and group conversations, with a small share of risky lines paraphrasing the
taxonomy, so that the benchmark exercises every stage of the pipeline, including nudges
and cases. Texts are built from small phrase tables; lengths vary like chat (a few words
to a couple of sentences).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import NamedTuple

_OPENERS = ["", "", "", "lol ", "ok ", "hey ", "yeah ", "hmm ", "omg ", "wait ", "so ", "tbh "]
_SUBJECTS = ["i", "we", "you", "my brother", "the teacher", "everyone", "my team", "she", "he"]
_VERBS = [
    "finished", "started", "played", "watched", "broke", "fixed", "found", "lost", "liked",
    "hated", "built", "painted", "missed", "forgot", "cooked", "uploaded", "downloaded",
]  # fmt: skip
_OBJECTS = [
    "the new level", "that song", "the homework", "a pizza", "the server", "my bike",
    "the boss fight", "the quiz", "a new map", "the movie", "their stream", "the bug",
    "the match", "a sandwich", "the project", "my drawing", "the update", "the raid",
]  # fmt: skip
_TAILS = [
    "", "", "", " today", " last night", " again", " lol", " haha", " for real", " yesterday",
    " in like 5 minutes", " twice", " and it was fine", " but it crashed", " :)", "!!",
]  # fmt: skip
_QUESTIONS = [
    "anyone up for a game?", "what time is practice tomorrow?", "did you see the update?",
    "which map are we playing?", "can someone help with question 4?", "who won?",
    "is the server down?", "what did you get on the quiz?", "are we still on for saturday?",
    "how do i join the voice channel?", "whats the wifi password at the library?",
]  # fmt: skip
_SHORT = ["lol", "ok", "yeah", "same", "nice", "gg", "brb", "k", "haha", "true", "wow", "no way"]
# Paraphrases written for this generator, one family each; lightly obfuscated sometimes.
_RISKY = [
    "how old r u", "where do u live", "r u home alone rn", "dont tell anyone ok",
    "add me on snap", "ill buy u robux", "ur so pretty", "ur my everything",
    "ur friends are fake", "send me a pic", "hop on cam", "what r u wearing",
    "if u loved me u would", "lets meet up, i can pick u up", "delete our chat",
    "im 13", "im 24 but age is just a number", "just between us", "s3nd a p1c",
    "do ur parents check ur phone", "so mature for ur age", "wanna video call",
]  # fmt: skip


class Record(NamedTuple):
    """One message of the corpus, as a platform would hand it to an adapter.

    A named tuple of plain values. The collector keeps tracking a named tuple (it stops
    only for a plain ``tuple``), so the benchmark freezes the corpus out of its reach
    (:func:`nudgeguard.evaluation.bench.run_bench`) to time the pipeline, not the walks
    over its input.
    """

    conversation: str
    kind: str
    author: str
    ts: float
    text: str


def _sentence(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(_SHORT)
    if roll < 0.4:
        return rng.choice(_QUESTIONS)
    text = (
        f"{rng.choice(_OPENERS)}{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
        f"{rng.choice(_OBJECTS)}{rng.choice(_TAILS)}"
    )
    if rng.random() < 0.2:
        text += f". {rng.choice(_QUESTIONS)}"
    return text


def generate(messages: int = 100_000, seed: int = 7, risky_share: float = 0.02) -> list[Record]:
    """Return ``messages`` records in time order across many conversations.

    Args:
        messages: How many messages to generate.
        seed: Random seed; the same seed gives the same corpus.
        risky_share: Share of messages drawn from the risky paraphrases.
    """
    rng = random.Random(seed)
    out: list[Record] = []
    for conv in _conversations(rng, messages, risky_share):
        out.extend(conv)
    out.sort(key=lambda r: r.ts)
    return out[:messages]


def _conversations(rng: random.Random, messages: int, risky_share: float) -> Iterator[list[Record]]:
    made = 0
    index = 0
    while made < messages:
        index += 1
        group = rng.random() < 0.3
        people = [f"u{index}-{i}" for i in range(rng.randint(3, 12) if group else 2)]
        length = rng.randint(20, 400) if group else rng.randint(4, 120)
        start = rng.uniform(0, 7 * 86400)
        ts = start
        conv: list[Record] = []
        for _ in range(min(length, messages - made)):
            ts += rng.expovariate(1 / 30)
            text = rng.choice(_RISKY) if rng.random() < risky_share else _sentence(rng)
            conv.append(
                Record(f"c{index}", "group" if group else "direct", rng.choice(people), ts, text)
            )
        made += len(conv)
        yield conv
