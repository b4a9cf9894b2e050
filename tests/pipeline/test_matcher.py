"""Anchor extraction and the two matcher back-ends."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudgeguard.pipeline.age_cues import cue_matcher
from nudgeguard.pipeline.detectors.anchors import (
    PatternError,
    anchors,
    needs_digit,
    scan_anchors,
    scan_form,
)
from nudgeguard.pipeline.detectors.lexicon import _bundled
from nudgeguard.pipeline.detectors.matcher import (
    AhoCorasickMatcher,
    AlternationMatcher,
    Pattern,
    wrap,
)


def test_anchor_is_a_literal_every_match_contains():
    assert anchors("how old (?:are|r) you") <= {"how old are you", "how old r you", "how old "}
    found = anchors("(?:send|show) me [a-z]+")
    assert all(a.startswith(("send", "show")) for a in found)


def test_unanchorable_pattern_is_rejected():
    with pytest.raises(PatternError):
        anchors("[a-z]+ [0-9]+")


@pytest.mark.parametrize("cls", [AhoCorasickMatcher, AlternationMatcher])
def test_matchers_return_spans_with_word_boundaries(cls):
    m = cls([Pattern("a", "cam"), Pattern("b", "pick (?:you|u) up")])
    hits = m.scan("i can pick you up, no camera")
    assert [(h.index, h.start, h.end) for h in hits] == [(1, 6, 17)]
    assert [h.index for h in m.scan("on cam now")] == [0]


def test_scan_form_turns_every_non_word_character_into_a_space():
    assert scan_form("hi, r u 13?") == " hi  r u 13  "
    assert scan_form("caf\u00e9 y/o") == " caf  y o "
    assert len(scan_form("\u00e9\u00e9\u00e9 x")) == len("\u00e9\u00e9\u00e9 x") + 2


def test_anchors_at_word_edges_carry_the_boundary_space():
    # "pick you up" must start and end a word, so the automaton looks for it with spaces
    # around it and does not fire on "toothpick you upset".
    assert scan_anchors("pick (?:you|u) up") == {" pick you up ", " pick u up "}
    m = AhoCorasickMatcher([Pattern("a", "pick (?:you|u) up")])
    assert m.scan("toothpick you upset") == []
    assert [h.start for h in m.scan("ok, pick you up?")] == [4]


def test_a_literal_after_an_open_part_has_no_boundary_added():
    # The word before "street" is any word: only the space the pattern itself has counts.
    assert scan_anchors(r"\d+ [a-z]+ (?:street|road)") == {" street ", " road "}
    assert scan_anchors(r"x[0-9]+ab") == {"ab "}
    m = AhoCorasickMatcher([Pattern("a", r"\d+ [a-z]+ (?:street|road)"), Pattern("b", "x[0-9]+ab")])
    assert [h.index for h in m.scan("i live at 12 main street, x5ab")] == [0, 1]


def test_patterns_that_need_a_digit_are_left_out_of_texts_without_one():
    assert needs_digit(r"\d+ [a-z]+ street")
    assert needs_digit(r"^(?:im )?[0-9]{1,2} (?:and )?(?:you|u)\?")
    assert needs_digit("(?:13|fourteen 4)")
    assert not needs_digit(r"(?:\d+|a few) days")
    assert not needs_digit(r"age \d?")
    # "14 and you?" is an age question; its anchor "you" is in most chat, and without a
    # digit in the text the pattern is never tried.
    m = AhoCorasickMatcher([Pattern("asks", r"\d{1,2} and you"), Pattern("cam", "cam")])
    assert [h.index for h in m.scan("14 and you, on cam")] == [0, 1]
    assert [h.index for h in m.scan("and you, on cam", digits=False)] == [1]


def _every_match(m: AhoCorasickMatcher, text: str) -> list[tuple[int, int, int]]:
    found = []
    for i, p in enumerate(m.patterns):
        hit = re.search(wrap(p.regex), text)
        if hit is not None:
            found.append((i, hit.start(), hit.end()))
    return found


_PIECES = [
    "you", "u", "ur", "your", "yo", "pick", "up", "send", "me", "a", "pic", "cam", "how",
    "old", "r", "are", "13", "14", "im", "dont", "tell", "anyone", "snap", "add", "meet",
    "parents", "home", "alone", "id", "did", "toothpick", "y/o", "$20", "grade", "8th",
    "caf\u00e9", "\u00e9", ",", ".", "?", "!", "-", "'", "/", "@", ":)", "\u2019",
    # whole phrases (paraphrases written for this test), so that matches are common
    "how old r you", "send me a pic", "dont tell anyone", "add me on snap", "im 13",
    "i can pick you up", "are your parents home", "what grade are you in", "you are 14",
    "12 main street", "x5ab",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.lists(st.sampled_from([" ", "", "  "])))
def test_anchor_scan_finds_exactly_what_every_pattern_would(words, gaps):
    """The automaton only pre-selects patterns: it may never hide a match."""
    text = "".join(w + (gaps[i] if i < len(gaps) else " ") for i, w in enumerate(words))
    for matcher in (_bundled()[1], cue_matcher()):
        assert isinstance(matcher, AhoCorasickMatcher)
        got = [(h.index, h.start, h.end) for h in matcher.scan(text)]
        assert got == _every_match(matcher, text)
        if not any(c.isdigit() for c in text):  # the patterns left out could not match
            assert [(h.index, h.start, h.end) for h in matcher.scan(text, digits=False)] == got
