"""Character n-grams for some languages only: the ``c34pt`` and ``c34rom`` variant kinds.

Each normalised text gets the language that :func:`nudgeguard.pipeline.language.identify`
gives its raw form (the message as written, as at run time), and character 3- and 4-grams
inside words are added only when that language is one of the kind's: Portuguese
(``c34pt``), or Portuguese, Spanish and French (``c34rom``, the Romance languages with
little training data); with a trailing ``n`` (``c34ptn``, ``c34romn``) also the texts
whose language the identifier leaves open (None). Every other text keeps the shipped word
n-grams exactly. A trailing ``w`` (``c34ptw``, ``c34romw``, ``c34ptnw``) weighs each
character n-gram 0.3, like ``c34w``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from nudgeguard.pipeline.language import identify
from nudgeguard.pipeline.text import normalize

#: Languages whose texts get character n-grams, per feature kind.
KINDS: dict[str, frozenset[str | None]] = {
    "c34pt": frozenset({"pt"}),
    "c34rom": frozenset({"pt", "es", "fr"}),
    "c34ptn": frozenset({"pt", None}),
    "c34romn": frozenset({"pt", "es", "fr", None}),
}
#: The language of each normalised text (filled by :func:`load`).
LANGS: dict[str, str | None] = {}


def chargram_languages(kind: str) -> frozenset[str | None] | None:
    """Return the languages a kind adds character n-grams for; None for other kinds."""
    return KINDS.get(kind.removesuffix("w"))


def _raw_messages(path: Path) -> Iterator[str]:
    """Yield every message text of one corpus file, as written."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            conv = json.loads(line)
            for m in conv.get("messages") or []:
                yield str(m.get("text") or "")
            for key in ("suspect_lines", "child_lines"):
                yield from (str(x) for x in conv.get(key) or [])


def load(paths: list[Path]) -> Counter[str | None]:
    """Fill :data:`LANGS` from the raw messages of ``paths``; return the texts per language.

    Raw forms that normalise to the same text may be identified differently: the text takes
    the most common answer (printed as ``conflicts``: how many texts had more than one).
    """
    seen: dict[str, Counter[str | None]] = {}
    for path in paths:
        for raw in _raw_messages(path):
            seen.setdefault(normalize(raw).text, Counter())[identify(raw)] += 1
    LANGS.clear()
    for text, answers in seen.items():
        LANGS[text] = answers.most_common(1)[0][0]
    tally: Counter[str | None] = Counter(LANGS.values())
    tally["conflicts"] = sum(len(a) > 1 for a in seen.values())
    return tally
