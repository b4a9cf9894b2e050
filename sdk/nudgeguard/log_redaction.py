"""Logging that never carries message text, user ids or tokens, whatever library logs.

Chat SDKs log whole gateway frames and HTTP bodies at DEBUG (discord.py's gateway and
http loggers, slack-sdk, slack-bolt, aiohttp, asyncpg's and Redis' clients), so turning
``-v`` on would otherwise put children's messages and raw platform ids in a log file.
:func:`configure_logging` (what the command line calls) therefore:

* caps every third-party logger at WARNING: their DEBUG and INFO records, where payloads
  live, are never created; a handler filter drops any that get through (a library that
  set its own level, or one not listed);
* scrubs what is left, ours included: platform ids (Discord snowflakes, Slack user,
  channel and team ids), tokens (Slack ``xox*-``/``xapp-``, Discord bot tokens, bearer
  headers, ``token=``/``secret=`` values), webhook URLs and e-mail addresses become
  ``<redacted>``;
* keeps a third-party exception's type and traceback but not its message, which may
  quote the payload that caused it.

Our own loggers log kinds, counts and exception type names, never text or ids; the
scrubbing is the net under that rule, not a licence to break it.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from typing import TextIO

#: Loggers of ours; every other logger is third-party.
OWN_PREFIXES = ("nudgeguard", "nudgeguard_discord", "nudgeguard_slack")
#: Loggers of ours that carry a library's records (slack-bolt logs through it).
FOREIGN_OWN = ("nudgeguard_slack.bolt",)
#: Libraries known to log payloads below WARNING; capped when logging is configured.
PAYLOAD_LOGGERS = (
    "discord",
    "slack_sdk",
    "slack_bolt",
    "nudgeguard_slack.bolt",
    "aiohttp",
    "asyncpg",
    "redis",
    "websockets",
    "websocket",
    "urllib3",
    "httpx",
    "httpcore",
    "asyncio",
)
REDACTED = "<redacted>"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SECRETS = re.compile(
    r"xox[a-z]-[A-Za-z0-9-]+"  # Slack bot/user tokens
    r"|xapp-[A-Za-z0-9-]+"  # Slack app-level tokens
    r"|[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}"  # Discord bot tokens, JWTs
    r"|https?://hooks\.slack\.com/\S*"
    r"|https?://(?:\w+\.)?discord(?:app)?\.com/api/(?:v\d+/)?webhooks/\S*"
    r"|(?i:\b(?:bearer|bot)\s+[A-Za-z0-9._~+/=-]{16,})"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+"  # e-mail addresses
)
_KEYED = re.compile(
    r"(?i)((?:token|secret|password|authorization|signature|api[_-]?key)[\"']?\s*[:=]\s*[\"']?)"
    r"[^\s\"',&}]+"
)
_IDS = re.compile(
    r"(?<!\w)\d{15,22}(?!\w)"  # Discord snowflakes (users, messages, channels, guilds)
    r"|\b[UWBCDGTES](?=[A-Z0-9]*\d)[A-Z0-9]{7,}\b"  # Slack ids: U/W users, C/D/G channels...
)


def scrub(text: str) -> str:
    """Return ``text`` with ids, tokens, webhook URLs and e-mail addresses redacted."""
    text = _SECRETS.sub(REDACTED, text)
    text = _KEYED.sub(lambda m: m.group(1) + REDACTED, text)
    return _IDS.sub(REDACTED, text)


def is_third_party(name: str) -> bool:
    """Return True for a logger whose records may carry a library's payloads."""
    if any(name == f or name.startswith(f + ".") for f in FOREIGN_OWN):
        return True
    return not any(name == p or name.startswith(p + ".") for p in OWN_PREFIXES)


def _exception_without_messages(exc_info: tuple[type[BaseException], BaseException, object]) -> str:
    """Format a traceback keeping frames and exception types, dropping their messages."""
    te = traceback.TracebackException(*exc_info)  # type: ignore[arg-type]
    seen: set[int] = set()
    stack: list[traceback.TracebackException | None] = [te]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        item._str = REDACTED  # type: ignore[attr-defined]  # the message only
        stack += [item.__cause__, item.__context__]
    return "".join(te.format()).rstrip("\n")


class RedactingFilter(logging.Filter):
    """Drops third-party records below WARNING; scrubs ids and secrets from the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False to drop the record; rewrite its text in place otherwise."""
        foreign = is_third_party(record.name)
        if foreign and record.levelno < logging.WARNING:
            return False
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, not the arguments
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[0] is not None:
            if foreign:
                text = _exception_without_messages(record.exc_info)
            else:
                text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_info, record.exc_text = None, scrub(text)
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class RedactingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The command line's log handler: a stream handler with :class:`RedactingFilter`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self.addFilter(RedactingFilter())
        self.setFormatter(logging.Formatter(_FORMAT))


def cap_payload_loggers() -> None:
    """Keep the loggers of libraries that log payloads at WARNING or above."""
    for name in PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def configure_logging(verbose: bool, stream: TextIO | None = None) -> RedactingHandler:
    """Set up the process's logging: our DEBUG with ``verbose``, WARNING otherwise.

    Replaces a handler this function installed before (a command line invoked twice in
    one process logs once). A deployment adding handlers of its own (a file, a collector)
    should give them :class:`RedactingFilter` too.

    Args:
        verbose: Log our own DEBUG records too.
        stream: Where to write; standard error if omitted.

    Returns:
        The installed handler.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, RedactingHandler)]:
        root.removeHandler(old)
    handler = RedactingHandler(stream)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    cap_payload_loggers()
    return handler
