"""Anchor extraction and the two matcher back-ends."""

import pytest

from nudgeguard.detectors.matcher import (
    AhoCorasickMatcher,
    AlternationMatcher,
    Pattern,
    PatternError,
    anchors,
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
