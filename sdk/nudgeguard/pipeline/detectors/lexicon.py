"""The lexicon detector: taxonomy patterns from data, compiled into one matcher."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from nudgeguard.cache import BoundedCache
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.pipeline.detectors.anchors import PatternError, anchors
from nudgeguard.pipeline.detectors.linear import LinearPattern, compile_linear
from nudgeguard.pipeline.detectors.matcher import (
    Matcher,
    Pattern,
    build_matcher,
    expand_macros,
    linear,
)
from nudgeguard.pipeline.language import LANGUAGES, applies, identify
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.pipeline.text import CACHE_MAX_CHARS, CACHE_SIZE, NormalizedText

# Child PII has shapes rather than words; checked on the text before de-obfuscation.
_PHONE = compile_linear(r"(?<!\d)(?:\+?\d{1,3}[ .\-]?)?\(?\d{3}\)?[ .\-]?\d{3}[ .\-]?\d{4}(?!\d)")
_EMAIL = compile_linear(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}")
_MAPS = compile_linear(r"maps\.(?:google|app)|goo\.gl/maps|maps\.apple")
_DIGITS = compile_linear(r"\d{3}")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Patterns and guards loaded from YAML lexicon files.

    ``guards`` maps a signal id to ``(language, regex)`` pairs: a guard of one language
    cancels that signal only in messages of its language or of unclear language.
    """

    patterns: tuple[Pattern, ...]
    guards: Mapping[str, tuple[tuple[str | None, LinearPattern], ...]]
    version: int = 1


def _language(value: object, where: str) -> str | None:
    """A lexicon's or entry's ``lang``: a code of :data:`LANGUAGES`, or ``any`` (None)."""
    lang = str(value)
    if lang == "any":
        return None
    if lang not in LANGUAGES:
        raise PatternError(f"unknown language {lang!r} in {where}")
    return lang


def parse_lexicon(data: Mapping[str, Any]) -> Lexicon:
    """Validate and expand a lexicon mapping (the YAML document).

    The document's ``lang`` (default ``en``) tags every pattern and guard in it; an entry
    may carry its own ``lang`` (``any`` for words that are the same in every language,
    such as app names).

    Raises:
        PatternError: Unknown signal id, macro or language, a bad regex or an
            unanchorable pattern.
    """
    macros = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}
    lang = _language(data.get("lang", "en"), "lexicon")
    patterns: list[Pattern] = []
    for sid, entries in (data.get("signals") or {}).items():
        if sid not in TAXONOMY:
            raise PatternError(f"unknown signal id {sid!r} in lexicon")
        for entry in entries or []:
            entry_lang = lang
            if isinstance(entry, str):
                regex, conf = entry, 1.0
            elif isinstance(entry, Mapping) and "re" in entry:
                regex, conf = str(entry["re"]), float(entry.get("c", 1.0))
                if "lang" in entry:
                    entry_lang = _language(entry["lang"], f"a {sid!r} entry")
            else:
                raise PatternError(f"bad entry under {sid!r}: expected a string or {{re, c}}")
            if not 0.0 < conf <= 1.0:
                raise PatternError(f"confidence of a {sid!r} pattern must be in (0, 1]")
            expanded = expand_macros(regex, macros, sid)
            anchors(expanded)  # raises PatternError for a bad or unanchorable pattern
            linear(expanded)  # and for one the linear-time engine cannot run
            patterns.append(Pattern(sid, expanded, conf, entry_lang))
    guards: dict[str, tuple[tuple[str | None, LinearPattern], ...]] = {}
    for sid, entries in (data.get("guards") or {}).items():
        if sid not in TAXONOMY:
            raise PatternError(f"unknown signal id {sid!r} in lexicon guards")
        joined = "|".join(f"(?:{expand_macros(str(e), macros, sid)})" for e in entries or [])
        try:
            re.compile(joined)
        except re.error as exc:
            raise PatternError(f"invalid guard for {sid!r}: {exc}") from None
        guards[sid] = ((lang, linear(joined)),)
    return Lexicon(tuple(patterns), guards, int(data.get("version", 1)))


def merge(lexicons: Sequence[Lexicon]) -> Lexicon:
    """Return one lexicon with the patterns and guards of all of ``lexicons``."""
    guards: dict[str, tuple[tuple[str | None, LinearPattern], ...]] = {}
    for lex in lexicons:
        for sid, pairs in lex.guards.items():
            guards[sid] = (*guards.get(sid, ()), *pairs)
    patterns = tuple(p for lex in lexicons for p in lex.patterns)
    return Lexicon(patterns, guards, max((lex.version for lex in lexicons), default=1))


