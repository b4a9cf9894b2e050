"""The app manifest asks for exactly what the adapter uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from nudgeguard_slack.listeners import CHECK_CALLBACK_ID, SAFETY_COMMAND
from nudgeguard_slack.manifest import BOT_SCOPES
from nudgeguard_slack.manifest import manifest as build_manifest

# The checkout's files (the installed package has no manifest next to it).
ADAPTER = Path(__file__).resolve().parents[2] / "adapters" / "slack"
PACKAGE = ADAPTER / "nudgeguard_slack"
MANIFEST = ADAPTER / "manifest.yaml"

#: Bot scope each Web API method needs (Slack's method reference).
METHOD_SCOPES = {
    "auth_test": set(),
    "apps_connections_open": set(),  # app-level token with connections:write
    "chat_postEphemeral": {"chat:write"},
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "conversations_open": {"im:write"},
    "conversations_history": {"channels:history", "groups:history", "im:history", "mpim:history"},
    "conversations_replies": {"channels:history", "groups:history", "im:history", "mpim:history"},
    "usergroups_list": {"usergroups:read"},
    "usergroups_users_list": {"usergroups:read"},
    "users_info": {"users:read"},
}
EVENT_SCOPES = {
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
}


def manifest() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(MANIFEST.read_text())


def methods_called() -> set[str]:
    source = "\n".join(p.read_text() for p in PACKAGE.glob("*.py"))
    return set(re.findall(r"client\.([a-z]+_[A-Za-z_]+)\b", source))


def test_scopes_are_exactly_what_the_code_uses() -> None:
    called = methods_called() & set(METHOD_SCOPES)
    unknown = {m for m in methods_called() if m not in METHOD_SCOPES and "_" in m}
    assert unknown == set(), f"add the scopes of {unknown} to METHOD_SCOPES and the manifest"
    needed = set().union(*(METHOD_SCOPES[m] for m in called))
    m = manifest()
    events = set(m["settings"]["event_subscriptions"]["bot_events"])
    needed |= {EVENT_SCOPES[e] for e in events}
    needed.add("commands")  # slash command and shortcut
    assert set(m["oauth_config"]["scopes"]["bot"]) == needed


def test_events_commands_and_shortcut_match_the_listeners() -> None:
    m = manifest()
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == set(EVENT_SCOPES)
    assert [c["command"] for c in m["features"]["slash_commands"]] == [SAFETY_COMMAND]
    (shortcut,) = m["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", CHECK_CALLBACK_ID)
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["settings"]["socket_mode_enabled"] is True


def test_the_yaml_file_is_the_manifest_the_code_builds() -> None:
    assert manifest() == build_manifest()
    assert set(BOT_SCOPES) == set(manifest()["oauth_config"]["scopes"]["bot"])
