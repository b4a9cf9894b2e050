"""nudgeguard for Discord: private nudges, moderator alerts and safety commands on discord.py.

Standalone: ``nudgeguard run --config FILE`` with a ``discord:`` section and the token in
``DISCORD_TOKEN``. Inside your own bot: ``await bot.load_extension("nudgeguard_discord")``
(configured by the file named in ``NUDGEGUARD_CONFIG``) or add :class:`SafetyCog` yourself.
"""

from __future__ import annotations

from nudgeguard_discord.adapter import DiscordAdapter
from nudgeguard_discord.bots import default_intents
from nudgeguard_discord.cog import SafetyCog
from nudgeguard_discord.extension import setup, teardown
from nudgeguard_discord.permissions import invite_url, required_permissions
from nudgeguard_discord.settings import DiscordSettings, GuildSettings

__all__ = [
    "DiscordAdapter",
    "DiscordSettings",
    "GuildSettings",
    "SafetyCog",
    "default_intents",
    "invite_url",
    "required_permissions",
    "setup",
    "teardown",
]
