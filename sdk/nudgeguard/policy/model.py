"""Policy pack models: what a community configures, validated with clear errors.

The parts the engine reads on every scored message (thresholds, factors, caps, rules and
their conditions, nudge settings) are frozen pydantic *dataclasses*: validated just like
the models around them, but read as plain attributes. A pydantic model's field read costs
about 2.5 plain attribute reads (its class defines ``__getattr__``), and scoring one
message read some sixty of them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.dataclasses import dataclass

from nudgeguard.cases.model import Severity
from nudgeguard.delivery.outbound import Delivery
from nudgeguard.inbox.events import AgeBand, ConversationKind
from nudgeguard.locales import locale_setting
from nudgeguard.pipeline.signals import TAXONOMY


class Level(StrEnum):
    """Risk level of a pair after a message; ordered by :data:`LEVEL_ORDER`."""

    NONE = "none"
    NUDGE = "nudge"
    REVIEW = "review"
    URGENT = "urgent"


LEVEL_ORDER = {Level.NONE: 0, Level.NUDGE: 1, Level.REVIEW: 2, Level.URGENT: 3}


# Numbers are finite everywhere in a pack: a NaN weight or threshold compares false with
# everything and would silence scoring without an error.
class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


def _check_signal_ids(ids: dict[str, float] | list[str]) -> None:
    unknown = sorted(set(ids) - set(TAXONOMY))
    if unknown:
        raise ValueError(f"unknown signal id(s) {unknown}; known: {sorted(TAXONOMY)}")


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class Thresholds:
    """Risk scores at which a pair reaches each level."""

    nudge: float = Field(gt=0)
    review: float = Field(gt=0)
    urgent: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.nudge <= self.review <= self.urgent:
            raise ValueError("thresholds must satisfy nudge <= review <= urgent")
        return self


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class Factors:
    """Multipliers and bonuses applied to a pair's summed stage scores."""

    half_life_hours: float = Field(default=48.0, gt=0)
    per_message_cap: float = Field(default=4.0, gt=0)
    stage_diversity_bonus: float = Field(default=0.3, ge=0)
    stage_min_score: float = Field(default=0.5, ge=0)
    adult_to_minor: float = Field(default=1.6, ge=0)
    unknown_to_minor: float = Field(default=1.3, ge=0)
    minor_to_minor: float = Field(default=0.7, ge=0)
    to_adult: float = Field(default=0.3, ge=0)
    unknown_pair: float = Field(default=1.0, ge=0)
    first_contact: float = Field(default=1.15, ge=0)
    first_contact_hours: float = Field(default=72.0, ge=0)
    rapid_pace: float = Field(default=1.2, ge=0)
    one_sided_questioning: float = Field(default=1.15, ge=0)
    evasion: float = Field(default=1.25, ge=0)
    high_fanout: float = Field(default=1.3, ge=0)
    fanout_min_targets: int = Field(default=3, ge=0)
    fanout_window_hours: float = Field(default=168.0, gt=0)


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class Caps:
    """Nudge fatigue caps.

    Never applied to critical nudges: urgent ones that come with a threat, a meeting
    request, or a case that opens or rises in severity.
    """

    family_per_conversation_hours: float = Field(default=24.0, ge=0)
    child_per_day: int = Field(default=3, ge=0)


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class Nudges:
    """Which wording the child gets.

    ``locale`` fixes a language for the communities using the pack; left out (the
    default), each person gets their own language (see ``nudgeguard.locales``). It ranks
    as a community setting, below the config's ``languages:`` section.
    """

    copy_for: Literal["teen", "under13"] = "teen"
    locale: str | None = None

    @field_validator("locale")
    @classmethod
    def _has_catalog(cls, value: str | None) -> str | None:
        return None if value is None else locale_setting(value)


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class DeliveryOrder:
    """Fallback order of private channels. Public replies are not an option."""

    child: tuple[Delivery, ...] = (Delivery.EPHEMERAL, Delivery.DIRECT_MESSAGE)
    sender: tuple[Delivery, ...] = (Delivery.EPHEMERAL, Delivery.DIRECT_MESSAGE)

    @field_validator("child", "sender")
    @classmethod
    def _not_empty(cls, value: tuple[Delivery, ...]) -> tuple[Delivery, ...]:
        if not value:
            raise ValueError("give at least one private channel (ephemeral, direct_message)")
        return value


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class Condition:
    """When a rule applies. All given fields must hold."""

    min_level: Level | None = None
    below_level: Level | None = None
    signals_any: tuple[str, ...] = ()
    #: The pair has shown at least one of these signals so far in the conversation (this
    #: message included): a move made earlier still counts when a later message of another
    #: kind lifts the risk over the line.
    signals_seen_any: tuple[str, ...] = ()
    min_stages: int = Field(default=0, ge=0)
    #: Stage codes that do not count towards ``min_stages`` (an age question, ``FF``, is
    #: everyday talk between strangers; with sexual talk it is not yet a second stage).
    stages_not_counted: tuple[str, ...] = ()
    actor_age: tuple[AgeBand, ...] = ()
    target_age: tuple[AgeBand, ...] = ()
    #: Where the addressee's band comes from: ``declared`` (by the platform or an admin) or
    #: ``stated`` (said in the chat, by them or by someone else); empty for either.
    target_age_source: tuple[Literal["declared", "stated"], ...] = ()
    conversation_kind: tuple[ConversationKind, ...] = ()
    #: The pair's running learned score (in units of the scorer's threshold: 1.0 is its
    #: threshold, below 0 its side reads less like a suspect's than like anyone's) is at
    #: least this, once the scorer has read enough of the pair (its ``MIN_LINES``
    #: messages); before that, or with the scorer off, the condition holds.
    min_learned_score: float | None = None

    @field_validator("signals_any", "signals_seen_any")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _check_signal_ids(list(value))
        return value

    @field_validator("stages_not_counted")
    @classmethod
    def _known_stages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = {stage for spec in TAXONOMY.values() for stage in spec.stages}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown stage code(s) {', '.join(unknown)}")
        return value


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class RuleAction:
    """One thing a rule does."""

    action: Literal["nudge_child", "warn_sender", "escalate", "observe"]
    severity: Severity | None = None
    template: str | None = None

    @model_validator(mode="after")
    def _severity_for_escalate(self) -> Self:
        if self.action == "escalate" and self.severity is None:
            raise ValueError("escalate needs a severity (low, medium, high, critical)")
        if self.action == "warn_sender" and self.severity is not None:
            raise ValueError("warn_sender takes no severity")
        return self


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class Rule:
    """A named mapping from a condition to actions."""

    name: str = Field(min_length=1)
    description: str | None = None
    when: Condition = Condition()
    do: tuple[RuleAction, ...] = Field(min_length=1)