def _read(raw: str) -> Lexicon:
    data = yaml.safe_load(raw)
    if not isinstance(data, Mapping):
        raise PatternError("a lexicon file must be a YAML mapping")
    return parse_lexicon(data)


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load the bundled lexicons, or the YAML file at ``path``.

    The bundled ones are ``lexicon.yaml`` (English) and one ``lexicon_<lang>.yaml`` per
    further language, merged.
    """
    if path is not None:
        return _read(Path(path).read_text(encoding="utf-8"))
    folder = resources.files("nudgeguard.patterns")
    others = (f.name for f in folder.iterdir() if f.name.startswith("lexicon_"))
    names = ["lexicon.yaml", *sorted(n for n in others if n.endswith(".yaml"))]
    return merge([_read(folder.joinpath(n).read_text("utf-8")) for n in names])


@lru_cache(maxsize=1)
def _bundled() -> tuple[Lexicon, Matcher]:
    """The bundled lexicon and its matcher, built once per process (they are read-only)."""
    lexicon = load_lexicon()
    return lexicon, build_matcher(lexicon.patterns)


class LexiconDetector:
    """Reports taxonomy signals found by the pattern lexicon.

    At most one signal per id per message (the most confident pattern wins). A signal whose
    pattern only matched after de-obfuscation carries ``evasion=True``.
    """

    name = "lexicon"

    def __init__(self, lexicon: Lexicon | None = None, backend: str = "auto") -> None:
        if lexicon is None and backend == "auto":
            self.lexicon, self.matcher = _bundled()
        else:
            self.lexicon = lexicon or load_lexicon()
            self.matcher = build_matcher(self.lexicon.patterns, backend)
        self._cache: BoundedCache[str, tuple[Signal, ...]] = BoundedCache(CACHE_SIZE)

    def find(
        self, text: str, raw: str | None = None, digits: bool = True
    ) -> dict[str, tuple[float, int, int]]:
        """Return ``{signal id: (confidence, start, end)}`` for a normalised string.

        Args:
            text: The normalised text.
            raw: The message as written. When given, patterns and guards of a language
                other than the message's are left out (the mismatch rule, see
                :mod:`nudgeguard.pipeline.language`); the language is only looked up when a
                language-tagged pattern matched.
            digits: False when ``text`` has no digit: the patterns that need one are
                left out (see :attr:`NormalizedText.digits`).
        """
        found: dict[str, tuple[float, int, int]] = {}
        hits = self.matcher.scan(text, digits)
        if not hits:
            return found
        patterns = self.matcher.patterns
        lang: str | None = None
        if raw is not None and any(patterns[h.index].lang is not None for h in hits):
            lang = identify(raw)
        for hit in hits:
            p = patterns[hit.index]
            if lang is not None and not applies(p.lang, lang):
                continue
            prev = found.get(p.key)
            if prev is None or p.confidence > prev[0]:
                found[p.key] = (p.confidence, hit.start, hit.end)
        if found:
            guards = self.lexicon.guards
            for key in [k for k in found if k in guards]:
                for guard_lang, guard in guards[key]:
                    if applies(guard_lang, lang) and guard.search(text) is not None:
                        del found[key]
                        break
        return found

    def detect(self, text: NormalizedText, event: MessageEvent) -> Sequence[Signal]:
        """Return the signals in one message (cached for short texts: they repeat).

        The cache is keyed by the text as written: it decides both the normalised form and
        the language.
        """
        if len(text.text) > CACHE_MAX_CHARS:
            return self._detect(text)
        key = text.raw
        hit = self._cache.get(key)
        if hit is None:
            hit = tuple(self._detect(text))
            self._cache.put(key, hit)
        return list(hit)

    def detect_joined(self, text: NormalizedText, event: MessageEvent) -> list[Signal]:
        """Return the signals in the author's last words joined to a short message.

        The engine's reading of phrases cut over several messages (see
        :meth:`~nudgeguard.pipeline.detection.Detection.detect`); not cached, since such a
        text rarely repeats. Offsets in a joined text point into no message: every span is
        ``(0, 0)``.
        """
        return [replace(s, span=(0, 0)) for s in self._detect(text)]

    def _detect(self, text: NormalizedText) -> list[Signal]:
        found = self.find(text.text, text.raw, text.digits)
        if found:
            plain = self.find(text.plain, text.raw, text.digits) if text.evasion else found
            signals = [
                Signal(sid, (start, end), conf, self.name, evasion=sid not in plain)
                for sid, (conf, start, end) in found.items()
            ]
        else:
            signals = []
        pii = _pii(text.plain, text.digits)
        if pii is not None and "child_pii_disclosure" not in found:
            # Found in the plain form; its offsets only hold when that equals the text.
            span = pii if text.plain == text.text else (0, 0)
            signals.append(Signal("child_pii_disclosure", span, 0.9, self.name))
        return signals


def _pii(plain: str, digits: bool = True) -> tuple[int, int] | None:
    """Span of a phone number, e-mail address or map link, if any.

    ``digits`` False (the text has none) skips the phone number rules.
    """
    if digits and _DIGITS.search(plain) is not None:
        m = _PHONE.search(plain)
        if m is not None:
            return m.start(), m.end()
    if "@" in plain:
        m = _EMAIL.search(plain)
        if m is not None:
            return m.start(), m.end()
    if "maps" in plain:
        m = _MAPS.search(plain)
        if m is not None:
            return m.start(), m.end()
    return None
