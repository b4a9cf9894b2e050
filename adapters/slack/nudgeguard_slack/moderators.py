"""The moderator channel: case alerts, posted, then updated in place; case-less notices.

Which post a case's alert is comes from the core's outbox (``ModeratorAlert.post_ref``, the
``channel/ts`` this module returned when it posted it), so the adapter remembers no posts
and a restart changes nothing. A child's Report reaches the channel as an update of the
case's alert, or without a case as a notice the core worded.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from nudgeguard import ModeratorAlert, ModeratorNotice, UndeliverableError
from nudgeguard_slack.alerts import alert_blocks, alert_text, keeping_post, notice_blocks
from nudgeguard_slack.blocks import Block
from nudgeguard_slack.delivery import SlackCallError, call_slack

log = logging.getLogger(__name__)

#: chat.update errors that mean the post is gone: post the alert again instead.
_GONE = frozenset({"message_not_found", "cant_update_message", "channel_not_found"})


def post_of(ref: str | None) -> tuple[str, str] | None:
    """Return (channel, ts) of a reference :meth:`ModeratorChannel.send_alert` returned."""
    channel, _, ts = (ref or "").partition("/")
    return (channel, ts) if channel and ts else None


class ModeratorChannel:
    """Posts to the configured moderator channel.

    Args:
        client: The Web API client.
        channel: ``slack.moderator_channel``; ``None`` makes every alert undeliverable.
    """

    def __init__(self, client: AsyncWebClient, channel: str | None) -> None:
        self.client = client
        self.channel = channel

    async def send_alert(self, alert: ModeratorAlert) -> str | None:
        """Post the alert, or update the case's post that ``alert.post_ref`` names.

        A post that is gone (deleted, or in a channel the app left) is posted again. An
        alert the core rebuilt from its store (``alert.rebuilt``: after a restart, or a
        change made in the console or the CLI) names no participants: the post is read
        first (``conversations.history``) and keeps its participants, child-nudge line and
        earlier timeline.

        Raises:
            TransientDeliveryError: Rate limit, 5xx or network; the outbox retries.
            UndeliverableError: No moderator channel configured, or Slack refused the post.
        """
        channel = self.channel
        if channel is None:
            raise UndeliverableError("slack.moderator_channel is not configured")
        blocks = alert_blocks(alert)
        text = alert_text(alert)
        known = post_of(alert.post_ref)
        if known is not None:  # the case's post exists: update it, never post twice
            if alert.rebuilt:
                posted = await self._posted_blocks(*known)
                if posted:
                    blocks = keeping_post(blocks, posted, alert)
            try:
                await call_slack(
                    "chat.update",
                    lambda: self.client.chat_update(
                        channel=known[0], ts=known[1], text=text, blocks=blocks
                    ),
                )
                return f"{known[0]}/{known[1]}"
            except SlackCallError as err:
                if err.error not in _GONE:
                    raise UndeliverableError(
                        f"moderator alert refused by Slack: {err.error}"
                    ) from None
                log.info("the case's alert post is gone (%s); posting it again", err.error)
        return await self._post(channel, text, blocks, "moderator alert")

    async def _posted_blocks(self, channel: str, ts: str) -> list[Block]:
        """Return the blocks of the post at ``ts`` (none if it cannot be read).

        Raises:
            TransientDeliveryError: Rate limit, 5xx or network; the outbox retries.
        """
        try:
            resp = await call_slack(
                "conversations.history",
                lambda: self.client.conversations_history(
                    channel=channel, latest=ts, inclusive=True, limit=1
                ),
            )
        except SlackCallError as err:
            log.info("the case's alert post cannot be read (%s)", err.error)
            return []
        for message in resp.get("messages") or ():
            if isinstance(message, dict) and message.get("ts") == ts:
                return list(message.get("blocks") or ())
        return []

    async def send_notice(self, notice: ModeratorNotice) -> str | None:
        """Post a case-less notice (a child's Report) as the core worded it.

        Raises:
            TransientDeliveryError: Rate limit, 5xx or network; the outbox retries.
            UndeliverableError: No moderator channel configured, or Slack refused the post.
        """
        channel = self.channel
        if channel is None:
            raise UndeliverableError("slack.moderator_channel is not configured")
        return await self._post(channel, notice.title, notice_blocks(notice), "moderator notice")

    async def _post(self, channel: str, text: str, blocks: list[Block], what: str) -> str:
        try:
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
            raise UndeliverableError(f"{what} refused by Slack: {err.error}") from None
        return f"{resp.get('channel') or channel}/{resp.get('ts')}"
