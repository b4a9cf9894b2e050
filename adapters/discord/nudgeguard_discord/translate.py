"""Turn discord.py messages into platform-neutral :class:`~nudgeguard.inbox.events.MessageEvent`.

discord.py has already parsed the gateway payload; this module decides what nudgeguard sees:
who wrote (with the age band their roles map to), where (guild, channel or thread, with the
parent channel), whom the message is aimed at (the replied-to author and mentioned users),
and a jump link for moderators. Bots, webhooks, system messages and the bot itself are
ignored. Anything odd yields ``None`` instead of an exception.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Any

from pydantic import ValidationError

import discord
from nudgeguard import (
    AgeBand,
    AgeSource,
    ConversationKind,
    EventType,
    MessageEvent,
    Participant,
)
from nudgeguard_discord.settings import DiscordSettings

log = logging.getLogger(__name__)

PLATFORM = "discord"
#: Community id used for conversations outside any guild (DMs, group DMs).
DIRECT_COMMUNITY = "dm"
#: Message types that carry something a person wrote.
_USER_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})
_MAX_ROLES = 15


class RecentAuthors:
    """Bounded map message id -> author, so deletes and replies resolve without a fetch.

    Holds ids only, never text. (Replayed events are dropped by the core, not here.)
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._items: OrderedDict[int, Participant] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._items

    def remember(self, message_id: int, author: Participant) -> bool:
        """Record an author; returns False when the id was already known (a replay)."""
        if message_id in self._items:
            self._items.move_to_end(message_id)
            return False
        self._items[message_id] = author
        if len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return True

    def authors(self) -> set[str]:
        """Return the ids of every remembered author."""
        return {p.id for p in self._items.values()}

    def forget_author(self, user_id: str) -> None:
        """Forget every message of one author (an erasure request)."""
        for message_id in [m for m, p in self._items.items() if p.id == user_id]:
            del self._items[message_id]

    def get(self, message_id: int | None) -> Participant | None:
        """Return the author of a remembered message."""
        if message_id is None:
            return None
        return self._items.get(message_id)


def participant(user: discord.abc.User, settings: DiscordSettings) -> Participant:
    """Describe a user; guild members get role names and the age band their roles map to."""
    roles: tuple[str, ...] = ()
    band, source = AgeBand.UNKNOWN, AgeSource.NONE
    if isinstance(user, discord.Member):
        member_roles = [r for r in user.roles if not r.is_default()]
        roles = tuple(r.name[:100] for r in member_roles[:_MAX_ROLES])
        guild_settings = settings.guild(user.guild.id)
        band = guild_settings.age_for_roles(
            (r.id for r in member_roles), (r.name for r in member_roles)
        )
        if band is not AgeBand.UNKNOWN:
            source = AgeSource.PLATFORM
    return Participant(
        id=str(user.id),
        age_band=band,
        age_source=source,
        is_bot=bool(user.bot),
        roles=roles,
        display_name=user.display_name,  # in memory only: lines may call people by name
    )


def conversation_of(channel: Any) -> tuple[str, ConversationKind, str | None]:
    """Return (conversation id, kind, parent conversation id) of a channel."""
    if isinstance(channel, discord.Thread):
        parent = str(channel.parent_id) if channel.parent_id else None
        return str(channel.id), ConversationKind.THREAD, parent
    if isinstance(channel, discord.DMChannel):
        return str(channel.id), ConversationKind.DIRECT, None
    ctype = getattr(channel, "type", None)
    if ctype in (discord.ChannelType.public_thread, discord.ChannelType.private_thread):
        parent_id = getattr(channel, "parent_id", None)
        return str(channel.id), ConversationKind.THREAD, str(parent_id) if parent_id else None
    if ctype is discord.ChannelType.private:
        return str(channel.id), ConversationKind.DIRECT, None
    if (
        ctype is None
        and getattr(channel, "guild_id", None) is None
        and not getattr(channel, "guild", None)
    ):
        # A channel known only by id outside any guild: a DM the bot itself cannot read
        # (user-installed app, "Check this message").
        return str(channel.id), ConversationKind.DIRECT, None
    return str(channel.id), ConversationKind.GROUP, None


