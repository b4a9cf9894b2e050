"""Calling the Slack Web API with errors mapped to what the core's outbox understands.

``ratelimited`` (HTTP 429), 5xx answers and network trouble become
:class:`~nudgeguard.TransientDeliveryError` carrying ``Retry-After`` so the outbox retries
later. Every other Slack error becomes :class:`SlackCallError` with Slack's error code only:
never the request, the text or a user id, which must not reach logs or exceptions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from nudgeguard import TransientDeliveryError

#: Slack error codes that say "try again later" even on a 200.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)

#: postEphemeral failures after which a DM is worth trying.
EPHEMERAL_FALLBACK_ERRORS = frozenset(
    {
        "user_not_in_channel",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "cannot_reply_to_message",
        "ekm_access_denied",
        "team_access_not_granted",
        "invalid_arguments",
    }
)

DEFAULT_RETRY_AFTER = 1.0


class SlackCallError(Exception):
    """A Slack call failed for a reason that will not pass by waiting."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"{method} failed: {error}")
        self.method = method
        self.error = error


async def call_slack(method: str, send: Callable[[], Awaitable[Any]]) -> Any:
    """Await one Web API call and map its failures.

    Args:
        method: The API method name, for the error message.
        send: A zero-argument callable returning the client call's awaitable.

    Raises:
        TransientDeliveryError: Rate limit, 5xx, transient Slack error or network failure.
        SlackCallError: Any other Slack error.
    """
    try:
        return await send()
    except SlackApiError as err:
        raise _mapped(method, err) from None
    except (TimeoutError, aiohttp.ClientError, OSError) as err:
        raise TransientDeliveryError(f"{method}: network error ({type(err).__name__})") from None


def _mapped(method: str, err: SlackApiError) -> Exception:
    response = err.response
    status = getattr(response, "status_code", 200) or 200
    data = getattr(response, "data", None)
    code = str(data.get("error") or "") if isinstance(data, dict) else ""
    if status == 429 or code == "ratelimited":
        return TransientDeliveryError(f"{method}: rate limited", retry_after=_retry_after(err))
    if status >= 500 or code in TRANSIENT_ERRORS:
        return TransientDeliveryError(f"{method}: Slack unavailable (HTTP {status})")
    return SlackCallError(method, code or f"HTTP {status}")


def _retry_after(err: SlackApiError) -> float:
    headers = getattr(err.response, "headers", None) or {}
    raw = None
    for key, value in dict(headers).items():
        if str(key).lower() == "retry-after":
            raw = value
    try:
        return max(float(raw), 0.0) if raw is not None else DEFAULT_RETRY_AFTER
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
