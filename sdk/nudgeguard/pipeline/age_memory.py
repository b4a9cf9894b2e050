"""What the engine remembers of each person's age, and how new statements update it.

A band declared by the platform or an admin is never overridden. Otherwise the more
confident statement wins: a person's own word (self-disclosure, 0.8-0.95) over what someone
else said of them (``stated_by_other``, 0.6). See :mod:`nudgeguard.pipeline.age` for the detector.
"""

from __future__ import annotations

from nudgeguard.inbox.events import AgeBand, AgeSource, Participant
from nudgeguard.pipeline.signals import Signal
from nudgeguard.state.store import AgeInference, StateStore, UserKey


def declared_age(source: AgeSource) -> bool:
    """Return True for age sources that outrank anything inferred from text."""
    return source in (AgeSource.PLATFORM, AgeSource.CONFIG)


def remember_declared(state: StateStore, platform: str, person: Participant, now: float) -> None:
    """Store a band the platform or an admin declared for ``person``, if any."""
    if declared_age(person.age_source) and person.age_band is not AgeBand.UNKNOWN:
        state.save_age(
            (platform, person.id), AgeInference(person.age_band, person.age_source, 1.0), now
        )


async def actor_age(
    state: StateStore, key: UserKey, author: Participant, signals: list[Signal], now: float
) -> AgeInference:
    """Return the author's age after what their message says about it.

    Args:
        state: The state store.
        key: The author's (platform, user id).
        author: The author.
        signals: The message's signals.
        now: The message's time.
    """
    source = author.age_source
    if source is not AgeSource.NONE and declared_age(source):
        band = author.age_band
        if band is not AgeBand.UNKNOWN:
            return AgeInference(band, source, 1.0)
    if not signals:  # most messages: nothing to learn, just what is known
        return await state.load_age(key, now)
    own = [s for s in signals if not s.about_target]
    return await learn_age(state, key, own, AgeSource.SELF_DISCLOSURE, now)


async def learn_age(
    state: StateStore, key: UserKey, signals: list[Signal], source: AgeSource, now: float
) -> AgeInference:
    """Return what is known of one person's age after the age ``signals`` about them."""
    known = await state.load_age(key, now)
    stated = [s for s in signals if s.age_band is not None]
    if not stated or declared_age(known.source):
        return known
    best = max(stated, key=lambda s: s.confidence)
    assert best.age_band is not None
    if known.band is best.age_band:
        if best.confidence > known.confidence:
            known = AgeInference(known.band, known.source, best.confidence)
    elif best.confidence >= known.confidence:
        known = AgeInference(best.age_band, source, best.confidence)
    state.save_age(key, known, now)
    return known
