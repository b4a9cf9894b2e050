"""Age inference from what people say about themselves.

A participant who writes "im 13", "8th grade" or answers an age question with "14" is
probably a minor; "im 25", "in college" or "age is just a number" are adult cues. The
:class:`AgeDetector` reports these as ``minor_self_disclosure`` and ``adult_age_cue``
signals with an ``age_band`` and a confidence; the RiskTracker keeps the per-participant
inference, and a band declared by the platform or an admin always wins over it.

Guards keep ordinary numbers out: durations ("12 hours in"), ratings ("12/10"), the past
("when I was 12") and other people's ages ("my brother is 12") are not disclosures.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

from nudgeguard.cache import BoundedCache
from nudgeguard.inbox.events import AgeBand, MessageEvent
from nudgeguard.pipeline.age_cues import (
    ABOUT_YOU,
    ASKS,
    GRADE_NUM,
    NOT_YET,
    NUMBER_WORD,
    STATED_KEY,
    WORDS,
    YOU_UNDER_KEY,
    about_other,
    cue_matcher,
)
from nudgeguard.pipeline.detectors.linear import LinearMatch, LinearPattern, compile_linear
from nudgeguard.pipeline.detectors.matcher import Hit, Matcher
from nudgeguard.pipeline.language import applies, identify
from nudgeguard.pipeline.signals import Signal
from nudgeguard.pipeline.text import CACHE_MAX_CHARS, CACHE_SIZE, NormalizedText

MINOR_MAX = 17
#: Youngest age a self-disclosure is believed for (younger numbers are rarely ages here).
MINOR_MIN = 8
ADULT_MAX = 89

_NUM = r"(?P<age>\d{1,2}|" + "|".join(WORDS) + r")"
# What may not follow a number for it to be an age.
_UNITS = (
    r"(?!\s*(?:hours?|hrs?|h\b|mins?|minutes?|secs?|seconds?|days?|weeks?|wks?|months?|"
    r"percent|%|dollars?|bucks|usd|\$|euros?|pounds?|lbs?|kgs?|kilos?|am\b|pm\b|oclock|"
    r"feet|foot|ft|inch|inches|cm|mm|miles?|km|k\b|x\b|times|points|pts|kills|games|blocks?|"
    r"stops|floors|away\b|older\b|younger\b|ago\b|(?:yrs?|years?) (?:older|younger|ago|apart)\b|"
    r"levels?|lvl|pages|people|of\b|more|less|or more|items|pcs|gb|mb|fps|hz|min\b|"
    r"(?:th|st|nd|rd)\b|[/:.,]\d|'|-\d))"
)
_FIRST = (
    r"(?:im|i am|iam|i m|am|i just turned|just turned|i turned|i turn|im turning|ill be|"
    r"i will be|im only|im just|i am only|"
    # "me 14" is chat for "i am 14"; "you told me 42" and "give me 20" are not.
    r"(?<!told )(?<!tell )(?<!tells )(?<!give )(?<!gave )(?<!send )(?<!owe )(?<!to )me)"
)
_YEARS = r"(?:yo|y/o|yrs?|years?|year old|years old|yr old|yrs old)"
# "im actually 23", "im really only 14": at most two such words before the number.
_ADVERBS = (
    r"(?:(?:actually|really|truly|honestly|seriously|only|just|like|about|almost|nearly)\s+){0,2}"
)

_STATED = compile_linear(
    # Nor the past: "when i was 12".
    rf"(?<![a-z0-9])(?<!was )(?<!is ){NOT_YET}(?:{_FIRST})\s+"
    rf"{_ADVERBS}{_NUM}(?:\s*{_YEARS})?(?![a-z0-9]){_UNITS}"
)
# "14 years old" on its own, or after "and", "but", "f" or "m" as whole words (the "f" of
# "of 8 years" and the "m" of "im 14 years older" are not a sex); not a question
# ("14 years old?") nor a kind of people ("14 year old girls are ...").
_YEARS_OLD = compile_linear(
    rf"(?:^|(?<![a-z0-9])(?:and|but|just|only|guy|girl|boy|male|female|f|m)\s+)"
    rf"{_NUM}\s*{_YEARS}(?![a-z0-9])(?!\s*(?:old\s*)?(?:\?|(?:girls|boys|kids|guys|children)\b))"
)
_ASL = compile_linear(
    rf"(?:^|asl\W*|a s l\W*)(?:{_NUM}\s*[/ ,.\-]?\s*(?:f|m|female|male|girl|boy|fem|guy)"
    rf"(?![a-z0-9])|(?:f|m|female|male|girl|boy|guy)\s*[/ ,.\-]?\s*(?P<age2>\d{{1,2}})"
    rf"(?![0-9])(?:\s*[/ ,.\-]|$))"
)
_BARE = compile_linear(
    rf"^(?:im\s+|i am\s+|am\s+|about\s+|almost\s+|like\s+)?{_NUM}(?![a-z0-9]){_UNITS}"
    # A guess at the asker's age ("25?", "25 i guess", "30 maybe") is not one's own.
    r"(?!\s*(?:\?|i guess|i think|maybe|or so)|.*\bguess)"
)
# A grade alone in reply to an age or grade question ("7th", "in 8th", "year 7"): a school
# grade or a British school year (year 13 is the last, at 17).
_BARE_GRADE = compile_linear(
    r"^(?:im in\s+|im\s+|in\s+)?"
    r"(?:(?:the\s+)?(?P<grade>\d{1,2})(?:th|st|nd|rd)|year\s+(?P<year>\d{1,2}))(?![a-z0-9])"
    r"(?!\s*(?:place|time|floor|try|attempt|round|level|lvl|birthday|of|\?))"
)
# A joke marker right after a stated age ("im 20 lol"): the statement counts for less, so an
# earlier plain one stands.
_JOKE = compile_linear(r"\W*(?:lol|lmao|lmfao|rofl|jk|j k|haha\w*|hehe\w*|kidding|jking|joking)\b")
#: Confidence of a stated age followed by a joke marker.
JOKING = 0.7
#: What ``\d`` matches in the linear-time engine (ASCII digits), for a test with no regex.
_DIGITS = frozenset("0123456789")
# What someone says of the person they talk to: "ur 13", "r u 14?", "u just turned 15".
_TO_YOU = compile_linear(
    r"(?<![a-z0-9])(?:(?:you|ya) (?:are|r|is)|(?:are|r) (?:you|ya)|your|youre|"
    r"(?:you|ya) (?:just )?turned)\s+"
    rf"(?:(?:only|just|really|still|actually|like|almost|barely)\s+)?{_NUM}"
    r"(?:\s*(?:yo|years? old|yrs? old))?"
    r"(?=\s*(?:$|[?!.,]|(?:and|but|right|now|too|so|lol|haha|i|im|or|already|huh|yet|then|"
    r"though|tho|yeah|ok|really|rly|fr|srsly|seriously)\b))"
)
#: Confidence of an age someone else states: less than the person's own word.
STATED_BY_OTHER = 0.6
_GRADE = compile_linear(
    r"(?:^|(?<![a-z0-9])(?:im|i am|iam|im in|i am in|in|starting|going into|just finished|"
    r"finished)\s+)"
    r"(?:the\s+)?(?P<grade>\d{1,2}|" + "|".join(GRADE_NUM) + r")(?:th|st|nd|rd)?\s+grade(?![a-z])"
)
# "r u in 8th grade?", "ur in 7th grade": a grade said of the person addressed.
_GRADE_YOU = compile_linear(
    r"(?<![a-z0-9])(?:(?:are|r) (?:you|ya)|(?:you|ya) (?:are|r)|your|youre)\s+"
    r"(?:(?:still|only|just|really)\s+)?(?:in|starting|going into)\s+(?:the\s+)?"
    r"(?P<grade>\d{1,2}|" + "|".join(GRADE_NUM) + r")(?:th|st|nd|rd)?\s+grade(?![a-z])"
)
# An age question about someone else ("how old is he?") is not answered by their own age.
_ASKS_THIRD = compile_linear(
    r"how old (?:is|was|are|were|r) (?:he|she|they|his|her|their|the|my|that|this|your|"
    r"ur (?!you))|how old (?:is|was) (?!it)"
)


_NO_KEYS: frozenset[str] = frozenset()
_NOTHING: tuple[tuple[Signal, ...], bool] = ((), False)


def _age(match: LinearMatch) -> int | None:
    raw = match.group("age") if "age" in match.re.groupindex else None
    if raw is None and "age2" in match.re.groupindex:
        raw = match.group("age2")
    if raw is None:
        return None
    if raw.isdigit():
        return int(raw)
    return WORDS.get(raw)


def _numeric(text: str, answering: bool) -> Signal | None:
    """Stated ages, asl answers, grades and (when answering) bare numbers."""
    for regex, conf in ((_STATED, 0.95), (_ASL, 0.9), (_YEARS_OLD, 0.85)):
        m = regex.search(text)
        if m is not None and not about_other(text, m.start()):
            band = _band(_age(m))
            if band is not None:
                joking = _JOKE.match(text, m.end()) is not None
                return _signal(band, m.span(), JOKING if joking else conf)
    m = _GRADE.search(text)
    if m is not None and not about_other(text, m.start()):
        raw = m.group("grade")
        grade = int(raw) if raw.isdigit() else GRADE_NUM[raw]
        if 1 <= grade <= 12:
            return _signal(AgeBand.MINOR, m.span(), 0.9)
    if answering:
        m = _BARE.search(text)
        if m is not None:
            band = _band(_age(m))
            if band is not None:
                return _signal(band, m.span(), 0.8)
        m = _BARE_GRADE.search(text)
        if m is not None and 1 <= int(m.group("grade") or m.group("year")) <= 13:
            return _signal(AgeBand.MINOR, m.span(), 0.8)
    return None


def _band(age: int | None) -> AgeBand | None:
    if age is None:
        return None
    if MINOR_MIN <= age <= MINOR_MAX:
        return AgeBand.MINOR
    if MINOR_MAX < age <= ADULT_MAX:
        return AgeBand.ADULT
    return None


def _signal(band: AgeBand, span: tuple[int, int], confidence: float) -> Signal:
    sid = "minor_self_disclosure" if band is AgeBand.MINOR else "adult_age_cue"
    return Signal(sid, span, confidence, "age", age_band=band)


def _of_other(text: str) -> Signal | None:
    """The age a text states for the person addressed ("ur 13"), as an ``age_probe``."""
    m = _TO_YOU.search(text)
    if m is not None:
        band = _band(_age(m))
        if band is not None:
            return Signal(
                "age_probe", m.span(), STATED_BY_OTHER, "age", age_band=band, about_target=True
            )
    m = _GRADE_YOU.search(text)
    if m is not None:
        raw = m.group("grade")
        if 1 <= (int(raw) if raw.isdigit() else GRADE_NUM[raw]) <= 12:
            return Signal(
                "age_probe",
                m.span(),
                STATED_BY_OTHER,
                "age",
                age_band=AgeBand.MINOR,
                about_target=True,
            )
    return None


def _said_of_you(text: str, hits: list[Hit], cues: Matcher) -> Signal | None:
    """The age a ``you`` or ``you_under`` cue says of the person addressed, as an age_probe.

    The English forms ("ur 13") are :func:`_of_other`'s; the other languages' are cues, and
    so are the "younger than" forms of every language, read first ("wait till ur 18").
    """
    for hit in hits:
        key = cues.patterns[hit.index].key
        if key not in ABOUT_YOU:
            continue
        m = cues.regexes[hit.index].search(text, hit.start)
        age = _age(m) if m is not None else None
        if age is not None and key == YOU_UNDER_KEY:
            age -= 1  # younger than the number: its band is that of the year before
        band = _band(age)
        if m is not None and band is not None:
            return Signal(
                "age_probe", m.span(), STATED_BY_OTHER, "age", age_band=band, about_target=True
            )
    return None


def _infer(
    text: str, hits: list[Hit], answering: bool, lang: str | None = None
) -> tuple[tuple[Signal, ...], bool]:
    """Return a normalised text's age signals and whether it asks someone's age.

    ``hits`` are the text's cue-scan hits; cues of a language other than ``lang`` (the
    message's, None when unclear) are left out. At most one signal about the author (the
    strongest) and one about the person addressed (``about_target``).
    """
    cues = cue_matcher()
    if hits and lang is not None:
        hits = [h for h in hits if applies(cues.patterns[h.index].lang, lang)]
    keys = {cues.patterns[h.index].key for h in hits} if hits else _NO_KEYS
    asks = ASKS in keys and _ASKS_THIRD.search(text) is None
    own: Signal | None = None
    other: Signal | None = None
    start = end = 0  # where the age said of the person addressed is: not the author's
    if NUMBER_WORD in keys or not _DIGITS.isdisjoint(text):
        other = (_said_of_you(text, hits, cues) if hits else None) or _of_other(text)
        start, end = other.span if other is not None else (0, 0)
        rest = text[:start] + " " * (end - start) + text[end:]  # offsets stay valid
        own = _numeric(rest, answering)
    if own is None:
        for hit in hits:
            cue = cues.patterns[hit.index]
            if cue.key in (ASKS, NUMBER_WORD, *ABOUT_YOU) or start <= hit.start < end:
                continue
            if cue.key == STATED_KEY:
                found = _stated_age(text, cues.regexes[hit.index], cue.confidence, hit)
            else:
                found = _signal(AgeBand(cue.key), (hit.start, hit.end), cue.confidence)
            if found is not None and (own is None or found.confidence > own.confidence):
                own = found
    if own is None:
        return ((), asks) if other is None else ((other,), asks)
    return ((own,), asks) if other is None else ((own, other), asks)


def _stated_age(text: str, regex: LinearPattern, confidence: float, hit: Hit) -> Signal | None:
    """The signal of a stated-age cue ("tengo 12 años"), or None for no plausible age.

    ``regex`` is the cue's compiled form, the one that found ``hit``: searched again from
    the hit's start, it yields the same match with its ``age`` group.
    """
    m = regex.search(text, hit.start)
    if m is None or about_other(text, m.start()):
        return None
    band = _band(_age(m))
    if band is None:
        return None
    joking = _JOKE.match(text, m.end()) is not None
    return _signal(band, m.span(), JOKING if joking else confidence)


class AgeDetector:
    """Reports self-disclosed ages and adult cues about the message's author.

    It remembers, per conversation, who asked an age question in the last few messages so
    that a bare "14" in reply counts. That memory is bounded (``max_conversations``).
    """

    name = "age"
    #: How many messages after an age question a bare number still counts as an answer.
    answer_window = 4

    def __init__(self, max_conversations: int = 50_000) -> None:
        self._asked: OrderedDict[tuple[str, str], tuple[str, int]] = OrderedDict()
        self._max = max_conversations
        self._cues = cue_matcher()
        self._cache: BoundedCache[tuple[str, bool, str | None], tuple[tuple[Signal, ...], bool]] = (
            BoundedCache(CACHE_SIZE)
        )

    def _remember(self, key: tuple[str, str], asker: str) -> None:
        self._asked[key] = (asker, 0)
        self._asked.move_to_end(key)
        while len(self._asked) > self._max:
            self._asked.popitem(last=False)

    def infer(self, text: str, answering: bool = False, raw: str | None = None) -> Signal | None:
        """Return the strongest age signal about the author of a normalised text, if any.

        ``raw`` (the text as written) decides the message's language; without it, the cues
        of every language apply.
        """
        found = self._infer(text, answering, raw=raw)[0]
        return next((s for s in found if not s.about_target), None)

    def _infer(
        self, text: str, answering: bool, digits: bool = True, raw: str | None = None
    ) -> tuple[tuple[Signal, ...], bool]:
        """Return the age signal in ``text`` and whether it asks someone's age.

        The cue scan and a digit test settle most messages; only texts that need the
        number and cue rules go through the cache (a lookup costs more than the scan).
        ``digits`` False says the text has no digit (see :class:`NormalizedText`). The
        language of ``raw`` is looked up only when a cue of some language matched.
        """
        hits = self._cues.scan(text, digits)
        if not hits and (not digits or _DIGITS.isdisjoint(text)):
            return _NOTHING
        patterns = self._cues.patterns
        lang = None
        if raw is not None and any(patterns[h.index].lang is not None for h in hits):
            lang = identify(raw)
        if len(text) > CACHE_MAX_CHARS:
            return _infer(text, hits, answering, lang)
        key = (text, answering, lang)
        found = self._cache.get(key)
        if found is None:
            found = _infer(text, hits, answering, lang)
            self._cache.put(key, found)
        return found

    def detect_joined(self, text: NormalizedText, event: MessageEvent) -> list[Signal]:
        """Return the age said in the author's last words joined to a short message.

        The engine's reading of phrases cut over messages ("im" / "35", "ich bin" / "13"; see
        :meth:`~nudgeguard.pipeline.detection.Detection.detect`). Read as a statement, never
        as an answer to an age question, and not remembered as one. Spans are ``(0, 0)``:
        a joined text points into no single message.
        """
        found, _ = self._infer(text.text, False, text.digits, text.raw)
        return [replace(s, span=(0, 0)) for s in found]

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        """Return age signals: at most one about the author, one about the person addressed."""
        key = (event.community_id, event.conversation_id)
        answering = False
        asked = self._asked.get(key)
        if asked is not None:
            asker, since = asked
            if since < self.answer_window:  # past the window nothing counts as an answer
                answering = asker != event.author.id
                self._asked[key] = (asker, since + 1)
        found, asks = self._infer(text.text, answering, text.digits, text.raw)
        if asks:
            self._remember(key, event.author.id)
        return list(found)
