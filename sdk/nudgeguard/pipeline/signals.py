"""The signal taxonomy: what detectors can report and how it maps to grooming stages.

Stage codes follow O'Connell (FF friendship forming, RF relationship forming, RA risk
assessment, EX exclusivity, SX sexual, CO conclusion) and Luring Communication Theory
(GA gaining access, DTD deceptive trust development, DES desensitisation, REF reframing,
ISO isolation, APP approach). ML marks the learned scorer's signal. Families group signals
for nudge wording and fatigue caps.
"""

from __future__ import annotations

from dataclasses import dataclass

from nudgeguard.inbox.events import AgeBand


@dataclass(frozen=True, slots=True)
class SignalSpec:
    """Static facts about one signal id.

    Attributes:
        id: Taxonomy id.
        stages: Stage codes, primary first.
        family: Nudge family (wording and caps are per family).
        weight: Default base weight; policy packs may override it.
        about_actor: True when the signal describes the author's behaviour towards the
            target (scored on the pair); False for context signals such as a child's own
            age disclosure, which never make the author a subject.
    """

    id: str
    stages: tuple[str, ...]
    family: str
    weight: float
    about_actor: bool = True


TAXONOMY: dict[str, SignalSpec] = {
    s.id: s
    for s in (
        SignalSpec("age_probe", ("FF", "RA", "GA"), "probing", 0.6),
        SignalSpec("location_probe", ("RA", "GA"), "probing", 0.8),
        SignalSpec("supervision_probe", ("RA",), "probing", 2.0),
        SignalSpec("secrecy_request", ("EX", "ISO"), "secrecy", 2.5),
        SignalSpec("platform_migration", ("EX", "ISO"), "migration", 1.2),
        SignalSpec("gift_offer", ("DTD",), "gifts", 1.2),
        SignalSpec("flattery_appearance", ("RF", "REF"), "flattery", 0.8),
        SignalSpec("love_bombing", ("RF", "EX"), "love_bombing", 1.2),
        SignalSpec("isolation_alienation", ("ISO",), "isolation", 2.0),
        SignalSpec("image_request", ("SX",), "images", 1.5),
        SignalSpec("video_call_request", ("SX", "APP"), "images", 1.5),
        SignalSpec("sexual_desensitization", ("SX", "DES", "REF"), "sexual", 2.5),
        SignalSpec("coercion_pressure", ("EX", "SX"), "coercion", 2.0),
        SignalSpec("meet_request", ("APP",), "meeting", 2.5),
        SignalSpec("sextortion_threat", ("CO",), "sextortion", 10.0),
        # Asking someone for a child to abuse, for sexual images of children, or whether
        # they are into sex with children: grave whoever it is said to (often an adult, a
        # parent asked for their child), so its own rule judges it, not the pair's stages.
        SignalSpec("child_abuse_interest", ("SX", "GA"), "sexual", 2.5),
        SignalSpec("child_pii_disclosure", ("RA",), "pii", 0.0, about_actor=False),
        SignalSpec("minor_self_disclosure", ("GA",), "age", 0.0, about_actor=False),
        SignalSpec("adult_age_cue", ("REF",), "age", 0.5),
        SignalSpec("deletion_request", ("EX",), "secrecy", 1.2),
        # The learned scorer: the pair's side of the conversation so far reads like a
        # suspect's (stage ML: learned, not a stage of the models above). Weight 0: its own
        # rule (review-learned) judges it, and its messages' lexicon signals already count,
        # so adding it to the stage sum would count the same lines twice.
        SignalSpec("learned_grooming", ("ML",), "generic", 0.0),
        # The same scorer's conversation model: both people's lines together read like a
        # grooming conversation, and the author's side reads more like a suspect's than the
        # other's. Weight 0 for the same reason; the same rule judges it.
        SignalSpec("learned_conversation", ("ML",), "generic", 0.0),
    )
}

#: Modifier reported when a message used obfuscation (leet, spacing, homoglyphs).
EVASION = "evasion_obfuscation"


@dataclass(frozen=True, slots=True)
class Signal:
    """One detection in one message.

    Attributes:
        id: Taxonomy id (a key of :data:`TAXONOMY`).
        span: Start and end offsets in the normalised text, for explanations.
        confidence: 0..1; scales the weight.
        source: Name of the detector that produced it.
        age_band: For age signals, the band the text implies.
        evasion: The match only appeared after de-obfuscation.
        about_target: ``age_band`` is what the author says of the person addressed ("ur
            13"), not of themselves.
        features: For a learned signal, the n-grams of this message that weighed most
            (strongest first), for explanations.
        logit: For the learned scorer's evidence, this message's contribution to its
            pair's running score (:mod:`nudgeguard.pipeline.detectors.learned`).
        conversation_logit: For the same evidence, its contribution to the running score
            of the conversation model, which reads both people's lines together.
    """

    id: str
    span: tuple[int, int] = (0, 0)
    confidence: float = 1.0
    source: str = "lexicon"
    age_band: AgeBand | None = None
    evasion: bool = False
    about_target: bool = False
    features: tuple[str, ...] = ()
    logit: float = 0.0
    conversation_logit: float = 0.0

    @property
    def spec(self) -> SignalSpec:
        """Return the taxonomy entry of this signal."""
        return TAXONOMY[self.id]
