"""Working memory of the engine: risk per pair, inferred ages, recent messages.

Everything here lives in memory by default (:class:`MemoryStateStore`), bounded by a TTL
and an LRU cap so a busy community cannot grow it without limit. Message text appears only
in the per-conversation evidence window, a ring buffer that is persisted only when a case
opens. A shared backend (Redis) implements the same :class:`StateStore` protocol.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, MutableSet
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from nudgeguard.inbox.events import AgeBand, AgeSource

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


#: Participants remembered per conversation, most recent first kept (see :class:`RecentSet`).
MAX_PARTICIPANTS = 512


class RecentSet(MutableSet[str]):
    """A set of at most ``cap`` ids that forgets the least recently added one first.

    Adding an id already there makes it the most recent. Every operation is O(1), so a
    message costs the same in a channel of five people and of five hundred thousand.
    """

    __slots__ = ("_items", "cap")

    def __init__(self, items: Iterable[str] = (), cap: int = MAX_PARTICIPANTS) -> None:
        self._items: dict[str, None] = {}
        self.cap = cap
        self.update(items)

    def __contains__(self, value: object) -> bool:
        return value in self._items

    def __iter__(self) -> Iterator[str]:
        """Iterate from the least to the most recently added."""
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"RecentSet({list(self._items)!r})"

    def add(self, value: str) -> None:
        """Add ``value`` as the most recent; forget the oldest when over the cap."""
        items = self._items
        items.pop(value, None)
        items[value] = None
        if len(items) > self.cap:
            del items[next(iter(items))]

    def discard(self, value: str) -> None:
        """Remove ``value`` if present."""
        self._items.pop(value, None)

    def update(self, values: Iterable[str]) -> None:
        """Add each of ``values`` in order."""
        for value in values:
            self.add(value)


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


K = TypeVar("K")
V = TypeVar("V")


class BoundedMap(Generic[K, V]):
    """A map with an LRU size cap and a time-to-live measured on event time.

    Event time (not wall time) is used so that replays of old transcripts behave as live
    traffic would. Values and their last-write times are kept in two maps rather than as
    ``(time, value)`` pairs: the engine writes back the same live object after every
    message, and a fresh pair per write was garbage the collector had to chase through
    its older generations.
    """

    def __init__(self, max_items: int, ttl_seconds: float) -> None:
        self._data: OrderedDict[K, V] = OrderedDict()
        self._written: dict[K, float] = {}
        self.max_items = max_items
        self.ttl = ttl_seconds

    def get(self, key: K, now: float) -> V | None:
        """Return the live value for ``key`` or None if absent or expired."""
        value = self._data.get(key)
        if value is None:
            return None
        if now - self._written[key] > self.ttl:
            del self._data[key], self._written[key]
            return None
        self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V, now: float) -> None:
        """Store ``value``, evicting the least recently used entries beyond the cap.

        Writing back the live object ``get`` just returned (the engine's every message)
        only renews its time: ``get`` already made it the most recently used.
        """
        data = self._data
        if data.get(key) is value:
            self._written[key] = now
            return
        data[key] = value
        data.move_to_end(key)
        self._written[key] = now
        while len(data) > self.max_items:
            del self._written[data.popitem(last=False)[0]]

    def pop(self, key: K) -> V | None:
        """Remove and return the value for ``key``."""
        self._written.pop(key, None)
        return self._data.pop(key, None)

    def values(self) -> list[V]:
        """Return the stored values (expired ones included until touched)."""
        return list(self._data.values())

    def items(self) -> list[tuple[K, V]]:
        """Return (key, value) pairs without refreshing their age."""
        return list(self._data.items())

    def keys(self) -> list[K]:
        """Return the stored keys."""
        return list(self._data.keys())

    def __len__(self) -> int:
        return len(self._data)


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
