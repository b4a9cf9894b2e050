"""Plain words for people reading cases and decisions: stage codes, signal ids, times.

The one vocabulary of the CLI, the console and the report: change wording here. Other
languages name stages and signals in their nudge catalogs (``stages:``, ``signals:``); a name a
catalog lacks falls back to the English one here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from nudgeguard.delivery.nudges.catalog import catalog
from nudgeguard.locales import DEFAULT_LOCALE
from nudgeguard.pipeline.signals import EVASION, TAXONOMY

STAGES: dict[str, str] = {
    "FF": "friendship forming",
    "RF": "relationship forming",
    "RA": "risk assessment: checking who is watching",
    "EX": "exclusivity: keeping it between them",
    "SX": "sexual stage",
    "CO": "conclusion: threats, coercion",
    "GA": "gaining access",
    "DTD": "deceptive trust development",
    "DES": "desensitisation",
    "REF": "reframing",
    "ISO": "isolation",
    "APP": "approach: meeting or contact offline",
    "ML": "learned: the learned scorer's signal, not a stage of the grooming models",
}

SIGNALS: dict[str, str] = {
    "age_probe": "asks the other person's age",
    "location_probe": "asks where the other person lives or is",
    "supervision_probe": "asks whether parents or others are watching",
    "secrecy_request": "asks to keep the chat secret",
    "platform_migration": "asks to move to another app or private chat",
    "gift_offer": "offers gifts, money or game items",
    "flattery_appearance": "compliments looks or maturity",
    "love_bombing": "intense affection early on",
    "isolation_alienation": "turns the person against family or friends",
    "image_request": "asks for photos",
    "video_call_request": "asks for a video call or camera",
    "sexual_desensitization": "sexual talk or normalising it",
    "coercion_pressure": "pressure, guilt or insisting",
    "meet_request": "asks to meet in person",
    "sextortion_threat": "threatens to share images or demands something",
    "child_abuse_interest": (
        "asks for a child or for sexual images of children, or about sex with children"
    ),
    "child_pii_disclosure": "a child shares personal details",
    "minor_self_disclosure": "someone says they are under 18",
    "adult_age_cue": "someone says or implies they are an adult",
    "deletion_request": "asks to delete messages",
    "learned_grooming": "reads like known grooming conversations (learned scorer)",
    "learned_conversation": (
        "the two people's chat, taken together, reads like known grooming conversations"
        " (learned scorer)"
    ),
    EVASION: "disguised spelling",
}


def local_time(ts: float | None) -> str:
    """Return a unix time as a local ISO 8601 time with its offset ("-" for none)."""
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def stage_name(code: str, locale: str = DEFAULT_LOCALE) -> str | None:
    """Return the plain name of a stage code in ``locale``, else in English, else None."""
    return catalog(locale).stage_names.get(code) or STAGES.get(code)


def signal_name(signal_id: str, locale: str = DEFAULT_LOCALE) -> str | None:
    """Return the plain name of a signal id in ``locale``, else in English, else None."""
    return catalog(locale).signal_names.get(signal_id) or SIGNALS.get(signal_id)


def stage_label(code: str, locale: str = DEFAULT_LOCALE) -> str:
    """Return ``CODE (meaning)`` for a stage code."""
    meaning = stage_name(code, locale)
    return f"{code} ({meaning})" if meaning else code


def signal_label(signal_id: str, locale: str = DEFAULT_LOCALE) -> str:
    """Return ``id (meaning)`` for a signal id."""
    meaning = signal_name(signal_id, locale)
    return f"{signal_id} ({meaning})" if meaning else signal_id


def legend_lines(
    stages: Iterable[str] = (), signals: Iterable[str] = (), locale: str = DEFAULT_LOCALE
) -> list[str]:
    """Return legend lines for the given stage codes and signal ids (each once, sorted)."""
    lines = [f"  {c:<4} {stage_name(c, locale)}" for c in sorted(set(stages)) if c in STAGES]
    lines += [f"  {s}: {signal_name(s, locale)}" for s in sorted(set(signals)) if s in SIGNALS]
    return lines


def all_signals() -> list[tuple[str, str, str, str]]:
    """Return (id, family, stages, meaning) for every signal of the taxonomy."""
    return [
        (sid, spec.family, "/".join(spec.stages), SIGNALS.get(sid, ""))
        for sid, spec in sorted(TAXONOMY.items())
    ]
