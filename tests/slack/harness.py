"""Helpers to talk to the adapter's HTTP endpoint the way Slack does: signed requests."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret-0123456789"


@dataclass
class Reply:
    """What the app answered."""

    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class SlackSender:
    """Posts signed requests to the app's endpoint, like Slack's servers do."""

    def __init__(self, url: str, secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.secret = secret

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Reply:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sig = signature or SignatureVerifier(self.secret).generate_signature(
            timestamp=ts, body=body
        )
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig,
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body, headers=headers) as resp,
        ):
            return Reply(resp.status, await resp.text())

    async def event(self, envelope: dict[str, Any], **kw: Any) -> Reply:
        """An Events API callback (JSON)."""
        return await self.post(json.dumps(envelope).encode(), "application/json", **kw)

    async def interaction(self, payload: dict[str, Any], **kw: Any) -> Reply:
        """An interactive payload (buttons, shortcuts): form-encoded ``payload=<json>``."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def form(self, fields: dict[str, str], **kw: Any) -> Reply:
        """A form post (slash commands, ssl_check)."""
        return await self.post(
            urlencode(fields).encode(), "application/x-www-form-urlencoded", **kw
        )


def message_envelope(
    user: str,
    text: str,
    ts: str,
    *,
    channel: str = "C0GENERAL",
    channel_type: str = "channel",
    thread_ts: str | None = None,
    team: str = "T0TEAM",
    **extra: Any,
) -> dict[str, Any]:
    """A message.channels (etc.) event callback as Slack sends it."""
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
        "team": team,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {
        "token": "unused",
        "team_id": team,
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event": event,
        "event_id": f"Ev{ts.replace('.', '')}",
        "event_time": int(float(ts)),
        "authorizations": [{"team_id": team, "user_id": "U0BOT", "is_bot": True}],
    }


def block_action(
    user: str,
    action_id: str,
    value: str | None,
    response_url: str,
    *,
    channel: str = "C0MODS",
    message: dict[str, Any] | None = None,
    container_type: str = "message",
) -> dict[str, Any]:
    """A block_actions payload for one button click."""
    action: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "block_id": "ng_actions",
        "text": {"type": "plain_text", "text": "x"},
        "action_ts": "1700000999.000001",
    }
    if value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "unused",
        "container": {"type": container_type, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": "1.2.3",
        "team": {"id": "T0TEAM", "domain": "fake"},
        "channel": {"id": channel, "name": "mods"},
        "response_url": response_url,
        "actions": [action],
    }
    if message is not None:
        payload["message"] = message
        payload["container"]["message_ts"] = message.get("ts")
    return payload


def slash_command(user: str, text: str, response_url: str) -> dict[str, str]:
    """The form fields of a /safety invocation."""
    return {
        "token": "unused",
        "team_id": "T0TEAM",
        "team_domain": "fake",
        "channel_id": "C0GENERAL",
        "channel_name": "general",
        "user_id": user,
        "user_name": "someone",
        "command": "/safety",
        "text": text,
        "api_app_id": "A0APP",
        "response_url": response_url,
        "trigger_id": "1.2.3",
    }


def message_shortcut(
    user: str, message: dict[str, Any], response_url: str, channel: str = "C0GENERAL"
) -> dict[str, Any]:
    """A message_action payload for "Check this message"."""
    return {
        "type": "message_action",
        "token": "unused",
        "action_ts": "1700000999.000002",
        "team": {"id": "T0TEAM", "domain": "fake"},
        "user": {"id": user, "name": "someone"},
        "channel": {"id": channel, "name": "general"},
        "callback_id": "check_message",
        "trigger_id": "1.2.3",
        "message_ts": message["ts"],
        "message": message,
        "response_url": response_url,
    }


async def alert_post(engine: Any, case_id: str) -> tuple[str, str]:
    """Return (channel, ts) of a case's alert post, as the core's outbox stored it."""
    for _ in range(1000):
        ref = await engine.cases.sent_ref(case_id, "slack")
        if ref:
            channel, _, ts = str(ref).partition("/")
            return channel, ts
        await asyncio.sleep(0.01)
    raise AssertionError(f"no alert post stored for {case_id}")
