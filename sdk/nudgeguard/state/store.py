"""Working memory of the engine: risk per pair, inferred ages, recent messages.

Everything here lives in memory by default (:class:`MemoryStateStore`), bounded by a TTL
and an LRU cap so a busy community cannot grow it without limit. Message text appears only
in the per-conversation evidence window, a ring buffer that is persisted only when a case
opens. A shared backend (Redis) implements the same :class:`StateStore` protocol.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from nudgeguard.inbox.events import AgeBand, AgeSource
from nudgeguard.state.bounded import MAX_PARTICIPANTS, BoundedMap, RecentSet

PairKey = tuple[str, str, str, str, str]
"""(platform, community, conversation, actor id, target id)."""

ConversationKey = tuple[str, str, str]
"""(platform, community, conversation)."""

UserKey = tuple[str, str]
"""(platform, user id)."""

_MAX_CONTACTS = 256
"""Distinct targets remembered per actor for the fan-out count (oldest dropped first)."""


@dataclass(slots=True)
class PairState:
    """Risk picture of one person (actor) towards another (target) in one conversation."""

    scores: dict[str, float] = field(default_factory=dict)
    signal_counts: dict[str, int] = field(default_factory=dict)
    first_ts: float = 0.0
    last_ts: float = 0.0
    messages: int = 0
    questions: int = 0
    replies: int = 0
    nudged: dict[str, float] = field(default_factory=dict)
    warned_at: float = -1.0
    case_id: str | None = None
    case_severity: str | None = None
    #: The learned scorer's running sum and message count (nudgeguard.pipeline.detectors.learned).
    learned_sum: float = 0.0
    learned_lines: int = 0
    #: The conversation model's running sum over the same lines (read with the reverse pair's).
    conversation_sum: float = 0.0


@dataclass(frozen=True, slots=True)
class AgeInference:
    """What is known about a participant's age, and from where (immutable: replace it)."""

    band: AgeBand = AgeBand.UNKNOWN
    source: AgeSource = AgeSource.NONE
    confidence: float = 0.0


#: Nothing known: what a store returns for a person it has no age for (shared, immutable).
UNKNOWN_AGE = AgeInference()


@dataclass(slots=True)
class EvidenceItem:
    """One message in the evidence window (memory only until a case opens)."""

    message_id: str
    author_id: str
    ts: float
    text: str
    signals: tuple[str, ...] = ()
    attachment_count: int = 0
    edited: bool = False
    deleted: bool = False
    #: The case this item was last written to, so appends send only what is new or changed.
    stored_for: str | None = None
    #: Whom the author addressed (a reply, a mention, or a line going on from one): their
    #: next lines in a busy group may go on to them (nudgeguard.pipeline.conversation).
    to: str | None = None


@dataclass(slots=True)
class ConversationState:
    """Recent speakers (for finding a message's target) and the evidence window.

    Bounded per conversation: ``speakers`` keeps the last few distinct speakers, the
    window is a ring buffer, and ``participants`` keeps the :data:`MAX_PARTICIPANTS` most
    recent ones.
    """

    speakers: list[str] = field(default_factory=list)
    window: deque[EvidenceItem] = field(default_factory=deque)
    participants: RecentSet = field(default_factory=RecentSet)


@dataclass(slots=True)
class ChildState:
    """Nudge history of one person at risk, for fatigue caps."""

    nudge_times: list[float] = field(default_factory=list)
    opted_out_until: float = 0.0