def should_ignore(message: discord.Message, self_id: int | None) -> bool:
    """Return True for messages nudgeguard must not score (bots, itself, system, webhooks)."""
    author = getattr(message, "author", None)
    if author is None or author.bot or author.system:
        return True
    if self_id is not None and author.id == self_id:
        return True
    if message.webhook_id is not None:
        return True
    return message.type not in _USER_TYPES


def _reply_author(message: discord.Message, recent: RecentAuthors | None) -> str | None:
    ref = message.reference
    if ref is None or ref.message_id is None:
        return None
    resolved = ref.resolved
    if isinstance(resolved, discord.Message) and resolved.author is not None:
        return str(resolved.author.id)
    known = recent.get(ref.message_id) if recent is not None else None
    return known.id if known is not None else None


class MalformedMessage(ValueError):
    """A message discord.py accepted but that lacks what a MessageEvent needs."""


def build_event(
    message: discord.Message,
    settings: DiscordSettings,
    *,
    self_id: int | None = None,
    event_type: EventType = EventType.MESSAGE,
    recent: RecentAuthors | None = None,
) -> MessageEvent | None:
    """Translate a created or edited message; ``None`` when it is to be ignored.

    Raises:
        MalformedMessage: The payload lacked required parts (no author, bad ids, ...).
    """
    if getattr(message, "author", None) is None:
        raise MalformedMessage("no author")
    try:
        if should_ignore(message, self_id):
            return None
        conversation_id, kind, parent = conversation_of(message.channel)
        guild_id = message.guild.id if message.guild is not None else None
        community = str(guild_id) if guild_id is not None else DIRECT_COMMUNITY
        author = participant(message.author, settings)
        mentions = tuple(
            dict.fromkeys(
                str(u.id) for u in message.mentions if not u.bot and u.id != message.author.id
            )
        )
        when = message.created_at
        if event_type is EventType.EDIT and message.edited_at is not None:
            when = message.edited_at
        return MessageEvent(
            type=event_type,
            platform=PLATFORM,
            community_id=community,
            conversation_id=conversation_id,
            conversation_kind=kind,
            message_id=str(message.id),
            author=author,
            text=message.content or "",
            ts=when.timestamp(),
            reply_to_author_id=_reply_author(message, recent),
            mentions=mentions,
            parent_conversation_id=parent,
            attachment_count=len(message.attachments),
            permalink=message.jump_url,
        )
    except (ValidationError, AttributeError, TypeError, ValueError) as exc:
        raise MalformedMessage(type(exc).__name__) from None


def message_event(
    message: discord.Message,
    settings: DiscordSettings,
    *,
    self_id: int | None = None,
    event_type: EventType = EventType.MESSAGE,
    recent: RecentAuthors | None = None,
) -> MessageEvent | None:
    """Like :func:`build_event`, but a malformed message yields ``None`` (logged)."""
    try:
        return build_event(message, settings, self_id=self_id, event_type=event_type, recent=recent)
    except MalformedMessage as exc:
        log.warning("ignored a Discord message that could not be translated (%s)", exc)
        return None


def delete_event(
    payload: discord.RawMessageDeleteEvent,
    author: Participant,
    *,
    channel: Any = None,
    now: float | None = None,
) -> MessageEvent | None:
    """Translate a delete of a message whose author is known."""
    try:
        if channel is not None:
            conversation_id, kind, parent = conversation_of(channel)
        else:
            conversation_id, kind, parent = str(payload.channel_id), ConversationKind.GROUP, None
        community = str(payload.guild_id) if payload.guild_id else DIRECT_COMMUNITY
        return MessageEvent(
            type=EventType.DELETE,
            platform=PLATFORM,
            community_id=community,
            conversation_id=conversation_id,
            conversation_kind=kind,
            message_id=str(payload.message_id),
            author=author,
            ts=time.time() if now is None else now,
            parent_conversation_id=parent,
        )
    except (ValidationError, AttributeError, TypeError, ValueError) as exc:
        log.warning(
            "ignored a Discord delete that could not be translated (%s)", type(exc).__name__
        )
        return None


def jump_url(guild_id: int | str | None, channel_id: int | str, message_id: int | str) -> str:
    """Return the jump link of a message."""
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"
