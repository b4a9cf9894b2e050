"""Keep the gateway alive when discord.py cannot parse one payload.

discord.py 2.x lets an exception from a payload parser escape its connection loop. That
ends ``Client.start`` while the bot still looks ready and connected: from then on no event
arrives, so children in that server are silently unprotected. Discord changes payloads
without notice from time to time, so one odd field must cost one event, not the bot.

:func:`guard_parsers` wraps each of a client's payload parsers so that a failure drops that
payload, reports it, and lets the next one through. The standalone bot is guarded when the
adapter creates it; a host bot that loads nudgeguard as an extension can opt in by calling
:func:`guard_parsers` itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord

log = logging.getLogger(__name__)

#: Called with the gateway event name and the exception of each dropped payload.
OnDrop = Callable[[str, Exception], None]


def _log_drop(event: str, exc: Exception) -> None:
    # The exception's text can quote the payload (message content); its type cannot.
    log.warning("dropped a %s payload discord.py could not parse (%s)", event, type(exc).__name__)


def _guarded(event: str, parse: Callable[[Any], None], on_drop: OnDrop) -> Callable[[Any], None]:
    def parse_or_drop(data: Any) -> None:
        try:
            parse(data)
        except Exception as exc:
            _log_drop(event, exc)
            on_drop(event, exc)

    parse_or_drop.__wrapped__ = parse  # type: ignore[attr-defined]
    return parse_or_drop


def guard_parsers(client: discord.Client, on_drop: OnDrop | None = None) -> bool:
    """Make every payload parser of ``client`` drop a payload it fails on instead of raising.

    Call it before the client connects. Calling it twice guards once.

    Args:
        client: The discord.py client (or bot).
        on_drop: Also called for each dropped payload (for example to count them).

    Returns:
        False when this discord.py keeps its parsers where the guard cannot reach them
        (nothing is changed then, and a warning is logged).
    """
    state = getattr(client, "_connection", None)
    parsers = getattr(state, "parsers", None)
    if not isinstance(parsers, dict):
        log.warning("cannot guard discord.py %s's payload parsers", discord.__version__)
        return False
    report = on_drop or (lambda _event, _exc: None)
    for event, parse in list(parsers.items()):
        if not hasattr(parse, "__wrapped__"):
            parsers[event] = _guarded(event, parse, report)
    return True