class StateStore(Protocol):
    """Where the engine keeps its working memory.

    A store returns live objects that the engine mutates and then hands back with the
    matching ``save_*`` call. Saving never waits: a shared backend marks the record and
    writes it behind (batched), so the message path does no I/O for it. Reading may need
    I/O on a miss: ``cached_*`` answers at once when the store can (always, for the
    in-process store; from its near cache, for a shared one), else returns None and the
    engine awaits ``load_*``.
    """

    async def load_pair(self, key: PairKey, now: float) -> PairState:
        """Return the pair's state, a fresh one if unknown or expired."""
        ...

    def cached_pair(self, key: PairKey, now: float) -> PairState | None:
        """Return what ``load_pair`` would, if that needs no I/O; else None."""
        ...

    def save_pair(self, key: PairKey, state: PairState, now: float) -> None:
        """Persist the pair's state (written behind)."""
        ...

    async def load_conversation(self, key: ConversationKey, now: float) -> ConversationState:
        """Return the conversation's state, a fresh one if unknown or expired."""
        ...

    def cached_conversation(self, key: ConversationKey, now: float) -> ConversationState | None:
        """Return what ``load_conversation`` would, if that needs no I/O; else None."""
        ...

    def save_conversation(self, key: ConversationKey, state: ConversationState, now: float) -> None:
        """Persist the conversation's state (written behind)."""
        ...

    async def load_age(self, key: UserKey, now: float) -> AgeInference:
        """Return what is known of a user's age."""
        ...

    def cached_age(self, key: UserKey, now: float) -> AgeInference | None:
        """Return what ``load_age`` would, if that needs no I/O; else None."""
        ...

    def save_age(self, key: UserKey, value: AgeInference, now: float) -> None:
        """Persist what is known of a user's age (written behind)."""
        ...

    async def load_child(self, key: UserKey, now: float) -> ChildState:
        """Return a person's nudge history."""
        ...

    def save_child(self, key: UserKey, value: ChildState, now: float) -> None:
        """Persist a person's nudge history (written behind)."""
        ...

    async def forget_user(self, key: UserKey) -> int:
        """Drop everything held about one user (erasure); return how many entries went."""
        ...

    async def forget_matching(self, platform: str, matches: Callable[[str], bool]) -> int:
        """Forget (as :meth:`forget_user`) every user on ``platform`` whose id ``matches``.

        For erasures made by another process, known only as a keyed token: the caller's
        ``matches`` checks an id against it. Returns how many entries went.
        """
        ...

    async def note_contact(
        self, actor: UserKey, target_id: str, now: float, window_seconds: float
    ) -> int:
        """Record that ``actor`` addressed the minor ``target_id``; return distinct targets.

        Counts every community (and, for a shared store, every bot process) within
        ``window_seconds`` of event time: one adult working on many children shows up here.
        """
        ...


