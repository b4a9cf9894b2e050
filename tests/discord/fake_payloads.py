"""Payload builders and small types shared by the fake Discord's parts."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

Json = dict[str, Any]

_ids = itertools.count(1_300_000_000_000_000_000)


def snowflake() -> str:
    """Return a fresh snowflake id as a string."""
    return str(next(_ids))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class Failure:
    """A scripted failure answer for matching requests."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: Json
    times: int
    headers: dict[str, str] = field(default_factory=dict)


def user_payload(user_id: str, name: str, *, bot: bool = False) -> Json:
    """Return a Discord user object."""
    return {
        "id": user_id,
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


EDITABLE = {"content", "embeds", "components", "flags"}


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py only parses bodies whose content type is exactly application/json.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
