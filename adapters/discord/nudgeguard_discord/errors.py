"""Map discord.py send failures onto the core's delivery errors.

The core's outbox retries :class:`~nudgeguard.delivery.outbound.TransientDeliveryError` with backoff
and records :class:`~nudgeguard.delivery.outbound.UndeliverableError` on the case. Messages name the
kind of failure only: no ids, tokens or message text.
"""

from __future__ import annotations

import asyncio

import aiohttp

import discord
from nudgeguard import TransientDeliveryError, UndeliverableError

#: Discord JSON error code: "Cannot send messages to this user" (DMs closed or blocked).
CANNOT_DM = 50007
#: Discord JSON error code: "Unknown User".
UNKNOWN_USER = 10013


def _retry_after(exc: discord.HTTPException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None:
        try:
            return float(headers.get("Retry-After", ""))
        except ValueError:
            return None
    return None


def delivery_error(exc: BaseException, what: str) -> Exception:
    """Return the delivery error to raise for a failed Discord call.

    Args:
        exc: What discord.py (or aiohttp) raised.
        what: Short description of the send, e.g. ``"direct message"``.
    """
    if isinstance(exc, discord.RateLimited):
        return TransientDeliveryError(f"{what}: rate limited", retry_after=exc.retry_after)
    if isinstance(exc, discord.Forbidden):
        if exc.code == CANNOT_DM:
            return UndeliverableError(f"{what}: the recipient does not accept direct messages")
        return UndeliverableError(f"{what}: missing Discord permission (code {exc.code})")
    if isinstance(exc, discord.NotFound):
        return UndeliverableError(f"{what}: target not found (code {exc.code})")
    if isinstance(exc, discord.DiscordServerError):
        return TransientDeliveryError(f"{what}: Discord server error {exc.status}")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return TransientDeliveryError(f"{what}: rate limited", retry_after=_retry_after(exc))
        if exc.status >= 500:
            return TransientDeliveryError(f"{what}: Discord server error {exc.status}")
        return UndeliverableError(f"{what}: rejected by Discord ({exc.status}, code {exc.code})")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return TransientDeliveryError(f"{what}: network error ({type(exc).__name__})")
    return TransientDeliveryError(f"{what}: unexpected {type(exc).__name__}")