class _SignalSettings(_Strict):
    """Per-signal settings shared by packs and their overrides; ids must be known."""

    #: 0 takes a signal out of the score; a weight is never negative.
    weights: dict[str, Annotated[float, Field(ge=0)]] = {}
    disabled_signals: tuple[str, ...] = ()

    @field_validator("weights")
    @classmethod
    def _known_weights(cls, value: dict[str, float]) -> dict[str, float]:
        _check_signal_ids(value)
        return value

    @field_validator("disabled_signals")
    @classmethod
    def _known_disabled(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _check_signal_ids(list(value))
        return value


class Scope(_SignalSettings):
    """Settings a community or channel may override."""

    mode: Literal["observe", "live"] | None = None
    thresholds: Thresholds | None = None
    caps: Caps | None = None
    nudges: Nudges | None = None


class CommunityScope(Scope):
    """A community's overrides, with per-channel overrides inside."""

    channels: dict[str, Scope] = {}


class Overrides(_Strict):
    """Per-community overrides, keyed by community id."""

    communities: dict[str, CommunityScope] = {}


#: Where a pack keeps its quiet rules (beside its fields, as ``cached_property`` would).
_QUIET = "_quiet_rules"


class PolicyPack(_SignalSettings):
    """A versioned policy pack (YAML, ``apiVersion: 1``)."""

    apiVersion: Literal[1]
    name: str = Field(min_length=1)
    description: str = ""
    mode: Literal["observe", "live"] = "live"
    thresholds: Thresholds
    factors: Factors = Factors()
    rules: tuple[Rule, ...] = Field(min_length=1)
    delivery: DeliveryOrder = DeliveryOrder()
    caps: Caps = Caps()
    nudges: Nudges = Nudges()
    overrides: Overrides = Overrides()

    @property
    def quiet_rules(self) -> tuple[Rule, ...]:
        """The rules that can match a message with no signal and no risk level.

        A rule asking for a level above none or for a signal cannot; most packs have none
        left, so such messages skip rule matching altogether. Worked out once per rules
        tuple (most messages are quiet); a copy of the pack with other rules works them
        out anew.
        """
        kept: tuple[tuple[Rule, ...], tuple[Rule, ...]] | None = self.__dict__.get(_QUIET)
        if kept is None or kept[0] is not self.rules:
            quiet = (None, Level.NONE)
            rules = self.rules
            kept = (
                rules,
                tuple(r for r in rules if not r.when.signals_any and r.when.min_level in quiet),
            )
            self.__dict__[_QUIET] = kept
        return kept[1]

    def weight(self, signal_id: str) -> float:
        """Return the pack's weight for a signal (taxonomy default if not set)."""
        return self.weights.get(signal_id, TAXONOMY[signal_id].weight)

    def scoped(self, community_id: str, channel_id: str | None = None) -> PolicyPack:
        """Return this pack with a community's (and channel's) overrides applied."""
        community = self.overrides.communities.get(community_id)
        if community is None:
            return self
        pack = _apply(self, community)
        channel = community.channels.get(channel_id) if channel_id else None
        return _apply(pack, channel) if channel is not None else pack


def _apply(pack: PolicyPack, scope: Scope) -> PolicyPack:
    update: dict[str, object] = {}
    if scope.mode is not None:
        update["mode"] = scope.mode
    if scope.weights:
        update["weights"] = {**pack.weights, **scope.weights}
    for name in ("thresholds", "caps", "nudges"):
        value = getattr(scope, name)
        if value is not None:
            update[name] = value
    if scope.disabled_signals:
        update["disabled_signals"] = tuple({*pack.disabled_signals, *scope.disabled_signals})
    return pack.model_copy(update=update)
