"""Translate Slack Events API payloads into platform-neutral :class:`MessageEvent`.

Conversation ids: a channel, DM or group DM keeps its Slack id (``C…``, ``G…``, ``D…``); a
thread is its own conversation ``CHANNEL/THREAD_TS`` whose parent is the channel, because
grooming in a thread is a conversation of its own. Message ids are Slack's ``ts`` (unique
within a channel).

Everything that is not a person's message is dropped: bot messages, the app's own posts,
channel housekeeping subtypes, link-unfurl edits. Malformed payloads return ``None`` instead
of raising, so a strange event can never stop the adapter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from nudgeguard import (
    AgeBand,
    AgeSource,
    ConversationKind,
    EventType,
    MessageEvent,
    Participant,
)

PLATFORM = "slack"

#: Looks up the configured age band of a user id.
AgeLookup = Callable[[str], tuple[AgeBand, AgeSource]]

#: Message subtypes that are a person speaking.
_SPOKEN_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]{1,30})(?:\|[^>]*)?>")
_CHANNEL_LINK = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto|tel):[^|>]+)(?:\|([^>]*))?>")


@dataclass(frozen=True)
class Identity:
    """Who the app is in this workspace (from ``auth.test``)."""

    bot_user_id: str | None = None
    bot_id: str | None = None
    team_id: str | None = None
    workspace_url: str | None = None


def no_age(_: str) -> tuple[AgeBand, AgeSource]:
    """Age lookup that knows nothing (the default)."""
    return AgeBand.UNKNOWN, AgeSource.NONE


def thread_conversation_id(channel: str, thread_ts: str) -> str:
    """Return the conversation id of a thread."""
    return f"{channel}/{thread_ts}"


def split_conversation_id(conversation_id: str) -> tuple[str, str | None]:
    """Split a conversation id into (channel, thread_ts or None)."""
    channel, _, thread_ts = conversation_id.partition("/")
    return channel, thread_ts or None


def mentions_in(text: str) -> tuple[str, ...]:
    """Return user ids mentioned with ``<@U…>`` markup, in order, without repeats."""
    return tuple(dict.fromkeys(_USER_MENTION.findall(text)))


def plain_text(text: str) -> str:
    """Turn Slack ``mrkdwn`` markup into the text a reader sees.

    User mentions become ``@someone`` so that user ids never reach evidence text (the ids
    are kept in :attr:`MessageEvent.mentions`); links keep their address.
    """
    text = _USER_MENTION.sub("@someone", text)
    text = _CHANNEL_LINK.sub(lambda m: "#" + (m.group(1) or "channel"), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _SUBTEAM.sub(lambda m: m.group(1) or "@group", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    return html.unescape(text)


def permalink(
    identity: Identity, channel: str, ts: str, thread_ts: str | None = None
) -> str | None:
    """Build a message permalink from the workspace URL, when it is known."""
    if not identity.workspace_url:
        return None
    base = identity.workspace_url.rstrip("/")
    link = f"{base}/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


def kind_of(channel: str, channel_type: str | None) -> ConversationKind:
    """Map Slack's ``channel_type`` (or the id prefix) to a conversation kind."""
    if channel_type == "im" or (channel_type is None and channel.startswith("D")):
        return ConversationKind.DIRECT
    return ConversationKind.GROUP


def translate_event(
    body: Mapping[str, Any], *, identity: Identity, age_of: AgeLookup = no_age
) -> MessageEvent | None:
    """Translate one Events API envelope (or bare ``message`` event) to a MessageEvent.

    Returns:
        The event, or ``None`` when the payload is not a person's message, is the app's own,
        or is malformed.
    """
    try:
        event = body.get("event", body)
        if not isinstance(event, Mapping) or event.get("type") != "message":
            return None
        team = _team_of(body, event, identity)
        subtype = event.get("subtype")
        if subtype == "message_changed":
            return _edit(event, team, identity, age_of)
        if subtype == "message_deleted":
            return _delete(event, team, identity, age_of)
        if subtype == "channel_join" or subtype == "group_join":
            return _join(event, team, identity, age_of)
        if subtype not in _SPOKEN_SUBTYPES:
            return None
        return message_to_event(
            event,
            channel=_required_str(event, "channel"),
            channel_type=event.get("channel_type"),
            team_id=team,
            identity=identity,
            age_of=age_of,
        )
    except (KeyError, TypeError, ValueError, AttributeError, ValidationError):
        return None


