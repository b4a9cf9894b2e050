"""Platform-neutral events that adapters hand to the engine.

Every adapter translates its platform's payloads into these models. They are frozen
pydantic models that reject unknown fields, so a typo in an adapter fails loudly with an
error naming the field instead of being silently dropped.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nudgeguard.locales import language_of

#: Text longer than this is cut before scoring and storage; platforms cap far lower.
MAX_TEXT_CHARS = 8192
#: Longest display name, role name or permalink kept (longer ones are cut).
MAX_LABEL_CHARS = 512
#: Mentioned users and roles kept per message (the first ones; platforms allow far fewer).
MAX_LIST_ITEMS = 100
#: What every code point that a store, log or terminal could choke on becomes.
REPLACEMENT = "\ufffd"
# Lone surrogates (JSON "\ud800" decodes to one; UTF-8 cannot encode it, so SQLite, files and
# sockets would fail on it), NUL (PostgreSQL text refuses it) and the other control
# characters but tab and line breaks (they drive terminals and log viewers).
#: What an id of a length-checked field must look like: no control characters (pydantic
#: checks it in Rust; a lone surrogate it refuses on its own).
ID_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: More attachments than this on one message is an adapter's error (platforms allow about
#: ten); the cap also keeps the count storable as a 64-bit integer.
MAX_ATTACHMENTS = 10_000
# Invisible format characters and runs of white space: padding that could push words past
# the cut. Squeezed out of over-long texts before cutting.
_PADDING = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+|\s{2,}")


class AgeBand(StrEnum):
    """Coarse age band of a participant."""

    MINOR = "minor"
    ADULT = "adult"
    UNKNOWN = "unknown"


class AgeSource(StrEnum):
    """Where an age band came from, strongest first."""

    PLATFORM = "platform_role"
    CONFIG = "admin_config"
    SELF_DISCLOSURE = "self_disclosure"
    STATED_BY_OTHER = "stated_by_other"
    NONE = "none"


#: Higher wins when two sources disagree.
AGE_SOURCE_RANK: dict[AgeSource, int] = {
    AgeSource.PLATFORM: 3,
    AgeSource.CONFIG: 2,
    AgeSource.SELF_DISCLOSURE: 1,
    AgeSource.STATED_BY_OTHER: 1,
    AgeSource.NONE: 0,
}


class ConversationKind(StrEnum):
    """Shape of the conversation a message belongs to."""

    DIRECT = "direct"
    GROUP = "group"
    THREAD = "thread"


class EventType(StrEnum):
    """What happened."""

    MESSAGE = "message"
    EDIT = "edit"
    DELETE = "delete"
    MEMBER_JOIN = "member_join"


def safe_text(value: str) -> str:
    """Return ``value`` with every unsafe code point replaced by U+FFFD.

    Unsafe are lone surrogates, NUL and the control characters other than tab, line feed
    and carriage return. The result always encodes as UTF-8 and is storable in SQLite and
    PostgreSQL. Runs in time linear in the length (one C-level scan when nothing is unsafe).
    """
    if _UNSAFE.search(value) is None:
        return value
    return _UNSAFE.sub(REPLACEMENT, value)


def _safe(value: object, limit: int) -> object:
    """A string made safe and cut to ``limit``; anything else unchanged (pydantic checks it)."""
    if isinstance(value, str):
        return safe_text(value[:limit])
    return value


def _safe_items(value: object) -> object:
    """The first :data:`MAX_LIST_ITEMS` of a list of strings, each made safe."""
    if isinstance(value, (list, tuple)):
        return tuple(_safe(v, MAX_LABEL_CHARS) for v in value[:MAX_LIST_ITEMS])
    return value


class _Frozen(BaseModel):
    """Frozen and strict about unknown fields.

    The models are the boundary: what an adapter hands over is made safe here, before
    anything (detectors, stores, logs, sinks) sees it, so none of them has to cope with
    unencodable text. Free text and the ids a platform does not check (names, roles,
    mentions, reply targets) are made safe with :func:`safe_text`; an id with a length
    limit that holds a lone surrogate is refused (pydantic cannot measure it), and
    adapters drop such an event with their other malformed ones.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class Participant(_Frozen):
    """A person (or bot) taking part in a conversation.

    Attributes:
        id: The platform's user id. Kept in memory only; stores keep a keyed pseudonym.
        age_band: The band known from the platform or admin config, if any.
        age_source: Where ``age_band`` came from.
        is_bot: Bots are never scored.
        roles: Platform role names or ids, shown to moderators.
        display_name: The name others see, if the platform gives one. The engine reads
            lines that call someone by it ("ari dm me", :mod:`nudgeguard.pipeline.names`),
            in memory only; never stored or logged.
    """

    id: str = Field(min_length=1, max_length=256)
    age_band: AgeBand = AgeBand.UNKNOWN
    age_source: AgeSource = AgeSource.NONE
    is_bot: bool = False
    roles: tuple[str, ...] = ()
    display_name: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _safe_id(cls, value: object) -> object:
        return safe_text(value) if type(value) is str else value

    @field_validator("display_name", mode="before")
    @classmethod
    def _cut_name(cls, value: object) -> object:
        return _safe(value, MAX_LABEL_CHARS)

    @field_validator("roles", mode="before")
    @classmethod
    def _cut_roles(cls, value: object) -> object:
        return _safe_items(value)


