"""Measure the lexicon matcher back-ends on real or synthetic text (docs/detection.md).

Usage: ``python -m nudgeguard.evaluation.matchers [CORPUS.jsonl ...]``. Prints CPU
microseconds per message for each back-end on the same normalised texts: the
Aho-Corasick anchor automaton plus candidate regexes (the default), one big Python
alternation, and Hyperscan when the optional ``hyperscan`` package is installed.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from nudgeguard.evaluation.synthetic import generate
from nudgeguard.local.transcript import read_transcripts
from nudgeguard.pipeline.detectors.lexicon import load_lexicon
from nudgeguard.pipeline.detectors.matcher import AhoCorasickMatcher, AlternationMatcher, Pattern
from nudgeguard.pipeline.text import normalize


def _cpu_us(fn: Callable[[str], Any], texts: Sequence[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - start)
    return best / len(texts) * 1e6


def _hyperscan(patterns: Sequence[Pattern]) -> Callable[[str], Any] | None:
    try:
        hyperscan: Any = importlib.import_module("hyperscan")  # optional, x86-64 wheels only
    except ImportError:
        return None
    exprs = []
    for p in patterns:
        expr = f"\\b(?:{p.regex})\\b".encode()
        try:  # Hyperscan has no look-behind and no embedded anchors; skip those few
            hyperscan.Database().compile(
                expressions=[expr], ids=[0], elements=1, flags=[hyperscan.HS_FLAG_SOM_LEFTMOST]
            )
        except Exception:
            continue
        exprs.append(expr)
    db = hyperscan.Database()
    db.compile(
        expressions=exprs,
        ids=list(range(len(exprs))),
        elements=len(exprs),
        flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * len(exprs),
    )
    scratch = hyperscan.Scratch(db)

    def scan(text: str) -> list[tuple[int, int, int]]:
        hits: list[tuple[int, int, int]] = []
        db.scan(
            text.encode(),
            match_event_handler=lambda i, f, t, _fl, _c: hits.append((i, f, t)),
            scratch=scratch,
        )
        return hits

    return scan


def main(argv: Sequence[str]) -> None:
    """Print the measurement table."""
    if argv:
        raw = [m.text for path in argv for t in read_transcripts(path) for m in t.messages]
    else:
        raw = [r.text for r in generate(30_000)]
    texts = [normalize(t).text for t in raw]
    patterns = load_lexicon().patterns
    backends: dict[str, Callable[[str], Any] | None] = {
        "aho-corasick+regex": AhoCorasickMatcher(patterns).scan,
        "hyperscan": _hyperscan(patterns),
        "single alternation": AlternationMatcher(patterns).scan,
    }
    print(f"{len(patterns)} patterns, {len(texts)} messages")
    for name, fn in backends.items():
        if fn is None:
            print(f"  {name:20s} not installed")
            continue
        sample = texts if name != "single alternation" else texts[:2000]
        print(f"  {name:20s} {_cpu_us(fn, sample):8.2f} us/message")


if __name__ == "__main__":
    main(sys.argv[1:])
