"""DiscordAdapter: connects a nudgeguard engine to Discord through discord.py.

Standalone (``nudgeguard run`` with a ``discord:`` section) the adapter owns a bot it logs in
with ``DISCORD_TOKEN``. Inside an existing bot it is attached by :class:`SafetyCog` and never
logs in itself. Either way:

- inbound messages are translated and awaited by ``engine.handle`` in arrival order, once
  per message id (a gateway replay after a reconnect is skipped);
- nudges go by DM only; closed DMs raise :class:`UndeliverableError` and nothing is posted
  anywhere public;
- alerts go to the guild's moderator channel with persistent buttons.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections import Counter, OrderedDict
from collections.abc import Sequence
from typing import Any

import discord
from discord.ext import commands

from nudgeguard.adapter import (
    Adapter,
    Capabilities,
    Delivery,
    ModeratorAction,
    ModeratorAlert,
    Nudge,
    UndeliverableError,
)
from nudgeguard.events import EventType, MessageEvent
from nudgeguard_discord import translate
from nudgeguard_discord.errors import delivery_error
from nudgeguard_discord.interactions import InteractionsMixin
from nudgeguard_discord.settings import DiscordSettings
from nudgeguard_discord.views import register

log = logging.getLogger(__name__)

_WORKERS = 4
_KEEP = 5_000


class _Bounded(OrderedDict[str, Any]):
    """An insertion-ordered dict that forgets its oldest entries."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity

    def put(self, key: str, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.capacity:
            self.popitem(last=False)


def default_intents() -> discord.Intents:
    """Return the gateway intents the adapter needs (two of them are privileged)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True  # privileged: enable in the developer portal
    intents.members = True  # privileged: roles of authors for age bands and moderators
    return intents


class DiscordAdapter(InteractionsMixin, Adapter):
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
        self._seen_edits: _Bounded = _Bounded(self.settings.dedupe_size)
        self._seen_deletes: _Bounded = _Bounded(self.settings.dedupe_size)
        self._delivered: _Bounded = _Bounded(_KEEP)
        self._nudges: _Bounded = _Bounded(_KEEP)
        self._alerts: _Bounded = _Bounded(_KEEP)
        self._queues: list[asyncio.Queue[MessageEvent]] = []
        self._workers: list[asyncio.Task[None]] = []
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
        options.setdefault("intents", default_intents())
        options.setdefault("chunk_guilds_at_startup", False)
        options.setdefault("max_ratelimit_timeout", self.settings.max_ratelimit_timeout)
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        return commands.Bot(command_prefix=commands.when_mentioned, help_command=None, **options)

    async def start(self) -> None:
        """Start the event workers; in standalone mode also log in and wait until ready.

        Raises:
            RuntimeError: Standalone without a token, or the bot did not become ready.
        """
        self._start_workers()
        if not self._owns_bot:
            return
        token = self.settings.token
        if token is None:
            raise RuntimeError(
                f"the Discord adapter needs a bot token in ${self.settings.token_env}"
            )
        from nudgeguard_discord.cog import SafetyCog

        bot = self.make_bot(**self.bot_options)
        await bot.add_cog(SafetyCog(bot, self))
        self._bot_task = asyncio.create_task(bot.start(token.get_secret_value()))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.ready_timeout
        while not bot.is_ready():
            if self._bot_task.done():
                exc = self._bot_task.exception()
                raise RuntimeError(
                    f"the Discord bot stopped during login ({type(exc).__name__})"
                ) from None
            if loop.time() > deadline:
                raise RuntimeError("the Discord bot did not become ready in time")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Finish queued events, stop workers and, in standalone mode, log out."""
        for queue in self._queues:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(queue.join(), timeout=5)
        for worker in self._workers:
            worker.cancel()
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self._workers.clear()
        self._queues.clear()
        if self._owns_bot and self._bot is not None:
            await self._bot.close()
            if self._bot_task is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await self._bot_task

    # ----------------------------------------------------------------- inbound
    def _start_workers(self) -> None:
        if self._workers:
            return
        self._queues = [asyncio.Queue() for _ in range(_WORKERS)]
        self._workers = [asyncio.create_task(self._work(q)) for q in self._queues]

    async def _work(self, queue: asyncio.Queue[MessageEvent]) -> None:
        while True:
            event = await queue.get()
            try:
                await self.engine.handle(event)
                self.stats["handled"] += 1
            except Exception as exc:  # never let one event stop the stream
                self.stats["engine_errors"] += 1
                log.error("engine failed on a %s event (%s)", event.type, type(exc).__name__)
            finally:
                queue.task_done()

    def _enqueue(self, event: MessageEvent) -> None:
        if self._engine is None:
            self.stats["dropped_unbound"] += 1
            return
        self._start_workers()
        # One queue per conversation shard keeps each conversation in order.
        shard = zlib.crc32(event.conversation_id.encode()) % len(self._queues)
        self._queues[shard].put_nowait(event)

    async def drain(self) -> None:
        """Wait until every queued event was handled (tests, shutdown)."""
        for queue in self._queues:
            await queue.join()

    def submit_message(self, message: discord.Message, event_type: EventType) -> None:
        """Translate a created or edited message and queue it (replays are skipped)."""
        self_id = self._bot.user.id if self._bot is not None and self._bot.user else None
        event = translate.message_event(
            message, self.settings, self_id=self_id, event_type=event_type, recent=self.recent
        )
        if event is None:
            self.stats["ignored"] += 1
            return
        if event_type is EventType.MESSAGE:
            if not self.recent.remember(message.id, event.author):
                self.stats["duplicates"] += 1
                return
        else:
            key = f"{message.id}:{message.edited_at.timestamp() if message.edited_at else ''}"
            if key in self._seen_edits:
                self.stats["duplicates"] += 1
                return
            self._seen_edits.put(key, True)
            self.recent.remember(message.id, event.author)
        self._enqueue(event)

    def submit_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """Queue a delete of a message whose author is known (others were never scored)."""
        author = self.recent.get(payload.message_id)
        if author is None and payload.cached_message is not None:
            cached = payload.cached_message
            if translate.should_ignore(cached, None):
                return
            author = translate.participant(cached.author, self.settings)
        if author is None:
            self.stats["ignored"] += 1
            return
        key = str(payload.message_id)
        if key in self._seen_deletes:
            self.stats["duplicates"] += 1
            return
        self._seen_deletes.put(key, True)
        channel = self._bot.get_channel(payload.channel_id) if self._bot is not None else None
        event = translate.delete_event(payload, author, channel=channel)
        if event is not None:
            self._enqueue(event)

    # ---------------------------------------------------------------- outbound
    def _ready_bot(self) -> commands.Bot:
        bot = self._bot
        if bot is None or bot.is_closed() or bot.user is None:
            raise delivery_error(ConnectionError("not connected"), "Discord")
        return bot

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
        view = self.nudge_view_for(nudge) if nudge.audience == "child" else None
        try:
            channel = await bot.create_dm(discord.Object(id=recipient))
            if view is not None:
                await channel.send(content=nudge.text[:2000], view=view)
            else:
                await channel.send(content=nudge.text[:2000])
        except (discord.HTTPException, discord.RateLimited, OSError, asyncio.TimeoutError) as exc:
            self.stats["nudge_failures"] += 1
            raise delivery_error(exc, "direct message") from None
        self._delivered.put(nudge.nudge_id, True)
        self.stats["nudges"] += 1
        return Delivery.DIRECT_MESSAGE

    async def send_alert(self, alert: ModeratorAlert) -> str | None:
        """Post the alert (or update the earlier post of the same case) for moderators.

        Raises:
            UndeliverableError: No moderator channel is configured or it cannot be used.
            TransientDeliveryError: Rate limit, Discord 5xx or network trouble.
        """
        from nudgeguard_discord.alerts import alert_embed

        channel_id = self.settings.guild(alert.community_id).moderator_channel_id
        if channel_id is None:
            raise UndeliverableError("no moderator channel is configured for this community")
        bot = self._ready_bot()
        embed = alert_embed(alert)
        view = self.alert_view_for(alert)
        previous = self._alerts.get(alert.case_id)
        try:
            if previous is not None:
                partial = bot.get_partial_messageable(previous[0]).get_partial_message(previous[1])
                await partial.edit(embed=embed, view=view)
                return str(previous[1])
            channel = bot.get_partial_messageable(channel_id)
            message = await channel.send(
                embed=embed, view=view, allowed_mentions=discord.AllowedMentions.none()
            )
        except (discord.HTTPException, discord.RateLimited, OSError, asyncio.TimeoutError) as exc:
            self.stats["alert_failures"] += 1
            raise delivery_error(exc, "moderator alert") from None
        self._alerts.put(alert.case_id, (channel_id, message.id))
        self.stats["alerts"] += 1
        return str(message.id)

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
        actions = [a for a in alert.actions if a is not ModeratorAction.TIMEOUT]
        if self.bot_can_timeout(alert.community_id):
            actions.append(ModeratorAction.TIMEOUT)
        return actions