class MemoryStateStore:
    """The default, in-process :class:`StateStore`.

    Args:
        max_pairs: LRU cap on tracked pairs.
        max_conversations: LRU cap on conversations with an evidence window.
        window: Messages kept per conversation in the evidence window.
        ttl_seconds: Entries untouched (in event time) for longer are forgotten.
    """

    def __init__(
        self,
        max_pairs: int = 200_000,
        max_conversations: int = 50_000,
        window: int = 40,
        ttl_seconds: float = 14 * 24 * 3600,
    ) -> None:
        self.window = window
        self.pairs: BoundedMap[PairKey, PairState] = BoundedMap(max_pairs, ttl_seconds)
        self.conversations: BoundedMap[ConversationKey, ConversationState] = BoundedMap(
            max_conversations, ttl_seconds
        )
        self.ages: BoundedMap[UserKey, AgeInference] = BoundedMap(max_pairs, ttl_seconds)
        self.children: BoundedMap[UserKey, ChildState] = BoundedMap(max_pairs, ttl_seconds)
        self.contacts: BoundedMap[UserKey, dict[str, float]] = BoundedMap(max_pairs, ttl_seconds)

    def cached_pair(self, key: PairKey, now: float) -> PairState:  # noqa: D102
        state = self.pairs.get(key, now)
        return state if state is not None else PairState(first_ts=now, last_ts=now)

    async def load_pair(self, key: PairKey, now: float) -> PairState:  # noqa: D102
        return self.cached_pair(key, now)

    def save_pair(self, key: PairKey, state: PairState, now: float) -> None:  # noqa: D102
        self.pairs.put(key, state, now)

    def cached_conversation(  # noqa: D102
        self, key: ConversationKey, now: float
    ) -> ConversationState:
        state = self.conversations.get(key, now)
        if state is None:
            state = ConversationState(window=deque(maxlen=self.window))
        return state

    async def load_conversation(  # noqa: D102
        self, key: ConversationKey, now: float
    ) -> ConversationState:
        return self.cached_conversation(key, now)

    def save_conversation(  # noqa: D102
        self, key: ConversationKey, state: ConversationState, now: float
    ) -> None:
        self.conversations.put(key, state, now)

    def cached_age(self, key: UserKey, now: float) -> AgeInference:  # noqa: D102
        value = self.ages.get(key, now)
        return value if value is not None else UNKNOWN_AGE

    async def load_age(self, key: UserKey, now: float) -> AgeInference:  # noqa: D102
        return self.cached_age(key, now)

    def save_age(self, key: UserKey, value: AgeInference, now: float) -> None:  # noqa: D102
        self.ages.put(key, value, now)

    async def load_child(self, key: UserKey, now: float) -> ChildState:  # noqa: D102
        value = self.children.get(key, now)
        return value if value is not None else ChildState()

    def save_child(self, key: UserKey, value: ChildState, now: float) -> None:  # noqa: D102
        self.children.put(key, value, now)

    async def note_contact(  # noqa: D102
        self, actor: UserKey, target_id: str, now: float, window_seconds: float
    ) -> int:
        contacts = self.contacts.get(actor, now)
        if contacts is None:
            contacts = {}
        if contacts.get(target_id, -1.0) < now:
            contacts[target_id] = now
        if len(contacts) > _MAX_CONTACTS:
            for old in sorted(contacts, key=contacts.__getitem__)[: len(contacts) - _MAX_CONTACTS]:
                del contacts[old]
        self.contacts.put(actor, contacts, now)
        return sum(1 for t in contacts.values() if t >= now - window_seconds)

    async def forget_user(self, key: UserKey) -> int:  # noqa: D102
        platform, user = key
        gone = 0
        for contacts in self.contacts.values():
            if contacts.pop(user, None) is not None:
                gone += 1
        for pair in list(self.pairs.keys()):
            if pair[0] == platform and user in (pair[3], pair[4]):
                self.pairs.pop(pair)
                gone += 1
        for conv_key, state in self.conversations.items():
            if conv_key[0] != platform:
                continue
            kept = [item for item in state.window if item.author_id != user]
            gone += len(state.window) - len(kept)
            state.window = deque(kept, maxlen=self.window)
            state.speakers = [s for s in state.speakers if s != user]
            state.participants.discard(user)
        for store in (self.ages, self.children, self.contacts):
            if store.pop(key) is not None:
                gone += 1
        return gone

    async def forget_matching(  # noqa: D102
        self, platform: str, matches: Callable[[str], bool]
    ) -> int:
        known: set[str] = set()
        for pair, _state in self.pairs.items():
            if pair[0] == platform:
                known.update((pair[3], pair[4]))
        for conv_key, state in self.conversations.items():
            if conv_key[0] == platform:
                known.update(item.author_id for item in state.window)
                known.update(state.speakers)
                known.update(state.participants)
        for store in (self.ages, self.children, self.contacts):
            known.update(user for (p, user), _value in store.items() if p == platform)
        for p, contacts in self.contacts.items():
            if p[0] == platform:
                known.update(contacts)
        gone = 0
        for user in sorted(u for u in known if matches(u)):
            gone += await self.forget_user((platform, user))
        return gone


__all__ = [
    "MAX_PARTICIPANTS",
    "UNKNOWN_AGE",
    "AgeInference",
    "BoundedMap",
    "ChildState",
    "ConversationKey",
    "ConversationState",
    "EvidenceItem",
    "MemoryStateStore",
    "PairKey",
    "PairState",
    "RecentSet",
    "StateStore",
    "UserKey",
]
