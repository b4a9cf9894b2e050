"""Checking an HTTP-mode request from Slack: its signature first, then its shape.

Order matters. The signature and timestamp are checked on the raw bytes before anything
is decoded or parsed, so an unsigned request costs one HMAC over at most ``MAX_BODY``
bytes and nothing else, whatever it holds (deep JSON, invalid UTF-8, odd types): 401.
Only a correctly signed request is parsed, and only one whose structure slack-bolt and
our listeners can rely on (an object, the routing fields strings, the nested objects
objects, at most ``MAX_DEPTH`` deep) is dispatched; anything else is a 400.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

#: Seconds a request's timestamp may be away from our clock (Slack's own limit).
MAX_SKEW = 300
#: Nesting deeper than this is not a Slack payload (theirs stay under about fifteen).
MAX_DEPTH = 64

JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded",)

#: Keys that are strings (or null) wherever they appear in a payload.
_STRINGS = frozenset(
    {
        "type",
        "subtype",
        "ts",
        "thread_ts",
        "event_ts",
        "user_id",
        "team_id",
        "channel_id",
        "enterprise_id",
        "api_app_id",
        "bot_id",
        "channel_type",
        "action_id",
        "block_id",
        "callback_id",
        "trigger_id",
        "response_url",
        "command",
        "event_id",
        "token",
        "challenge",
    }
)
#: Keys holding either an id string or an object with a string ``id``.
_IDS_OR_OBJECTS = frozenset({"user", "team", "channel", "enterprise"})
#: Keys holding an object.
_OBJECTS = frozenset({"event", "message", "container", "view", "previous_message", "edited"})
#: Keys holding a list of objects.
_LISTS_OF_OBJECTS = frozenset({"authorizations", "actions"})


def signature_ok(
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    secret: str,
    clock: Callable[[], float] = time.time,
) -> bool:
    """Return True when ``signature`` is Slack's v0 HMAC of ``body`` at a fresh ``timestamp``.

    Args:
        body: The request body exactly as received.
        timestamp: The ``X-Slack-Request-Timestamp`` header.
        signature: The ``X-Slack-Signature`` header.
        secret: The app's signing secret (never empty: the adapter refuses to start).
        clock: Wall clock (unix seconds).
    """
    if not secret or not timestamp or not signature:
        return False
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(clock() - int(timestamp)) > MAX_SKEW:
        return False
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _shape_ok(value: Any) -> bool:
    """Return True when every known key in ``value`` (at any depth) has a usable type."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
            continue
        if not isinstance(item, dict):
            continue
        for key, v in item.items():
            if v is None:
                continue
            if key in _STRINGS and not isinstance(v, str):
                return False
            if key in _IDS_OR_OBJECTS and not (
                isinstance(v, str) or (isinstance(v, dict) and isinstance(v.get("id", ""), str))
            ):
                return False
            if key in _OBJECTS and not isinstance(v, dict):
                return False
            if key in _LISTS_OF_OBJECTS and not (
                isinstance(v, list) and all(isinstance(x, dict) for x in v)
            ):
                return False
            if key == "text" and not isinstance(v, str | dict):
                return False
            if isinstance(v, dict | list):
                stack.append((v, depth + 1))
    return True


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, too deep, integers over 4,300 digits
        return None
    return parsed if isinstance(parsed, dict) else None


def parse_signed(body: bytes, content_type: str) -> dict[str, Any] | None:
    """Return the payload of a signed request, or None when it is malformed (a 400).

    JSON bodies (Events API) must be an object with a string ``type``; an
    ``event_callback`` must carry an ``event`` object with a string ``type``. Form bodies
    (commands, interactivity) must be UTF-8; a ``payload`` field must be such an object.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media in JSON_TYPES:
        payload = _json_object(text)
        if payload is None or not isinstance(payload.get("type"), str):
            return None
        if payload["type"] == "event_callback" and not (
            isinstance(payload.get("event"), dict) and isinstance(payload["event"].get("type"), str)
        ):
            return None
    elif media in FORM_TYPES:
        try:
            fields = parse_qs(text, keep_blank_values=True, errors="strict")
        except (ValueError, UnicodeDecodeError):
            return None
        payload = {k: v[0] for k, v in fields.items()}
        if "payload" in fields:
            inner = _json_object(fields["payload"][0])
            if inner is None or not isinstance(inner.get("type"), str):
                return None
            payload = inner
    else:
        return None
    return payload if _shape_ok(payload) else None
