"""DiscordAdapter: connects a nudgeguard engine to Discord through discord.py.

Standalone (``nudgeguard run`` with a ``discord:`` section) the adapter owns a bot it logs in
with ``DISCORD_TOKEN``. Inside an existing bot it is attached by :class:`SafetyCog` and never
logs in itself. Either way:

- inbound messages are translated and awaited by ``engine.handle`` in arrival order, once
  per message id (a gateway replay after a reconnect is skipped);
- nudges go by DM only; closed DMs raise :class:`UndeliverableError` and nothing is posted
  anywhere public;
- alerts go to the guild's moderator channel with persistent buttons, and updates edit the
  post the core's outbox names (``ModeratorAlert.post_ref``);
- case-less notices (a child's Report without a case) are posted there as the core words them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

from discord.ext import commands

import discord
from nudgeguard import (
    Adapter,
    Capabilities,
    Delivery,
    MessageEvent,
    ModeratorAction,
    ModeratorAlert,
    ModeratorNotice,
    Nudge,
    UndeliverableError,
    in_locale,
)
from nudgeguard_discord import translate
from nudgeguard_discord.alerts import alert_embed, keeping_post, notice_embed, post_of
from nudgeguard_discord.bots import standalone_bot
from nudgeguard_discord.errors import delivery_error
from nudgeguard_discord.gateway_guard import guard_parsers
from nudgeguard_discord.inbound import Bounded, InboundMixin
from nudgeguard_discord.interactions import InteractionsMixin
from nudgeguard_discord.settings import DiscordSettings
from nudgeguard_discord.views import locale_on, register

log = logging.getLogger(__name__)

_KEEP = 5_000
#: Key of the platform-wide helpline country handed to the core.
ANY_COMMUNITY = "*"


class DiscordAdapter(InboundMixin, InteractionsMixin, Adapter):
    """The Discord platform adapter.

    Args:
        settings: Validated ``discord:`` section; defaults to an empty one.
        bot: An existing bot to attach to (extension mode). Without it the adapter creates
            and runs its own bot on :meth:`start`.
        bot_options: Extra ``commands.Bot`` keyword arguments for standalone mode.
    """

    name = "discord"
    #: Ephemeral replies exist on Discord only as answers to an interaction (slash command,
    #: context menu, button), which the adapter answers itself; the engine's outbound
    #: nudges therefore go by DM, so ``ephemeral`` is not offered here.
    capabilities = Capabilities(
        ephemeral=False,
        direct_message=True,
        delete=True,
        timeout=True,
        buttons=True,
        max_text_len=2000,
    )

    def __init__(
        self,
        settings: DiscordSettings | None = None,
        *,
        bot: commands.Bot | None = None,
        bot_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or DiscordSettings()
        self.bot_options = dict(bot_options or {})
        self._bot: commands.Bot | None = None
        self._owns_bot = bot is None
        self._bot_task: asyncio.Task[None] | None = None
        self.recent = translate.RecentAuthors(self.settings.dedupe_size)
        self._delivered: Bounded = Bounded(_KEEP)
        self._nudges: Bounded = Bounded(_KEEP)
        self.stats: Counter[str] = Counter()
        if bot is not None:
            self.attach(bot)

    @classmethod
    def from_config(cls, section: Any) -> DiscordAdapter:
        """Build the adapter from the ``discord:`` config section (token from the env).

        Raises:
            ValueError: The section is invalid.
        """
        return cls(DiscordSettings.from_section(section))

    # --------------------------------------------------------------- lifecycle
    @property
    def bot(self) -> commands.Bot:
        """Return the bot in use; raises before :meth:`start` or :meth:`attach`."""
        if self._bot is None:
            raise RuntimeError("the Discord adapter has no bot yet (call start or attach)")
        return self._bot

    def attach(self, bot: commands.Bot) -> None:
        """Use ``bot`` for everything and route its button clicks here."""
        if self._bot is bot:
            return
        self._bot = bot
        register(bot, self)

    def make_bot(self, **options: Any) -> commands.Bot:
        """Create the bot used in standalone mode."""
        options.setdefault("max_ratelimit_timeout", self.settings.max_ratelimit_timeout)
        return standalone_bot(**options)

    async def start(self) -> None:
        """In standalone mode, log in and wait until ready (an extension's bot is running).

        Raises:
            RuntimeError: Standalone without a token, or the bot did not become ready.
        """
        if not self._owns_bot:
            return
        token = self.settings.token
        if token is None:
            raise RuntimeError(
                f"the Discord adapter needs a bot token in ${self.settings.token_env}"
            )
        from nudgeguard_discord.cog import SafetyCog

        bot = self.make_bot(**self.bot_options)
        guard_parsers(bot, self._dropped_payload)
        await bot.add_cog(SafetyCog(bot, self))
        self._bot_task = asyncio.create_task(bot.start(token.get_secret_value()))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.ready_timeout
        while not bot.is_ready():
            if self._bot_task.done():
                exc = self._bot_task.exception()
                await bot.close()
                raise RuntimeError(
                    f"the Discord bot stopped during login ({type(exc).__name__})"
                ) from None
            if loop.time() > deadline:
                await bot.close()
                raise RuntimeError("the Discord bot did not become ready in time")
            await asyncio.sleep(0.05)

    def _dropped_payload(self, _event: str, _exc: Exception) -> None:
        self.stats["malformed"] += 1

    async def stop(self) -> None:
        """Finish submitted events (for up to 5 s) and, in standalone mode, log out."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.drain(), timeout=5)
        if self._owns_bot and self._bot is not None:
            await self._bot.close()
            if self._bot_task is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await self._bot_task

    # ---------------------------------------------------------------- outbound
    def _ready_bot(self) -> commands.Bot:
        bot = self._bot
        if bot is None or bot.is_closed() or bot.user is None:
            raise delivery_error(ConnectionError("not connected"), "Discord")
        return bot

    @staticmethod
    def community_locale(bot: commands.Bot, community_id: str) -> str | None:
        """Return the server's preferred locale, when its admins chose one.

        Only Community servers choose it (in Server Settings); every other server reports
        Discord's default ``en-US``, which says nothing about its members.
        """
        guild = bot.get_guild(int(community_id)) if community_id.isdigit() else None
        if guild is None or "COMMUNITY" not in guild.features:
            return None
        return str(guild.preferred_locale)

    async def send_nudge(self, nudge: Nudge) -> Delivery:
        """Send a nudge by DM with its buttons; never anywhere public.

        Raises:
            UndeliverableError: DMs are closed, the user is unknown, or the nudge allows no
                channel Discord can offer outside an interaction.
            TransientDeliveryError: Rate limit, Discord 5xx or network trouble.
        """
        if Delivery.DIRECT_MESSAGE not in nudge.delivery:
            raise UndeliverableError(
                "Discord can only deliver this nudge by direct message, which it does not allow"
            )
        if nudge.nudge_id in self._delivered:
            return Delivery.DIRECT_MESSAGE
        bot = self._ready_bot()
        try:
            recipient = int(nudge.recipient_id)
        except ValueError:
            raise UndeliverableError("nudge recipient is not a Discord user id") from None
        nudge = in_locale(nudge, self.community_locale(bot, nudge.community_id))
        view = self.nudge_view_for(nudge) if nudge.audience == "child" else None
        try:
            channel = await bot.create_dm(discord.Object(id=recipient))
            if view is not None:
                await channel.send(content=nudge.text[:2000], view=view)
            else:
                await channel.send(content=nudge.text[:2000])
        except (TimeoutError, discord.HTTPException, discord.RateLimited, OSError) as exc:
            self.stats["nudge_failures"] += 1
            raise delivery_error(exc, "direct message") from None
        self._delivered.put(nudge.nudge_id, nudge.recipient_id)
        self.stats["nudges"] += 1
        return Delivery.DIRECT_MESSAGE

    async def send_alert(self, alert: ModeratorAlert) -> str | None:
        """Post the alert, or edit the case's earlier post (``alert.post_ref``) in place.

        The reference is the one this method returned before (the message id in the guild's
        moderator channel), as the core's outbox stored it; the adapter remembers no posts
        itself. A post that is gone (deleted by a moderator) is posted again. An alert the
        core rebuilt from its store (``alert.rebuilt``: after a restart, or a change made
        in the console or the CLI) names no participants: the post is read first and keeps
        its participants, child-nudge line and earlier timeline.

        Raises:
            UndeliverableError: No moderator channel is configured or it cannot be used.
            TransientDeliveryError: Rate limit, Discord 5xx or network trouble.
        """
        channel_id = self.settings.guild(alert.community_id).moderator_channel_id
        if channel_id is None:
            raise UndeliverableError("no moderator channel is configured for this community")
        bot = self._ready_bot()
        embed = alert_embed(alert)
        view = self.alert_view_for(alert)
        previous = post_of(alert.post_ref, channel_id)
        try:
            if previous is not None:
                partial = bot.get_partial_messageable(previous[0]).get_partial_message(previous[1])
                try:
                    if alert.rebuilt:
                        # Drawn from the store alone: keep what only the post knows.
                        posted = await partial.fetch()
                        if posted.embeds:
                            old_locale = locale_on(posted)
                            embed = keeping_post(embed, posted.embeds[0], old_locale, alert)
                    await partial.edit(embed=embed, view=view)
                    return str(previous[1])
                except discord.NotFound:
                    log.info("the case's alert post is gone; posting it again")
            channel = bot.get_partial_messageable(channel_id)
            message = await channel.send(
                embed=embed, view=view, allowed_mentions=discord.AllowedMentions.none()
            )
        except (TimeoutError, discord.HTTPException, discord.RateLimited, OSError) as exc:
            self.stats["alert_failures"] += 1
            raise delivery_error(exc, "moderator alert") from None
        self.stats["alerts"] += 1
        return str(message.id)

    async def send_notice(self, notice: ModeratorNotice) -> str | None:
        """Post a case-less notice (a child's Report) to the moderator channel, as worded.

        Raises:
            UndeliverableError: No moderator channel is configured or it cannot be used.
            TransientDeliveryError: Rate limit, Discord 5xx or network trouble.
        """
        channel_id = self.settings.guild(notice.community_id).moderator_channel_id
        if channel_id is None:
            raise UndeliverableError("no moderator channel is configured for this community")
        bot = self._ready_bot()
        try:
            message = await bot.get_partial_messageable(channel_id).send(
                embed=notice_embed(notice), allowed_mentions=discord.AllowedMentions.none()
            )
        except (TimeoutError, discord.HTTPException, discord.RateLimited, OSError) as exc:
            self.stats["alert_failures"] += 1
            raise delivery_error(exc, "moderator notice") from None
        self.stats["notices"] += 1
        return str(message.id)

    def forget_user(self, user_id: str) -> None:
        """Forget a person (erasure): their nudges, delivery keys and remembered messages."""
        for key, nudge in list(self._nudges.items()):
            if nudge.recipient_id == user_id:
                del self._nudges[key]
        for nudge_id, recipient in list(self._delivered.items()):
            if recipient == user_id:
                del self._delivered[nudge_id]
        self.recent.forget_author(user_id)

    def remembered_users(self) -> set[str]:
        """Recipients of kept nudges and delivery keys, and recent authors (erasure checks them)."""
        users = {str(n.recipient_id) for n in list(self._nudges.values())}
        users |= {str(r) for r in list(self._delivered.values())}
        return users | self.recent.authors()

    def helpline_countries(self) -> dict[str, str]:
        """Hand the ``discord:`` section's helpline countries to the core, which decides."""
        countries = {
            str(guild_id): guild.country
            for guild_id, guild in self.settings.guilds.items()
            if guild.country is not None
        }
        if self.settings.default_country is not None:
            countries[ANY_COMMUNITY] = self.settings.default_country
        return countries

    def bot_can_timeout(self, community_id: str) -> bool:
        """Return True when the bot holds Moderate Members in the guild."""
        if self._bot is None:
            return False
        try:
            guild = self._bot.get_guild(int(community_id))
        except ValueError:
            return False
        me = guild.me if guild is not None else None
        return bool(me is not None and me.guild_permissions.moderate_members)

    async def answer_check(
        self,
        interaction: discord.Interaction[Any],
        event: MessageEvent,
        context: Sequence[MessageEvent],
    ) -> None:
        """Run the engine's check on a chosen message and answer the requester privately."""
        await self.answer_check_result(interaction, event, context)

    def _action_list(self, alert: ModeratorAlert) -> list[ModeratorAction]:
        actions: list[ModeratorAction] = [
            a for a in alert.actions if a is not ModeratorAction.TIMEOUT
        ]
        if self.bot_can_timeout(alert.community_id):
            actions.append(ModeratorAction.TIMEOUT)
        return actions
