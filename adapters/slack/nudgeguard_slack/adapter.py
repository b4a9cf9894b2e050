"""The Slack adapter: slack-bolt's AsyncApp in, private nudges and moderator alerts out."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Self

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from nudgeguard import (
    Adapter,
    Capabilities,
    Delivery,
    MessageEvent,
    ModeratorAlert,
    ModeratorNotice,
    Nudge,
)
from nudgeguard_slack.delivery import SlackCallError, call_slack
from nudgeguard_slack.directory import AgeDirectory, GroupDirectory, GroupLookupError
from nudgeguard_slack.moderators import ModeratorChannel
from nudgeguard_slack.nudging import NudgeSender
from nudgeguard_slack.settings import SlackSecrets, SlackSettings, parse_settings
from nudgeguard_slack.translate import PLATFORM, Identity, translate_event

log = logging.getLogger(__name__)

#: The Slack SDKs log request and response bodies (message text, user ids) at DEBUG.
#: Those never reach our logs, whatever the configured log level.
SDK_LOGGERS = ("slack_sdk", "slack_bolt", "nudgeguard_slack.bolt")


def quiet_sdk_loggers() -> None:
    """Keep the Slack SDKs' loggers at WARNING or above."""
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


class SlackAdapter(Adapter):
    """Watches Slack through slack-bolt and delivers privately.

    Args:
        settings: The validated ``slack:`` section.
        secrets: Tokens; read from the environment when omitted.
        client: A Web API client (tests point one at a fake); built from settings if omitted.
        clock: Wall clock (unix seconds), for status lines.
    """

    name = "slack"
    capabilities = Capabilities(
        ephemeral=True,
        direct_message=True,
        buttons=True,
        delete=False,
        timeout=False,
        max_text_len=3000,
    )

    def __init__(
        self,
        settings: SlackSettings | None = None,
        secrets: SlackSecrets | None = None,
        *,
        client: AsyncWebClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        quiet_sdk_loggers()
        self.settings = settings or SlackSettings()
        self._secrets = secrets or SlackSecrets.from_env(self.settings.mode)
        if self.settings.mode == "http" and not self._secrets.signing_secret:
            # An empty secret would let anyone sign requests; refuse to start like that.
            raise ValueError("slack http mode needs SLACK_SIGNING_SECRET")
        token = self._secrets.bot_token.get_secret_value()
        if client is None:
            kwargs: dict[str, Any] = {"token": token}
            if self.settings.api_base_url:
                kwargs["base_url"] = self.settings.api_base_url
            client = AsyncWebClient(**kwargs)
        self.client = client
        self.clock = clock
        self.identity = Identity()
        self.groups = GroupDirectory(client, ttl=self.settings.group_cache_seconds)
        self.ages = AgeDirectory(self.groups, self.settings.ages)
        self._nudges = NudgeSender(client, self.capabilities.max_text_len)
        self.moderators = ModeratorChannel(client, self.settings.moderator_channel)
        self.app = self._build_app(token)
        self._transport: Any = None
        #: Message envelopes taken in (handled or dropped), for status pages and tests.
        self.received = 0

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> Self:
        """Build from the ``slack:`` section; secrets come from the environment.

        Raises:
            ValueError: The section is invalid or a required variable is unset.
        """
        settings = parse_settings(section)
        return cls(settings, SlackSecrets.from_env(settings.mode))

    def _build_app(self, token: str) -> AsyncApp:
        from nudgeguard_slack.listeners import register

        signing = self._secrets.signing_secret
        if not self.client.token:
            self.client.token = token
        app = AsyncApp(
            client=self.client,
            signing_secret=signing.get_secret_value() if signing else "",
            request_verification_enabled=self.settings.mode == "http",
            logger=logging.getLogger("nudgeguard_slack.bolt"),
        )
        register(app, self)

        @app.error
        async def on_error(error: Exception) -> None:
            # Instead of bolt's ERROR line, whose text quotes the error (and so the payload).
            log.warning("slack listener failed (%s)", type(error).__name__)

        return app

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Learn who the app is, load age groups, then connect (socket) or listen (http)."""
        from nudgeguard_slack.transport import HttpTransport, SocketTransport

        await self.refresh_identity()
        await self.ages.refresh()
        if self.settings.mode == "http":
            signing = self._secrets.signing_secret
            self._transport = HttpTransport(
                self.app,
                self.settings.host,
                self.settings.port,
                self.settings.path,
                signing.get_secret_value() if signing else "",
            )
        else:
            app_token = self._secrets.app_token
            if app_token is None:
                raise ValueError("slack socket mode needs SLACK_APP_TOKEN")
            self._transport = SocketTransport(self.app, app_token.get_secret_value(), self.client)
        await self._transport.start()
        log.info("slack adapter started (%s mode)", self.settings.mode)

    async def stop(self) -> None:
        """Disconnect or stop listening."""
        if self._transport is not None:
            await self._transport.stop()
            self._transport = None

    @property
    def http_port(self) -> int | None:
        """The bound port in http mode (useful when configured with port 0)."""
        return getattr(self._transport, "port", None)

    async def refresh_identity(self) -> Identity:
        """Ask ``auth.test`` who the app is (bot user, workspace, URL for permalinks).

        Raises:
            ValueError: Slack rejected the token (the message says why, without the token).
        """
        try:
            resp = await call_slack("auth.test", self.client.auth_test)
        except SlackCallError as err:
            raise ValueError(f"Slack refused the bot token ({err.error})") from None
        self.identity = Identity(
            bot_user_id=resp.get("user_id"),
            bot_id=resp.get("bot_id"),
            team_id=resp.get("team_id"),
            workspace_url=resp.get("url"),
        )
        return self.identity

    # ------------------------------------------------------------------ inbound

    async def translate(self, body: Mapping[str, Any]) -> MessageEvent | None:
        """Translate an Events API envelope with current age bands."""
        await self.ages.refresh()
        return translate_event(body, identity=self.identity, age_of=self.ages.lookup)

    async def on_event_body(self, body: Mapping[str, Any]) -> None:
        """Submit one ``message`` envelope to the engine's inbox, to translate and handle.

        Bolt runs each envelope in its own task; the inbox keeps the envelopes of one
        channel in arrival order (translation included, which may look up age groups) and
        drops events Slack re-sends, so risk is scored once, in the order people wrote.
        """
        try:
            key = (PLATFORM, "", _channel_of(body))
            if not self.engine.inbox.submit_later(key, lambda: self.translate(body)):
                log.warning("slack: the engine's inbox is full; an event was refused")
        finally:
            self.received += 1

    async def is_moderator(self, user_id: str) -> bool:
        """Tell whether ``user_id`` may act on cases: listed, or in the moderator user group.

        Raises:
            GroupLookupError: Membership could not be checked (callers fail closed).
        """
        if user_id in self.settings.moderator_users:
            return True
        group = self.settings.moderator_usergroup
        if group is None:
            return False
        return await self.groups.is_member(group, user_id)

    # ------------------------------------------------------------------ outbound

    async def send_nudge(self, nudge: Nudge) -> Delivery:
        """Deliver privately: ephemeral where it happened, else a DM. Never a public post.

        Raises:
            TransientDeliveryError: Rate limit, 5xx or network; the outbox retries.
            UndeliverableError: Neither an ephemeral message nor a DM reached the person.
        """
        return await self._nudges.send(nudge)

    async def user_locale(self, user_id: str) -> str | None:
        """Return the person's Slack language, or None when Slack will not say."""
        return await self._nudges.user_locale(user_id)

    async def send_alert(self, alert: ModeratorAlert) -> str | None:
        """Post (or update in place) the Block Kit alert in the moderator channel.

        Raises:
            TransientDeliveryError: Rate limit, 5xx or network; the outbox retries.
            UndeliverableError: No moderator channel configured, or Slack refused the post.
        """
        return await self.moderators.send_alert(alert)

    async def send_notice(self, notice: ModeratorNotice) -> str | None:
        """Post a case-less notice (a child's Report) in the moderator channel.

        Raises:
            TransientDeliveryError: Rate limit, 5xx or network; the outbox retries.
            UndeliverableError: No moderator channel configured, or Slack refused the post.
        """
        return await self.moderators.send_notice(notice)

    def forget_user(self, user_id: str) -> None:
        """Forget a person (erasure): cached user-group memberships and age bands."""
        self.groups.forget_user(user_id)
        self.ages.forget_user(user_id)

    def remembered_users(self) -> set[str]:
        """Everyone in cached user-group memberships and age bands (erasure checks them)."""
        return self.groups.remembered_users() | self.ages.remembered_users()

    def helpline_countries(self) -> dict[str, str]:
        """Hand ``slack.helpline_country`` to the core (which decides) for this workspace."""
        country = self.settings.helpline_country
        return {} if country is None else {"*": country}


def _channel_of(body: Mapping[str, Any]) -> str:
    event = body.get("event")
    channel = event.get("channel") if isinstance(event, Mapping) else None
    return channel if isinstance(channel, str) else ""


__all__ = ["GroupLookupError", "SlackAdapter"]
