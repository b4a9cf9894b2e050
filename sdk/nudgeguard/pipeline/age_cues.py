"""The age cue files, and whose age a number is.

``patterns/age.yaml`` (English) and one ``patterns/age_<lang>.yaml`` per further language
hold the cues that are not parsed in :mod:`nudgeguard.pipeline.age`: each with a band
(``minor``, ``adult``), or a key saying what its ``age`` group holds (``stated``: the
author's age; ``you``: the age of the person addressed; ``you_under``: an age the person
addressed has not reached), or ``asks`` for an age question. A file's ``others`` lists the
words after which a number is someone else's age ("mein bruder ist", "ele tem").
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from nudgeguard.inbox.events import AgeBand
from nudgeguard.pipeline.detectors.linear import LinearPattern, compile_linear
from nudgeguard.pipeline.detectors.matcher import Matcher, Pattern, build_matcher, expand_macros
from nudgeguard.pipeline.language import LANGUAGES

#: Number words read as ages ("im fourteen").
WORDS = {
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
}  # fmt: skip

#: School grades written as words ("eighth grade").
GRADE_NUM = {"fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
              "eleventh": 11, "twelfth": 12, "fourth": 4}  # fmt: skip

# Not after a future or a condition: "til im 18", "by the time im 30", "when i go to
# college". The cues of patterns/age.yaml use it as the macro <NOT_YET>.
NOT_YET = r"(?<!when )(?<!til )(?<!till )(?<!until )(?<!time )(?<!once )(?<!if )"
# The end of a word in every cue language, for the cue files' macro <WORD_END>. RE2's \b
# knows only ASCII letters ("min" would end inside "minúsculas"), and a sign such as "€"
# never ends a word for \b at all (it needs a letter after it).
_WORD_END = "(?:[^a-z0-9\u00e0-\u00f6\u00f8-\u00ff\u0153]|$)"

# Age questions in English; the other languages' are cues of band ``asks``.
_ASKS_AGE = (
    r"how old|asl|your age|what age|age\?|how young|what year were you born|"
    r"(?:what|which) grade|what year (?:are|r) (?:you|u|ya) in"
)

# Someone else's age: "my sister is in 8th grade", "he is 14". The other languages' words
# are each age_<lang>.yaml's `others` (see :func:`others`).
_OTHER_EN = (
    r"(?:my|his|her|their|your|our) (?:little |big |older |younger |baby |step ?)?"
    r"(?:brother|sister|bro|sis|son|daughter|cousin|kids?|child|friend|bf|gf|boyfriend|girlfriend|"
    r"dog|cat|niece|nephew|nephews|nieces|students?|class|team)|he|she|they|hes|shes|theyre"
)

#: The key of an age question.
ASKS = "asks"
#: The key of a number word ("fourteen"), so one anchor scan tells which rules run.
NUMBER_WORD = "number"

#: The key of a cue whose ``age`` group is the author's age ("ich bin 13").
STATED_KEY = "stated"
#: The key of a cue that states the age of the person addressed ("du bist 13?").
YOU_KEY = "you"
#: The key of a cue that says the person addressed is younger than its number ("if u were
#: 16 it would be legal", "wait till ur 18").
YOU_UNDER_KEY = "you_under"
ABOUT_YOU = (YOU_KEY, YOU_UNDER_KEY)


def _cue_files() -> list[str]:
    """``age.yaml`` (English) and one ``age_<lang>.yaml`` per further language."""
    folder = resources.files("nudgeguard.patterns")
    names = (f.name for f in folder.iterdir() if f.name.startswith("age_"))
    return ["age.yaml", *sorted(n for n in names if n.endswith(".yaml"))]


@lru_cache(maxsize=1)
def _cue_data() -> tuple[tuple[str, dict[str, Any]], ...]:
    """Each cue file's name and parsed YAML, read once."""
    folder = resources.files("nudgeguard.patterns")
    return tuple(
        (name, yaml.safe_load(folder.joinpath(name).read_text("utf-8"))) for name in _cue_files()
    )


@lru_cache(maxsize=1)
def others() -> LinearPattern:
    """Words that make the number after them someone else's age, in every cue language.

    English ("my sister", "he") and each file's ``others`` ("mein bruder ist", "ele tem").
    Applied whatever the message's language: it only takes an age away from the author,
    and its words of one language are not words of another ("er ist", not "er").
    """
    words = [_OTHER_EN]
    for name, data in _cue_data():
        if data.get("others"):
            words.append(expand_macros(str(data["others"]), dict(data.get("macros") or {}), name))
    return compile_linear(r"(?<![a-z])(?:" + "|".join(words) + r")(?![a-z])")


@lru_cache(maxsize=1)
def cue_matcher() -> Matcher:
    """One matcher for the age cues of ``patterns/age*.yaml`` and two helper keys.

    Each cue's key is its band (``minor``, ``adult``), ``stated`` for a cue whose ``age``
    group holds the number ("ich bin 13"), ``you`` for one whose ``age`` group holds the
    age of the person addressed ("du bist 13?"), ``you_under`` for one that says they are
    younger than it ("wenn du 18 wärst"), or ``asks`` for an age question. A file's
    ``lang`` (default ``en``) tags its cues (see :mod:`nudgeguard.pipeline.language`). The helper
    keys mark an age question (``asks``) and a number word (``number``), so one anchor scan
    tells which rules need to run.
    """
    patterns = []
    for name, data in _cue_data():
        lang = str(data.get("lang", "en"))
        if lang not in LANGUAGES:
            raise ValueError(f"{name}: unknown language {lang!r}")
        macros = {
            "NOT_YET": NOT_YET,
            "WORD_END": _WORD_END,
            **{str(k): str(v) for k, v in (data.get("macros") or {}).items()},
        }
        for c in data["cues"]:
            band = str(c["band"])
            if band not in (AgeBand.MINOR, AgeBand.ADULT, STATED_KEY, *ABOUT_YOU, ASKS):
                raise ValueError(f"{name}: unknown band {band!r}")
            regex = expand_macros(str(c["re"]), macros, name)
            if band in (STATED_KEY, *ABOUT_YOU) and "(?P<age>" not in regex:
                raise ValueError(f"{name}: a stated-age cue needs an (?P<age>...) group")
            patterns.append(Pattern(band, regex, float(c.get("c", 1.0)), lang))
    patterns.append(Pattern(ASKS, _ASKS_AGE))
    patterns.append(Pattern(NUMBER_WORD, "|".join([*WORDS, *GRADE_NUM, "grade"])))
    return build_matcher(patterns)


# Where the clause before a number starts: after the last sign or "and" ("my brother is 15
# and im 12": the brother is in the clause before).
_LAST_SIGN = compile_linear(r".*[,.;:!?]")
_LAST_AND = compile_linear(
    r"(?:^|.*[^a-z])(?:and|but|und|aber|en|maar|e|mas|y|pero|et|mais)(?:[^a-z]|$)"
)


def about_other(text: str, start: int) -> bool:
    """True when the words before ``start``, in its clause, name someone else (a sibling)."""
    if start <= 0:
        return False
    low = max(0, start - 40)
    window = text[low:start]
    ends = (m.end() for clause in (_LAST_SIGN, _LAST_AND) if (m := clause.match(window)))
    return others().search(text, low + max(ends, default=0), start) is not None