def message_to_event(
    message: Mapping[str, Any],
    *,
    channel: str,
    channel_type: str | None,
    team_id: str,
    identity: Identity,
    age_of: AgeLookup = no_age,
    event_type: EventType = EventType.MESSAGE,
) -> MessageEvent | None:
    """Translate one Slack message object seen in ``channel``.

    Used for live events, for edits (the new message) and for message shortcuts.

    Raises:
        KeyError, TypeError, ValueError, ValidationError: The message is malformed.
    """
    if _is_bot_or_self(message, identity):
        return None
    user = _required_str(message, "user")
    ts = _required_str(message, "ts")
    raw_text = message.get("text") or ""
    if not isinstance(raw_text, str):
        raise TypeError("message text is not a string")
    raw_thread = message.get("thread_ts")
    thread_ts = raw_thread if isinstance(raw_thread, str) else ""
    in_thread = bool(thread_ts) and thread_ts != ts
    parent_user = message.get("parent_user_id") if in_thread else None
    band, source = age_of(user)
    files = message.get("files")
    return MessageEvent(
        type=event_type,
        platform=PLATFORM,
        community_id=team_id,
        conversation_id=thread_conversation_id(channel, thread_ts) if in_thread else channel,
        conversation_kind=ConversationKind.THREAD if in_thread else kind_of(channel, channel_type),
        message_id=ts,
        author=Participant(id=user, age_band=band, age_source=source),
        text=plain_text(raw_text),
        ts=float(ts),
        reply_to_author_id=parent_user if isinstance(parent_user, str) else None,
        mentions=tuple(m for m in mentions_in(raw_text) if m != user),
        parent_conversation_id=channel if in_thread else None,
        attachment_count=len(files) if isinstance(files, list) else 0,
        permalink=permalink(identity, channel, ts, thread_ts if in_thread else None),
    )


def _edit(
    event: Mapping[str, Any], team: str, identity: Identity, age_of: AgeLookup
) -> MessageEvent | None:
    new = event["message"]
    old = event.get("previous_message") or {}
    if (new.get("text") or "") == (old.get("text") or ""):
        return None  # link unfurls and reactions re-send the message unchanged
    edited = message_to_event(
        new,
        channel=_required_str(event, "channel"),
        channel_type=event.get("channel_type"),
        team_id=team,
        identity=identity,
        age_of=age_of,
        event_type=EventType.EDIT,
    )
    if edited is None:
        return None
    return edited.model_copy(update={"ts": float(event.get("event_ts") or event["ts"])})


def _delete(
    event: Mapping[str, Any], team: str, identity: Identity, age_of: AgeLookup
) -> MessageEvent | None:
    old = event.get("previous_message")
    if not isinstance(old, Mapping) or _is_bot_or_self(old, identity):
        return None
    deleted = message_to_event(
        {**old, "ts": event["deleted_ts"], "text": "", "files": None},
        channel=_required_str(event, "channel"),
        channel_type=event.get("channel_type"),
        team_id=team,
        identity=identity,
        age_of=age_of,
        event_type=EventType.DELETE,
    )
    if deleted is None:
        return None
    return deleted.model_copy(update={"ts": float(event["ts"])})


def _join(
    event: Mapping[str, Any], team: str, identity: Identity, age_of: AgeLookup
) -> MessageEvent | None:
    joined = message_to_event(
        {**event, "text": "", "thread_ts": None},
        channel=_required_str(event, "channel"),
        channel_type=event.get("channel_type"),
        team_id=team,
        identity=identity,
        age_of=age_of,
        event_type=EventType.MEMBER_JOIN,
    )
    return joined


def _is_bot_or_self(message: Mapping[str, Any], identity: Identity) -> bool:
    if message.get("bot_id") or message.get("subtype") == "bot_message":
        return True
    if message.get("bot_profile"):
        return True
    user = message.get("user")
    return identity.bot_user_id is not None and user == identity.bot_user_id


def _required_str(obj: Mapping[str, Any], key: str) -> str:
    value = obj[key]
    if not isinstance(value, str) or not value:
        raise ValueError(f"field {key!r} must be a non-empty string")
    return value


def _team_of(body: Mapping[str, Any], event: Mapping[str, Any], identity: Identity) -> str:
    for candidate in (body.get("team_id"), event.get("team"), identity.team_id):
        if isinstance(candidate, str) and candidate:
            return candidate
    raise ValueError("no workspace id in the payload")
