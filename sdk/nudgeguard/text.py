"""Text normalisation before detection.

Detection runs on a normalised form so that spelling tricks do not hide a pattern:
Unicode compatibility forms are folded (NFKC), case is folded and zero-width characters
are removed. The detection work extends this module with confusables, leetspeak, spacing
and abbreviations.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A message's text ready for matching.

    Attributes:
        raw: The text as received.
        text: The normalised form detectors match against.
        evasion: True when de-obfuscation changed more than case and spacing.
    """

    raw: str
    text: str
    evasion: bool = False


def normalize(raw: str) -> NormalizedText:
    """Return the normalised form of ``raw``."""
    folded = unicodedata.normalize("NFKC", raw).casefold()
    stripped = _ZERO_WIDTH.sub("", folded)
    text = _SPACES.sub(" ", stripped).strip()
    return NormalizedText(raw=raw, text=text, evasion=stripped != folded)
