"""Matching time: every pattern runs on a linear-time engine, whatever a message holds.

The attack class is a message built from a pattern's own alternatives, repeated (Python's
backtracking ``re`` took 71 s on 178 characters of "a few " for an image-request pattern).
Time is not asserted; the engine that runs each pattern and the work it did are.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nudgeguard.inbox.events import MAX_TEXT_CHARS, MessageEvent, Participant
from nudgeguard.pipeline import age, age_cues
from nudgeguard.pipeline.detectors import lexicon
from nudgeguard.pipeline.detectors.anchors import PatternError
from nudgeguard.pipeline.detectors.linear import ENGINE, MAX_RETRIES, LinearPattern, compile_linear
from nudgeguard.pipeline.text import normalize


def _every_pattern() -> list[tuple[str, LinearPattern]]:
    lex, matcher = lexicon._bundled()
    found = [
        (f"lexicon {p.key} #{i}", r)
        for i, (p, r) in enumerate(zip(matcher.patterns, matcher.regexes, strict=True))
    ]
    found += [
        (f"guard {key} {lang or 'any'}", g)
        for key, pairs in lex.guards.items()
        for lang, g in pairs
    ]
    cues = age_cues.cue_matcher()
    found += [(f"age cue #{i}", r) for i, r in enumerate(cues.regexes)]
    found.append(("age others", age_cues.others()))
    for module in (age, age_cues, lexicon):
        found += [
            (f"{module.__name__}.{name}", v)
            for name, v in vars(module).items()
            if isinstance(v, LinearPattern)
        ]
    return found


PATTERNS = _every_pattern()
# Runs of letters and spaces in a pattern's source: its literal alternatives ("a few ").
_LITERALS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


def _hostile(regex: str) -> list[str]:
    """Messages made of the pattern's own alternatives, repeated up to the length cap."""
    parts = sorted(set(_LITERALS.findall(regex)), key=lambda p: (len(p), p))
    if not parts:
        return []
    messages = []
    for chunk in (parts, parts[:2], parts[-2:], [" ".join(parts)]):
        unit = " ".join(chunk) + " "
        body = unit * (MAX_TEXT_CHARS // len(unit) + 1)
        messages.append(body[:MAX_TEXT_CHARS])
        messages.append(body[: MAX_TEXT_CHARS - 1] + "!")
    return messages


def test_every_detector_pattern_runs_on_the_linear_engine() -> None:
    assert len(PATTERNS) > 300
    assert {p.engine for _, p in PATTERNS} == {ENGINE} == {"re2"}


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_pattern_fed_its_own_alternatives_does_bounded_work(
    name: str, pattern: LinearPattern
) -> None:
    for message in _hostile(pattern.pattern):
        before = pattern.retries
        pattern.search(message)
        # One search tries at most 1 + MAX_RETRIES candidates, each a linear pass.
        assert pattern.retries - before <= MAX_RETRIES + 1, name


def test_the_reported_image_request_attack_is_still_detected() -> None:
    detector = lexicon.LexiconDetector()
    for filler in ("a few ", "any more ", "some more "):
        text = "send me " + filler * ((MAX_TEXT_CHARS - 20) // len(filler)) + "pics"
        event = MessageEvent(
            platform="t", community_id="c", conversation_id="d", message_id="m",
            author=Participant(id="a"), text=text, ts=1.0,
        )  # fmt: skip
        found = {s.id for s in detector.detect(normalize(event.text), event)}
        assert "image_request" in found


def test_a_pattern_that_needs_backtracking_is_refused_at_load_time() -> None:
    with pytest.raises(PatternError, match="linear time"):
        lexicon.parse_lexicon({"signals": {"image_request": [r"(send) pics \1"]}})


def test_lookarounds_keep_their_meaning() -> None:
    liked = compile_linear(r"i like (?:you|ya)(?! too)", bounded=True)
    assert liked.search("i like you too") is None
    assert liked.search("i like you too but i like you") is not None
    other = compile_linear(r"(?<![a-z])(?:he|hes)(?![a-z])")
    m = other.search("xhes, hes here")
    assert m is not None and m.span() == (6, 9)
    assert compile_linear(r"(?<!i )dont know").search("i dont know") is None


# Patterns whose edge lookarounds are consumed by RE2 (see nudgeguard.pipeline.detectors.linear),
# beside ones that keep them as checks: a top-level alternation, a lookbehind of words.
_EDGE_PATTERNS = [
    r"(?<![a-z])(?:he|hes|she)(?![a-z])",
    r"(?<![a-z0-9])(?:im|i am)\s+(?P<age>\d{1,2})(?![a-z0-9])",
    r"(?<!\d)\d{3}(?!\d)",
    r"(?<![a-z])(?:ur|you are) (?P<age>\d{1,2})(?=\s*(?:$|[?!.,]|(?:and|lol)\b))",
    r"(?<![a-z])he(?![a-z])|she",
    r"(?<![a-z])(?<!was )im (?:1[0-7])(?![0-9])",
    r"(?:a|ab)(?![a-z])",
]
_EDGE_WORDS = ["he", "hes", "she", "the", "im", "i am", "was", "ur", "you are", "14", "1234",
               "x", "and", "lol", "ab", "a", " ", "?", ",", "9"]  # fmt: skip


@given(st.lists(st.sampled_from(_EDGE_WORDS), max_size=12), st.booleans())
def test_edge_lookarounds_find_what_python_re_finds(words: list[str], spaced: bool) -> None:
    text = (" " if spaced else "").join(words)
    for regex in _EDGE_PATTERNS:
        ours, theirs = compile_linear(regex).search(text), re.search(regex, text)
        assert (ours and ours.span()) == (theirs and theirs.span()), (regex, text)
        if theirs is not None and theirs.re.groupindex.get("age"):
            assert ours is not None and ours.group("age") == theirs.group("age")
        at = theirs.start() if theirs is not None else len(text) // 2
        m, expected = compile_linear(regex).match(text, at), re.compile(regex).match(text, at)
        assert (m and m.span()) == (expected and expected.span()), (regex, text, at)


def test_a_word_inside_another_costs_no_retry() -> None:
    other = compile_linear(r"(?<![a-z])(?:he|she|they)(?![a-z])")
    assert other.search("the theme there then, whether they") is not None
    assert other.search("the other ones then there") is None
    assert other.retries == 0


async def test_the_bench_hostile_set_goes_through_the_pipeline_without_an_error() -> None:
    from nudgeguard.cases.sqlite import SqliteCaseStore
    from nudgeguard.engine import Engine
    from nudgeguard.evaluation.adversarial import hostile_messages
    from nudgeguard.policy import load_policy
    from nudgeguard.state.store import MemoryStateStore

    engine = Engine(
        load_policy("default"), cases=SqliteCaseStore(":memory:"), state=MemoryStateStore()
    )
    await engine.start(background=False)
    messages = hostile_messages()
    for i, text in enumerate(messages):
        await engine.handle(
            MessageEvent(
                platform="t",
                community_id="c",
                conversation_id=f"c{i}",
                message_id=str(i),
                author=Participant(id=f"u{i}"),
                text=text,
                ts=1.0 + i,
            )
        )
    await engine.stop()
    assert len(messages) > 300
    assert engine.stats.errors == 0 and not engine.stats.detector_errors
    assert engine.stats.events == len(messages)
