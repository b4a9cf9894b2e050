"""How Slack reaches the app: Socket Mode (default) or HTTP Events API.

HTTP mode serves the bolt app with aiohttp on the configured host and port. The signature
and timestamp are checked on the raw body before anything is parsed (invalid -> 401), then
the signed body's structure (malformed -> 400; see :mod:`nudgeguard_slack.signing`); only
then does bolt see it (and check the signature again). ``App.start()`` is never used: it
binds 0.0.0.0 and blocks.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from nudgeguard_slack.signing import parse_signed, signature_ok

log = logging.getLogger(__name__)

#: apps.connections.open errors that waiting will not fix.
REFUSED_APP_TOKEN = frozenset(
    {"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked", "account_inactive"}
)

#: Largest request body accepted in HTTP mode; Slack payloads are far smaller.
MAX_BODY = 1024 * 1024


class HttpTransport:
    """Serves ``POST path`` for events, interactivity, commands and shortcuts."""

    def __init__(self, app: AsyncApp, host: str, port: int, path: str, signing_secret: str) -> None:
        if not signing_secret:
            raise ValueError("slack http mode needs SLACK_SIGNING_SECRET")
        self.app = app
        self._secret = signing_secret
        self.host = host
        self.port = port
        self.path = path
        self._runner: web.AppRunner | None = None

    def web_app(self) -> web.Application:
        """The aiohttp application (also usable with an external runner)."""
        web_app = web.Application(client_max_size=MAX_BODY)
        web_app.router.add_post(self.path, self._handle)
        web_app.router.add_get("/healthz", self._health)
        return web_app

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()  # at most MAX_BODY bytes (aiohttp answers 413 beyond)
        headers = request.headers
        signed = signature_ok(
            body,
            headers.get("X-Slack-Request-Timestamp"),
            headers.get("X-Slack-Signature"),
            self._secret,
        )
        if not signed:
            return web.Response(status=401, text="invalid request signature")
        if parse_signed(body, headers.get("Content-Type", "")) is None:
            # Signed but not a payload Slack sends; refuse without echoing the body.
            return web.Response(status=400, text="malformed request")
        try:
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        except Exception as exc:  # a bug must not become a 500 Slack retries forever
            log.warning("slack request failed (%s); acknowledged", type(exc).__name__)
            return web.Response(status=200)
        if bolt_response.status >= 500:
            log.warning("slack request failed (HTTP %s); acknowledged", bolt_response.status)
            return web.Response(status=200)
        return await to_aiohttp_response(bolt_response)

    async def _health(self, _: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def start(self) -> None:
        """Bind and listen; with port 0 the chosen port is in :attr:`port`."""
        self._runner = web.AppRunner(self.web_app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server: Any = site._server  # aiohttp keeps the asyncio.Server here
        if server is not None and getattr(server, "sockets", None):
            self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class SocketTransport:
    """Socket Mode: an outbound WebSocket, no public endpoint needed."""

    def __init__(self, app: AsyncApp, app_token: str, client: AsyncWebClient) -> None:
        self._client = client
        self._app_token = app_token
        self._handler = AsyncSocketModeHandler(app, app_token, web_client=client)

    async def start(self) -> None:
        """Check the app-level token, then open the WebSocket (the SDK reconnects by itself).

        Raises:
            ValueError: Slack refused the app-level token (the message names the error only).
        """
        try:
            await self._client.apps_connections_open(app_token=self._app_token)
        except SlackApiError as err:
            data = err.response.data
            code = data.get("error") if isinstance(data, dict) else None
            if code in REFUSED_APP_TOKEN:
                raise ValueError(
                    f"Slack refused the app-level token ({code}); SLACK_APP_TOKEN must be an "
                    "xapp- token with the connections:write scope"
                ) from None
            # anything else may pass: the SDK's connect loop retries
        await self._handler.connect_async()

    async def stop(self) -> None:
        """Close the WebSocket."""
        await self._handler.close_async()
