"""SafetyCog: the discord.py side of nudgeguard, usable in any bot.

It listens to message create, edit and delete, hands translated events to the adapter in
arrival order, and provides ``/safety status``, ``/safety mode`` and the message context
menu "Check this message". Add it yourself (``await bot.add_cog(SafetyCog(bot, adapter))``)
or load the extension (``await bot.load_extension("nudgeguard_discord")``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from discord.ext import commands

import discord
from discord import app_commands
from nudgeguard import EventType, MessageEvent, catalog, choose_locale
from nudgeguard_discord import translate
from nudgeguard_discord.command_language import CatalogTranslator, command_text
from nudgeguard_discord.permissions import is_administrator, is_moderator

if TYPE_CHECKING:
    from nudgeguard_discord.adapter import DiscordAdapter

log = logging.getLogger(__name__)

CHECK_MENU_NAME = str(command_text("check_menu"))
_CONTEXT_MESSAGES = 10


class SafetyCog(commands.Cog, name="nudgeguard"):
    """Watches messages and offers the safety commands.

    Args:
        bot: The bot to attach to.
        adapter: The Discord adapter bound to a nudgeguard engine.
    """

    safety = app_commands.Group(
        name="safety",
        description=command_text("safety"),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
    )

    def __init__(self, bot: commands.Bot, adapter: DiscordAdapter) -> None:
        self.bot = bot
        self.adapter = adapter
        self.check_menu: app_commands.ContextMenu = app_commands.ContextMenu(
            name=command_text("check_menu"),
            callback=self.check_message,
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=True
            ),
        )
        self._synced = False
        self._translator: CatalogTranslator | None = None

    async def cog_load(self) -> None:
        """Attach the adapter, register the context menu, and word the command list.

        The command list is published with a name and descriptions per Discord language
        (:mod:`~nudgeguard_discord.command_language`), unless the bot already has a
        translator of its own, which is left in place.
        """
        self.adapter.attach(self.bot)
        self.bot.tree.add_command(self.check_menu, override=True)
        if self.bot.tree.translator is None:
            self._translator = CatalogTranslator()
            await self.bot.tree.set_translator(self._translator)

    async def cog_unload(self) -> None:
        """Remove the context menu and the translator this cog set."""
        self.bot.tree.remove_command(self.check_menu.name, type=self.check_menu.type)
        if self._translator is not None and self.bot.tree.translator is self._translator:
            await self.bot.tree.set_translator(None)
        self._translator = None

    # ------------------------------------------------------------------ gateway
    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Publish the commands once, if configured to."""
        if self.adapter.settings.sync_commands and not self._synced:
            self._synced = True
            try:
                await self.bot.tree.sync()
            except discord.HTTPException as exc:
                log.warning("could not publish slash commands (HTTP %s)", exc.status)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Score a new message (once, even when the gateway replays it)."""
        if message.guild is None:
            return  # DMs to the bot itself: nobody there to protect
        self.adapter.submit_message(message, EventType.MESSAGE)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Score an edit: the new text is what the other person now sees."""
        if payload.guild_id is None or payload.message.edited_at is None:
            return  # link unfurls, pins and other updates that are not a person's edit
        self.adapter.submit_message(payload.message, EventType.EDIT)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """Tell the engine a message vanished (deleting the trail is itself a signal)."""
        if payload.guild_id is None:
            return
        self.adapter.submit_delete(payload)

    # ----------------------------------------------------------------- commands
    @safety.command(name="status", description=command_text("status"))
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """Show open cases and mode to moderators, in the server's language setting."""
        text = self._wording(interaction)
        if not is_moderator(interaction, self.adapter.settings):
            await interaction.response.send_message(text("status_moderators_only"), ephemeral=True)
            return
        status = await self.adapter.engine.status(str(interaction.guild_id))
        await interaction.response.send_message(
            text("safety_status", count=f"**{status.open_cases}**", mode=f"**{status.mode}**"),
            ephemeral=True,
        )

    @safety.command(name="mode", description=command_text("mode"))
    @app_commands.describe(mode=command_text("mode_option"))
    async def mode(
        self, interaction: discord.Interaction[Any], mode: Literal["observe", "live"]
    ) -> None:
        """Switch the community's mode (administrators only)."""
        text = self._wording(interaction)
        if not is_administrator(interaction):
            await interaction.response.send_message(text("mode_admins_only"), ephemeral=True)
            return
        await self.adapter.engine.set_mode(str(interaction.guild_id), mode)
        await interaction.response.send_message(
            text("mode_now", mode=f"**{mode}**"), ephemeral=True
        )

    def _wording(self, interaction: discord.Interaction[Any]) -> Callable[..., str]:
        """Return the moderator texts in the server's language setting."""
        locale = self.adapter.engine.moderator_locale(str(interaction.guild_id))
        return catalog(locale).moderator_text

    async def check_message(
        self, interaction: discord.Interaction[Any], message: discord.Message
    ) -> None:
        """Score a message someone chose, with its context, and answer only them."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        event = translate.message_event(message, self.adapter.settings)
        if event is None:
            # Answered in the asker's Discord language, like the rest of the check.
            words = catalog(choose_locale(str(interaction.locale), None, None, None))
            await interaction.followup.send(words.checks["not_a_person"], ephemeral=True)
            return
        context = await self._context(message)
        await self.adapter.answer_check(interaction, event, context)

    async def _context(self, message: discord.Message) -> list[MessageEvent]:
        """Fetch a few earlier messages when the bot may read them (never in user DMs)."""
        channel = message.channel
        guild = message.guild
        if guild is None or not isinstance(channel, discord.abc.Messageable):
            return []
        me = guild.me
        permissions_for = getattr(channel, "permissions_for", None)
        perms = permissions_for(me) if me is not None and permissions_for is not None else None
        if perms is None or not perms.read_message_history:
            return []
        out: list[MessageEvent] = []
        try:
            async for earlier in channel.history(limit=_CONTEXT_MESSAGES, before=message):
                event = translate.message_event(earlier, self.adapter.settings)
                if event is not None:
                    out.append(event)
        except discord.HTTPException:
            return []
        out.reverse()
        return out
