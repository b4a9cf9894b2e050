"""The Discord permissions nudgeguard needs, who counts as a moderator, and the invite URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import discord
from nudgeguard_discord.settings import DiscordSettings

#: OAuth2 scopes: the bot user plus slash and context-menu commands.
SCOPES = ("bot", "applications.commands")


def required_permissions() -> discord.Permissions:
    """Return exactly the guild permissions the bot uses, and why.

    - View Channels, Read Message History: see messages and the context of a checked one.
    - Send Messages, Send Messages in Threads, Embed Links: post alerts in the moderator
      channel (nudges go by DM and need no guild permission).
    - Manage Messages: the engine's delete capability (after evidence is preserved).
    - Moderate Members: the "Timeout member" button. Without it the button is not shown.
    """
    return discord.Permissions(
        view_channel=True,
        read_message_history=True,
        send_messages=True,
        send_messages_in_threads=True,
        embed_links=True,
        manage_messages=True,
        moderate_members=True,
    )


def invite_url(client_id: int | str, permissions: discord.Permissions | None = None) -> str:
    """Return the OAuth2 URL that adds the bot to a server with exactly the needed permissions."""
    perms = permissions if permissions is not None else required_permissions()
    query = urlencode(
        {"client_id": str(client_id), "permissions": str(perms.value), "scope": " ".join(SCOPES)}
    )
    return f"https://discord.com/oauth2/authorize?{query}"


def is_moderator(interaction: discord.Interaction[Any], settings: DiscordSettings) -> bool:
    """Return True when the clicking member may act on alerts.

    Members with Manage Messages (administrators included) may always act; others need one
    of the guild's configured moderator roles. Outside a guild nobody is a moderator.
    """
    user = interaction.user
    if interaction.guild_id is None or not isinstance(user, discord.Member):
        return False
    perms = interaction.permissions
    if perms.administrator or perms.manage_messages:
        return True
    guild_settings = settings.guild(interaction.guild_id)
    roles = [r for r in user.roles if not r.is_default()]
    return guild_settings.is_moderator_role((r.id for r in roles), (r.name for r in roles))


def may_time_out(interaction: discord.Interaction[Any], settings: DiscordSettings) -> bool:
    """Return True when the member may use "Timeout member".

    Manage Messages alone does not grant a timeout through the bot: the member also needs
    Moderate Members (or Administrator), unless they hold a configured moderator role, which
    is the server admin's explicit delegation.
    """
    if not is_moderator(interaction, settings):
        return False
    perms = interaction.permissions
    if perms.administrator or perms.moderate_members:
        return True
    user = interaction.user
    if not isinstance(user, discord.Member) or interaction.guild_id is None:
        return False
    roles = [r for r in user.roles if not r.is_default()]
    guild_settings = settings.guild(interaction.guild_id)
    return guild_settings.is_moderator_role((r.id for r in roles), (r.name for r in roles))


def is_administrator(interaction: discord.Interaction[Any]) -> bool:
    """Return True for members with the Administrator permission."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    return interaction.permissions.administrator
