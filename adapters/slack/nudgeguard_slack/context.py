"""Building the event and its recent context for the "Check this message" shortcut."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from nudgeguard import MessageEvent, TransientDeliveryError
from nudgeguard_slack.delivery import SlackCallError, call_slack
from nudgeguard_slack.translate import message_to_event, split_conversation_id

if TYPE_CHECKING:
    from nudgeguard_slack.adapter import SlackAdapter


async def shortcut_event(adapter: SlackAdapter, body: Mapping[str, Any]) -> MessageEvent | None:
    """Translate the message a person chose to check; ``None`` if it is not a person's."""
    try:
        await adapter.ages.refresh()
        return message_to_event(
            body["message"],
            channel=str(body["channel"]["id"]),
            channel_type=None,
            team_id=str((body.get("team") or {}).get("id") or adapter.identity.team_id),
            identity=adapter.identity,
            age_of=adapter.ages.lookup,
        )
    except (KeyError, TypeError, ValueError, AttributeError, ValidationError):
        return None


async def context_for(adapter: SlackAdapter, event: MessageEvent) -> list[MessageEvent]:
    """Fetch the messages just before ``event`` (oldest first); empty if not readable."""
    limit = adapter.settings.check_context_messages
    if limit == 0:
        return []
    channel, thread_ts = split_conversation_id(event.conversation_id)
    try:
        if thread_ts:
            resp = await call_slack(
                "conversations.replies",
                lambda: adapter.client.conversations_replies(
                    channel=channel,
                    ts=thread_ts,
                    latest=event.message_id,
                    inclusive=False,
                    limit=limit,
                ),
            )
        else:
            resp = await call_slack(
                "conversations.history",
                lambda: adapter.client.conversations_history(
                    channel=channel, latest=event.message_id, inclusive=False, limit=limit
                ),
            )
    except (SlackCallError, TransientDeliveryError):
        return []
    out: list[MessageEvent] = []
    for message in resp.get("messages") or ():
        try:
            if str(message.get("ts")) >= event.message_id:
                continue
            translated = message_to_event(
                message,
                channel=channel,
                channel_type=None,
                team_id=event.community_id,
                identity=adapter.identity,
                age_of=adapter.ages.lookup,
            )
        except (KeyError, TypeError, ValueError, AttributeError, ValidationError):
            continue
        if translated is not None:
            out.append(translated)
    out.sort(key=lambda e: e.ts)
    return out[-limit:]
