"""Private nudge delivery on Slack: ephemeral where it happened, else a one-to-one DM.

There is no code path that posts a nudge where anyone but the recipient can see it: the
only ``chat.postMessage`` goes to the channel ``conversations.open`` returned for the
recipient alone, and only if it is a DM (``D…``).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from nudgeguard import (
    Delivery,
    Nudge,
    TransientDeliveryError,
    UndeliverableError,
    in_locale,
)
from nudgeguard_slack.blocks import nudge_blocks
from nudgeguard_slack.delivery import EPHEMERAL_FALLBACK_ERRORS, SlackCallError, call_slack
from nudgeguard_slack.translate import split_conversation_id

log = logging.getLogger(__name__)


class NudgeSender:
    """Sends nudges in the policy's order of private channels.

    Args:
        client: The Web API client.
        max_len: Longest notification text.
    """

    def __init__(self, client: AsyncWebClient, max_len: int) -> None:
        self.client = client
        self._max_len = max_len

    async def user_locale(self, user_id: str) -> str | None:
        """Return the person's Slack language (``users.info`` with ``include_locale``).

        None when Slack will not say; the nudge then keeps the core's choice of language.
        """
        try:
            info = await call_slack(
                "users.info",
                lambda: self.client.users_info(user=user_id, include_locale=True),
            )
        except (SlackCallError, TransientDeliveryError) as err:
            # The error code only: an exception's text could carry the request's user id.
            reason = err.error if isinstance(err, SlackCallError) else type(err).__name__
            log.info("users.info not possible (%s); nudge language from the core", reason)
            return None
        user = info.get("user") if info is not None else None
        locale = user.get("locale") if isinstance(user, dict) else None
        return locale if isinstance(locale, str) else None

    async def send(self, nudge: Nudge) -> Delivery:
        """Deliver ``nudge``; see :meth:`SlackAdapter.send_nudge`."""
        # The person's Slack language re-words it, and its region may re-pick the helpline
        # country (the core decides; see nudgeguard.delivery.helpline_country).
        nudge = in_locale(nudge, await self.user_locale(nudge.recipient_id))
        blocks = nudge_blocks(nudge)
        text = nudge.text[: self._max_len]
        for way in nudge.delivery:  # the policy's order; empty means nowhere
            try:
                if way is Delivery.EPHEMERAL:
                    if await self._ephemeral_nudge(nudge, text, blocks):
                        return Delivery.EPHEMERAL
                elif way is Delivery.DIRECT_MESSAGE:
                    await self._dm_nudge(nudge, text, blocks)
                    return Delivery.DIRECT_MESSAGE
            except SlackCallError as err:
                log.info("nudge via %s not possible: %s", way.value, err.error)
        raise UndeliverableError("no private Slack channel reached the recipient")

    async def _ephemeral_nudge(self, nudge: Nudge, text: str, blocks: list[Any]) -> bool:
        channel, thread_ts = split_conversation_id(nudge.conversation_id)
        if not channel:
            return False
        kwargs: dict[str, Any] = {
            "channel": channel,
            "user": nudge.recipient_id,
            "text": text,
            "blocks": blocks,
        }
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            await call_slack("chat.postEphemeral", lambda: self.client.chat_postEphemeral(**kwargs))
        except SlackCallError as err:
            if err.error in EPHEMERAL_FALLBACK_ERRORS:
                log.info("ephemeral nudge not possible (%s); trying the next way", err.error)
                return False
            raise
        return True

    async def _dm_nudge(self, nudge: Nudge, text: str, blocks: list[Any]) -> None:
        opened = await call_slack(
            "conversations.open", lambda: self.client.conversations_open(users=nudge.recipient_id)
        )
        channel = str((opened.get("channel") or {}).get("id") or "")
        if not channel.startswith("D"):
            # Only a one-to-one DM is private; anything else would expose the child.
            raise SlackCallError("conversations.open", "not_a_direct_message")
        await call_slack(
            "chat.postMessage",
            lambda: self.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            ),
        )