class MessageEvent(_Frozen):
    """One thing that happened in a conversation.

    Attributes:
        type: Message, edit, delete or member join.
        platform: Adapter name, for example ``discord``.
        community_id: Guild, workspace or ``local`` for the simulator.
        conversation_id: Channel or DM id; a thread has its own id.
        conversation_kind: Direct, group or thread.
        message_id: Platform message id (for edits and deletes, the original's id).
        author: Who sent, edited, deleted or joined.
        text: Message text; unsafe code points replaced (see :func:`safe_text`), cut to
            ``MAX_TEXT_CHARS``. Empty for deletes and joins.
        ts: Unix seconds (simulated time during replays).
        reply_to_author_id: Author of the message this one replies to.
        mentions: User ids mentioned in the message.
        parent_conversation_id: The channel a thread hangs off.
        attachment_count: Number of attachments; their content is never read or stored.
        permalink: Jump link for moderators.
        language: Language the message is written in (a language tag such as ``de``), when
            a detector or the adapter identified it; nudges fall back to it when neither
            the platform nor the config names a language. Not a tag: ignored (None).
    """

    type: EventType = EventType.MESSAGE
    platform: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    community_id: str = Field(min_length=1, max_length=256, pattern=ID_PATTERN)
    conversation_id: str = Field(min_length=1, max_length=256, pattern=ID_PATTERN)
    conversation_kind: ConversationKind = ConversationKind.GROUP
    message_id: str = Field(min_length=1, max_length=256, pattern=ID_PATTERN)
    author: Participant
    text: str = ""
    ts: float = Field(ge=0, allow_inf_nan=False)
    reply_to_author_id: str | None = None
    mentions: tuple[str, ...] = ()
    parent_conversation_id: str | None = None
    attachment_count: int = Field(default=0, ge=0, le=MAX_ATTACHMENTS)
    permalink: str | None = None
    language: str | None = None

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str | None) -> str | None:
        return language_of(value)

    @field_validator("text", mode="before")
    @classmethod
    def _cut_text(cls, value: object) -> object:
        if type(value) is not str:
            return value  # pydantic refuses it
        if len(value) > MAX_TEXT_CHARS:
            value = _PADDING.sub(lambda m: " " if m.group(0).isspace() else "", value)
        return safe_text(value[:MAX_TEXT_CHARS])

    @field_validator(
        "reply_to_author_id",
        "parent_conversation_id",
        mode="before",
    )
    @classmethod
    def _safe_id(cls, value: object) -> object:
        return safe_text(value) if type(value) is str else value

    @field_validator("mentions", mode="before")
    @classmethod
    def _cut_mentions(cls, value: object) -> object:
        return _safe_items(value)

    @field_validator("permalink", mode="before")
    @classmethod
    def _cut_link(cls, value: object) -> object:
        return _safe(value, MAX_LABEL_CHARS * 4)

    @property
    def conversation_key(self) -> tuple[str, str, str]:
        """Return the key that orders events: (platform, community, conversation)."""
        return (self.platform, self.community_id, self.conversation_id)
