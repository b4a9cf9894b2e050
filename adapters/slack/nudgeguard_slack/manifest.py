"""The Slack app manifest, as data: what the app asks for and why.

``adapters/slack/manifest.yaml`` is the commented copy admins paste; a test keeps it equal to
:func:`manifest`. ``nudgeguard slack manifest [--http-url URL]`` prints it, switched to HTTP
mode when given a public URL.
"""

from __future__ import annotations

from typing import Any

import yaml

from nudgeguard_slack.listeners import CHECK_CALLBACK_ID, SAFETY_COMMAND

#: Every bot scope the adapter uses, with the reason shown to admins.
BOT_SCOPES: dict[str, str] = {
    "channels:history": "message.channels events; context for 'Check this message'",
    "groups:history": "message.groups (private channels the app is invited to)",
    "im:history": "message.im (DMs with the app)",
    "mpim:history": "message.mpim (group DMs the app is in)",
    "chat:write": "ephemeral nudges, DM nudges, alerts, alert updates",
    "im:write": "conversations.open: DM fallback when ephemeral is not possible",
    "usergroups:read": "moderator and age user groups",
    "users:read": "users.info: each person's Slack language, so nudges use it",
    "commands": "/safety and the message shortcut",
}

BOT_EVENTS = ("message.channels", "message.groups", "message.im", "message.mpim")

#: The app-level token (Socket Mode) needs this scope.
APP_TOKEN_SCOPE = "connections:write"

_LONG_DESCRIPTION = (
    "nudgeguard watches the channels it is invited to for patterns of online grooming across "
    "several messages. When it sees warning signs aimed at a young member it sends them a "
    "private, calm nudge with options (safety tips, report, talk to someone, I'm OK). When "
    "risk builds up it opens a case for your moderators, who decide what happens. Message "
    "excerpts are only shown to a moderator who asks for them."
)


def manifest(http_url: str | None = None) -> dict[str, Any]:
    """Return the app manifest; Socket Mode unless ``http_url`` (the events URL) is given."""
    command: dict[str, Any] = {
        "command": SAFETY_COMMAND,
        "description": "Safety status, or switch observe/live mode (moderators only)",
        "usage_hint": "status | mode observe | mode live",
        "should_escape": False,
    }
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if http_url:
        command["url"] = http_url
        events = {"request_url": http_url, **events}
        interactivity["request_url"] = http_url
    return {
        "display_information": {
            "name": "nudgeguard",
            "description": (
                "Private safety nudges for young members; evidence-backed cases for moderators."
            ),
            "background_color": "#28476b",
            "long_description": _LONG_DESCRIPTION,
        },
        "features": {
            "bot_user": {"display_name": "nudgeguard", "always_online": True},
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": "Check this message",
                    "type": "message",
                    "callback_id": CHECK_CALLBACK_ID,
                    "description": "Privately check a message for warning signs",
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": http_url is None,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(http_url: str | None = None) -> str:
    """Return :func:`manifest` as YAML, ready to paste into Slack."""
    return yaml.safe_dump(manifest(http_url), sort_keys=False, width=100)
