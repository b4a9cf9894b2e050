"""A fixed set of hostile messages, and the slowest of them through the whole pipeline.

``nudgeguard bench`` reports ``adversarial_max_us``: the time of the slowest of these
messages, each built into a :class:`MessageEvent` and handled by an engine with the
default policy. The set covers the classes docs/security.md names: every detector
pattern's own alternatives repeated up to the length cap (the backtracking attack), edge
strings of the cap's length and one past it, zalgo text, lone surrogates and control
characters, and huge numbers. A slow entry here is a denial of service waiting to happen.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import MAX_TEXT_CHARS, MessageEvent, Participant
from nudgeguard.pipeline.detectors import lexicon
from nudgeguard.policy.model import PolicyPack
from nudgeguard.state.store import MemoryStateStore

_LITERALS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_START = 1_700_000_000.0


def _fill(unit: str, prefix: str = "", suffix: str = "", size: int = MAX_TEXT_CHARS) -> str:
    """``prefix`` + ``unit`` repeated + ``suffix``, ``size`` characters in all."""
    room = max(0, size - len(prefix) - len(suffix))
    return prefix + (unit * (room // max(1, len(unit)) + 1))[:room] + suffix


def pattern_repetitions() -> Iterator[str]:
    """For every lexicon pattern, a message of its own literal alternatives repeated."""
    _, matcher = lexicon._bundled()
    for p in matcher.patterns:
        parts = sorted(set(_LITERALS.findall(p.regex)), key=lambda s: (len(s), s))
        if parts:
            yield _fill(" ".join(parts) + " ", suffix=" !")


def edge_strings() -> Iterator[str]:
    """Strings at and past the length cap that stress one stage each."""
    n = MAX_TEXT_CHARS
    for unit in ("a", " ", "\u200b", "9", "@", "a.", "s e n d ", "p1c ", "\U0001f47b", "x@x."):
        yield _fill(unit, size=n)
        yield _fill(unit, size=n + 1)
    yield _fill("a few ", "send me ", "pics")
    yield _fill("any more ", "do you have ", "pics")
    yield "x" * (10 * n)  # cut at the boundary


def zalgo() -> Iterator[str]:
    """Letters buried under combining marks, and fancy-font letters."""
    marks = "".join(chr(c) for c in range(0x0300, 0x0314))
    yield _fill("h" + marks + "i" + marks + " ")
    yield _fill("\U0001d42c\U0001d41e\U0001d427\U0001d41d ")  # mathematical bold "send"


def hostile_code_points() -> Iterator[str]:
    """Lone surrogates, NUL and control characters (made safe at the boundary)."""
    yield _fill("\ud800")
    yield _fill("\udfff a ")
    yield _fill("\x00\x1b[2J")


def huge_numbers() -> Iterator[str]:
    """Numbers far past anything an age or phone rule reads."""
    yield _fill("9", "im ")
    yield _fill("1", "asl ", " f")
    yield _fill("12 ", "im ")
    yield "i am " + "9" * 5000 + " years old"


def hostile_messages() -> list[str]:
    """The fixed set, in a fixed order."""
    return [
        *pattern_repetitions(),
        *edge_strings(),
        *zalgo(),
        *hostile_code_points(),
        *huge_numbers(),
    ]


async def adversarial_max_us(pack: PolicyPack) -> tuple[float, int]:
    """Return the slowest hostile message's microseconds and how many were timed.

    Each message gets its own conversation on a fresh engine (in-memory stores), so one
    message's state does not make another faster or slower.
    """
    engine = Engine(pack, cases=SqliteCaseStore(":memory:"), state=MemoryStateStore(), adapters=[])
    await engine.start(background=False)
    messages = hostile_messages()
    slowest = 0
    clock = time.perf_counter_ns
    try:
        # Untimed first: tables and matchers load on the first message.
        for i, text in enumerate(["hi there", *messages]):
            before = clock()
            event = MessageEvent(
                platform="bench",
                community_id="adversarial",
                conversation_id=f"c{i}",
                message_id=str(i),
                author=Participant(id=f"u{i}"),
                text=text,
                ts=_START + i,
            )
            await engine.handle(event)
            if i:
                slowest = max(slowest, clock() - before)
    finally:
        await engine.stop()
    return round(slowest / 1000.0, 1), len(messages)
