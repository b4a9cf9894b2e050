"""The bot nudgeguard runs in standalone mode, and the gateway intents it needs."""

from __future__ import annotations

from typing import Any

from discord.ext import commands

import discord


class StandaloneBot(commands.Bot):
    """The bot used in standalone mode: no prefix commands, only the safety cog."""

    async def on_message(self, message: discord.Message, /) -> None:
        """Skip prefix-command processing; the cog's listener does the work."""


def default_intents() -> discord.Intents:
    """Return the gateway intents the adapter needs (two of them are privileged)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True  # privileged: enable in the developer portal
    intents.members = True  # privileged: roles of authors for age bands and moderators
    return intents


def standalone_bot(**options: Any) -> commands.Bot:
    """Create a bot with the needed intents, no guild chunking and no pings in its posts."""
    options.setdefault("intents", default_intents())
    options.setdefault("chunk_guilds_at_startup", False)
    options.setdefault("allowed_mentions", discord.AllowedMentions.none())
    bot: commands.Bot = StandaloneBot(
        command_prefix=commands.when_mentioned, help_command=None, **options
    )
    return bot
