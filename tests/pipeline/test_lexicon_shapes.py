"""Every lexicon pattern, guard and age cue can match inside a sentence.

The matcher wraps each pattern in word boundaries. A pattern whose last required character
is a space ("jealous (?:of you)?", "a pic of the ") then matches only before punctuation or
the end of the text, so most real messages slip past it. Six patterns and one guard were
like that. This builds, for every entry, the shortest text its regex describes (first
alternative, optional parts left out), puts words around it, and checks the wrapped
pattern still finds it.
"""

from __future__ import annotations

import re
from pathlib import Path

# The regex parser the matcher reads its anchors with (Python 3.11+, as the project needs).
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

import pytest
import yaml

from nudgeguard.pipeline.age_cues import cue_matcher
from nudgeguard.pipeline.detectors.lexicon import load_lexicon
from nudgeguard.pipeline.detectors.matcher import expand_macros, wrap

LEXICON = Path(__file__).resolve().parents[2] / "sdk" / "nudgeguard" / "patterns" / "lexicon.yaml"


def _shortest(parsed) -> str:
    out = []
    for op, av in parsed:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.NOT_LITERAL or op is C.ANY:
            out.append(" ")
        elif op is C.IN:
            first = next(((o, a) for o, a in av if o is not C.NEGATE), None)
            if first is None or first[0] is C.CATEGORY:
                out.append("1" if first and first[1] is C.CATEGORY_DIGIT else "a")
            else:
                out.append(chr(first[1][0] if first[0] is C.RANGE else first[1]))
        elif op is C.BRANCH:
            out.append(_shortest(av[1][0]))
        elif op is C.SUBPATTERN:
            out.append(_shortest(av[-1]))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, _, sub = av
            if low == 0 and len(sub) == 1 and sub[0][0] is C.ANY:
                out.append(" ")  # ".{0,15}" between two words keeps them apart
            else:
                out.append(_shortest(sub) * low)
        elif op is C.CATEGORY:
            out.append("a")
        elif op is C.AT and av is C.AT_BEGINNING:
            out.append("^")  # a branch that starts the text: nothing may come before
        # other assertions (lookarounds, $) take no characters
    return "".join(out)


def _in_a_sentence(regex: str) -> str:
    core = _shortest(sre_parse.parse(regex)).strip()
    before = "" if core.startswith("^") else "well "
    core = core.lstrip("^")
    after = "" if regex.rstrip("?\\").endswith("$") else " then"
    return f"{before}{core}{after}"


def _entries() -> list[tuple[str, str]]:
    lexicon = load_lexicon()
    found = [(f"{p.key}:{i}", p.regex) for i, p in enumerate(lexicon.patterns)]
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    macros = {str(k): str(v) for k, v in data["macros"].items()}
    for sid, guards in data["guards"].items():
        for i, guard in enumerate(guards):
            found.append((f"guard:{sid}:{i}", expand_macros(str(guard), macros, sid)))
    found += [(f"age:{p.key}:{i}", p.regex) for i, p in enumerate(cue_matcher().patterns)]
    return found


@pytest.mark.parametrize(("name", "regex"), _entries(), ids=[n for n, _ in _entries()])
def test_each_pattern_matches_its_own_shortest_form_between_words(name, regex):
    text = _in_a_sentence(regex)
    assert re.search(wrap(regex), text), f"{name} cannot match {text!r} in a sentence"


def test_the_check_catches_a_trailing_space():
    # The shape of the old image guard: the space after the last word is required.
    regex = "pics? of (?:the|my) (?!(?:body|face))"
    assert re.search(wrap(regex), _in_a_sentence(regex)) is None
