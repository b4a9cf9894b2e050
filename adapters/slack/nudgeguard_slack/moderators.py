"""The moderator channel: case alerts, posted, then updated in place.

A child's Report reaches it as an update of the case's alert, through the outbox.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from nudgeguard import ModeratorAlert, TransientDeliveryError, UndeliverableError
from nudgeguard_slack.alerts import alert_blocks, alert_text, alert_text_prefix
from nudgeguard_slack.delivery import SlackCallError, call_slack

log = logging.getLogger(__name__)

#: How many posted alerts are remembered.
REMEMBERED = 10_000
#: How many recent moderator-channel messages are searched for a case's alert after a restart.
_SEARCH = 200


class ModeratorChannel:
    """Posts to the configured moderator channel.

    Args:
        client: The Web API client.
        channel: ``slack.moderator_channel``; ``None`` makes every alert undeliverable.
    """

    def __init__(self, client: AsyncWebClient, channel: str | None) -> None:
        self.client = client
        self.channel = channel
        self._refs: OrderedDict[str, tuple[str, str]] = OrderedDict()

    def ref_of(self, case_id: str) -> tuple[str, str] | None:
        """Return (channel, ts) of the alert posted for a case in this process, if any."""
        return self._refs.get(case_id)

    async def send_alert(self, alert: ModeratorAlert) -> str | None:
        """Post the alert, or update the one already posted for the case.

        After a restart the earlier post is looked up in the channel's recent history (the
        app's own message whose text names the case); only if it is gone is a new one posted.

        Raises:
            TransientDeliveryError: Rate limit, 5xx or network; the outbox retries.
            UndeliverableError: No moderator channel configured, or Slack refused the post.
        """
        channel = self.channel
        if channel is None:
            raise UndeliverableError("slack.moderator_channel is not configured")
        blocks = alert_blocks(alert)
        text = alert_text(alert)
        known = self._refs.get(alert.case_id)
        if known is None and alert.is_update:
            known = await self._find_post(channel, alert.case_id)
        try:
            if known is not None:  # the case's post exists: update it, never post twice
                await call_slack(
                    "chat.update",
                    lambda: self.client.chat_update(
                        channel=known[0], ts=known[1], text=text, blocks=blocks
                    ),
                )
                return f"{known[0]}/{known[1]}"
            resp = await call_slack(
                "chat.postMessage",
                lambda: self.client.chat_postMessage(
                    channel=channel,
                    text=text,
                    blocks=blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                ),
            )
        except SlackCallError as err:
            raise UndeliverableError(f"moderator alert refused by Slack: {err.error}") from None
        ref = (str(resp.get("channel") or channel), str(resp.get("ts")))
        _remember(self._refs, alert.case_id, ref)
        return f"{ref[0]}/{ref[1]}"

    async def _find_post(self, channel: str, case_id: str) -> tuple[str, str] | None:
        """Find the case's earlier alert among the channel's recent messages, if any."""
        prefix = alert_text_prefix(case_id)
        try:
            resp = await call_slack(
                "conversations.history",
                lambda: self.client.conversations_history(channel=channel, limit=_SEARCH),
            )
        except (SlackCallError, TransientDeliveryError):
            return None
        for message in resp.get("messages") or ():
            if message.get("bot_id") and str(message.get("text") or "").startswith(prefix):
                ref = (channel, str(message.get("ts")))
                _remember(self._refs, case_id, ref)
                return ref
        return None


V = TypeVar("V")


def _remember(table: OrderedDict[str, V], key: str, value: V) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > REMEMBERED:
        table.popitem(last=False)
