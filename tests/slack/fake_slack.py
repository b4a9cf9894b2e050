"""A fake Slack Web API (and Socket Mode endpoint) on loopback, for tests.

The real ``AsyncWebClient`` talks to it over HTTP, so a misspelled method or a wrong
argument fails like it would against Slack. It records every call, answers the handful of
methods the adapter uses with plausible payloads, and can be scripted to fail
(``ratelimited`` with ``Retry-After``, 5xx, or any Slack error code).

Usage::

    fake = FakeSlack()
    await fake.start()
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.base_url)
    ...
    calls = await fake.wait_for("chat.postEphemeral")
    await fake.stop()
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

#: Methods that need the app-level token instead of the bot token.
APP_TOKEN_METHODS = {"apps.connections.open"}


@dataclass
class Call:
    """One recorded Web API call."""

    method: str
    params: dict[str, Any]
    token: str | None

    def get(self, key: str, default: Any = None) -> Any:
        """Return one argument of the call."""
        return self.params.get(key, default)


@dataclass
class Failure:
    """A scripted failure for the next ``times`` calls of a method."""

    error: str
    status: int = 200
    retry_after: int | None = None
    times: int = 1


@dataclass
class FakeSlack:
    """State and scripting of the fake Slack workspace."""

    bot_token: str = "xoxb-fake-bot-token"
    app_token: str = "xapp-fake-app-token"
    team_id: str = "T0TEAM"
    bot_user_id: str = "U0BOT"
    bot_id: str = "B0BOT"
    #: usergroup id -> member user ids.
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    #: usergroup handle -> usergroup id.
    usergroup_handles: dict[str, str] = field(default_factory=dict)
    #: channel id -> messages (dicts as Slack returns them), oldest first.
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    #: users whose private channels all fail (not in channel, DMs closed).
    closed_users: set[str] = field(default_factory=set)
    #: scopes reported in auth.test's x-oauth-scopes header (None: no header).
    granted_scopes: list[str] | None = None
    #: DM channel id -> user, filled by conversations.open.
    dm_users: dict[str, str] = field(default_factory=dict)
    #: user id -> Slack locale (``users.info`` tells it only with include_locale).
    locales: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._failures: dict[str, list[Failure]] = {}
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Serve on an ephemeral loopback port."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Close sockets and stop serving."""
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """Base URL for ``AsyncWebClient`` (the trailing slash matters)."""
        return f"http://127.0.0.1:{self._port}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A ``response_url`` that lands in :attr:`responses`."""
        return f"http://127.0.0.1:{self._port}/response/{name}"

    # ------------------------------------------------------------------ scripting

    def fail_next(
        self,
        method: str,
        error: str,
        *,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``error``."""
        self._failures.setdefault(method, []).append(
            Failure(error=error, status=status, retry_after=retry_after, times=times)
        )

    def ratelimit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next calls of ``method`` with HTTP 429 and ``Retry-After``."""
        self.fail_next(method, "ratelimited", status=429, retry_after=retry_after, times=times)

    def server_error_next(self, method: str, status: int = 503, times: int = 1) -> None:
        """Answer the next calls of ``method`` with a 5xx and an HTML body."""
        self.fail_next(method, "server_error", status=status, times=times)

    # ------------------------------------------------------------------ assertions

    def calls_to(self, method: str) -> list[Call]:
        """Every recorded call of ``method``, in order (failed ones included)."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[Call]:
        """Wait until ``count`` matching calls were seen (handlers run after the ack)."""

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method) if predicate is None or predicate(c)]

        async def poll() -> list[Call]:
            while len(found := matching()) < count:
                self._changed.clear()
                await self._changed.wait()
            return found

        try:
            return await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            seen = sorted({c.method for c in self.calls})
            raise AssertionError(f"expected {count} x {method}; calls seen: {seen}") from None

    async def wait_for_response(
        self, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until ``count`` posts to response URLs were seen."""

        async def poll() -> list[dict[str, Any]]:
            while len(self.responses) < count:
                self._changed.clear()
                await self._changed.wait()
            return [body for _, body in self.responses]

        try:
            return await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            raise AssertionError(f"expected {count} response_url posts") from None

    # ------------------------------------------------------------------ socket mode

    async def wait_for_socket(self, timeout: float = 10.0) -> None:
        """Wait until a Socket Mode client is connected."""

        async def poll() -> None:
            while not self._sockets:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(poll(), timeout)

    async def push_socket(self, envelope: dict[str, Any]) -> None:
        """Send one Socket Mode envelope to every connected client."""
        await self.push_raw(json.dumps(envelope))

    async def push_raw(self, frame: str) -> None:
        """Send one text frame, whatever it holds, to every connected client."""
        for ws in self._sockets:
            await ws.send_str(frame)

    async def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the client's acknowledgement of one envelope."""

        async def poll() -> dict[str, Any]:
            while True:
                for ack in self.socket_acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(poll(), timeout)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        self._sockets.append(ws)
        self._notify()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(msg.data))
                    self._notify()
        finally:
            self._sockets.remove(ws)
        return ws

    # ------------------------------------------------------------------ HTTP handlers

    def _notify(self) -> None:
        self._changed.set()

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append((request.match_info["name"], body))
        self._notify()
        return web.json_response({"ok": True})

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        token = _token_of(request, params)
        params.pop("token", None)
        self.calls.append(Call(method=method, params=params, token=token))
        self._notify()

        expected = self.app_token if method in APP_TOKEN_METHODS else self.bot_token
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        failure = self._take_failure(method)
        if failure is not None:
            return _failure_response(failure)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result: dict[str, Any] = handler(params)
        if "ok" not in result:
            result = {"ok": True, **result}
        headers = {}
        if method == "auth.test" and self.granted_scopes is not None:
            headers["x-oauth-scopes"] = ",".join(self.granted_scopes)
        return web.json_response(result, headers=headers)

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _next_ts(self) -> str:
        return f"1700000{next(self._ts):03d}.000100"

    # ------------------------------------------------------------------ Web API methods

    def _m_auth_test(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://fake.slack.test/",
            "team": "Fake Team",
            "user": "nudgeguard",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self._port}/socket"}

    def _m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("channel") or not p.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        if p["user"] in self.closed_users:
            return {"ok": False, "error": "user_not_in_channel"}
        return {"message_ts": self._next_ts()}

    def _m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        ts = self._next_ts()
        message = {"type": "message", "ts": ts, "text": p.get("text"), "bot_id": self.bot_id}
        if p.get("blocks"):
            message["blocks"] = p["blocks"]
        self.history.setdefault(str(p["channel"]), []).append(message)
        return {"channel": p["channel"], "ts": ts, "message": message}

    def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("channel") or not p.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        # The channel's history shows the edit (messages this fake never saw are left be).
        for message in self.history.get(str(p["channel"]), []):
            if message.get("ts") == p["ts"]:
                message["text"] = p.get("text")
                if p.get("blocks"):
                    message["blocks"] = p["blocks"]
        return {"channel": p["channel"], "ts": p["ts"], "text": p.get("text")}

    def _m_chat_getPermalink(self, p: dict[str, Any]) -> dict[str, Any]:
        ts = str(p.get("message_ts", "")).replace(".", "")
        return {"permalink": f"https://fake.slack.test/archives/{p.get('channel')}/p{ts}"}

    def _m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = str(p.get("users", ""))
        if not users or "," in users:
            return {"ok": False, "error": "invalid_arguments"}
        if users in self.closed_users:
            return {"ok": False, "error": "user_disabled"}
        channel = "D" + users.removeprefix("U")
        self.dm_users[channel] = users
        return {"channel": {"id": channel}}

    def _m_conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        """Newest first; ``latest`` (with ``inclusive``) and ``limit`` as Slack honours them."""
        messages = list(reversed(self.history.get(str(p.get("channel")), [])))
        latest = p.get("latest")
        if latest:
            inclusive = str(p.get("inclusive", "")).lower() in ("1", "true")
            messages = [
                m
                for m in messages
                if float(m["ts"]) < float(latest) or (inclusive and m["ts"] == str(latest))
            ]
        limit = int(p.get("limit") or 100)
        return {"messages": messages[:limit], "has_more": len(messages) > limit}

    def _m_conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        thread = str(p.get("ts"))
        messages = [
            m
            for m in self.history.get(str(p.get("channel")), [])
            if m.get("thread_ts", m.get("ts")) == thread
        ]
        return {"messages": messages, "has_more": False}

    def _m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = str(p.get("user", ""))
        if not user.startswith("U"):
            return {"ok": False, "error": "user_not_found"}
        info: dict[str, Any] = {"id": user, "team_id": self.team_id, "is_bot": False}
        if str(p.get("include_locale")) in ("1", "true", "True") and user in self.locales:
            info["locale"] = self.locales[user]
        return {"user": info}

    def _m_usergroups_list(self, _: dict[str, Any]) -> dict[str, Any]:
        groups = [
            {"id": gid, "handle": handle, "name": handle}
            for handle, gid in self.usergroup_handles.items()
        ]
        return {"usergroups": groups}

    def _m_usergroups_users_list(self, p: dict[str, Any]) -> dict[str, Any]:
        group = str(p.get("usergroup", ""))
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"users": list(self.usergroups[group])}


def _token_of(request: web.Request, params: dict[str, Any]) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ")
    token = params.get("token")
    return str(token) if token else None


def _failure_response(failure: Failure) -> web.Response:
    if failure.status >= 500:
        return web.Response(
            status=failure.status, text="<html>upstream trouble</html>", content_type="text/html"
        )
    headers = {}
    if failure.retry_after is not None:
        headers["Retry-After"] = str(failure.retry_after)
    return web.json_response(
        {"ok": False, "error": failure.error}, status=failure.status, headers=headers
    )
