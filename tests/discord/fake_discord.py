"""A fake Discord (REST + gateway) on loopback for driving the real discord.py client.

Only the parts nudgeguard uses are served, but they are served the way Discord answers:
JSON with content type exactly ``application/json``, members with ``flags``, 429 with a
``Via`` header and ``retry_after``, 403 code 50007 for closed DMs. Every REST call is
recorded so tests assert on what the bot really sent. The REST routes live in
``fake_rest.py``, the user-caused gateway events in ``fake_events.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable

import yarl
from aiohttp import WSMsgType, web

import discord
from tests.discord.fake_events import EventHelpers
from tests.discord.fake_payloads import (
    Call,
    Failure,
    Json,
    now_iso,
    snowflake,
    user_payload,
)
from tests.discord.fake_rest import RestRoutes

__all__ = ["FakeDiscord", "Json", "snowflake", "user_payload"]


class FakeDiscord(RestRoutes, EventHelpers):
    """Fake Discord API and gateway bound to 127.0.0.1 on an ephemeral port.

    Build a guild with :meth:`add_guild`, :meth:`add_role`, :meth:`add_channel` and
    :meth:`add_member` before the bot connects; push events afterwards.
    """

    def __init__(self) -> None:
        self.app_id = snowflake()
        self.bot_user = user_payload(self.app_id, "nudgeguard", bot=True)
        self.owner = user_payload(snowflake(), "owner")
        self.guilds: dict[str, Json] = {}
        self.users: dict[str, Json] = {self.app_id: self.bot_user}
        self.channels: dict[str, Json] = {}
        self.messages: dict[str, Json] = {}
        self.dm_closed: set[str] = set()
        self.calls: list[Call] = []
        self.commands: dict[str, list[Json]] = {}
        self._failures: list[Failure] = []
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = 0
        self._sent: list[Json] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.identifies = 0
        self.resumes = 0
        self.replay_on_resume = 0
        self._clicked: dict[str, str] = {}
        #: Permissions the bot has where interactions happen (``app_permissions``).
        self.app_permissions = (1 << 41) - 1

    # ----------------------------------------------------------------- lifecycle
    @property
    def api_base(self) -> str:
        """Return the REST base to put in ``discord.http.Route.BASE``."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Return the gateway URL for ``DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        """Listen on an ephemeral loopback port."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        """Close sockets and the server."""
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def patch_discord(self) -> Callable[[], None]:
        """Point discord.py at this fake; returns a function that undoes it."""
        old_base = discord.http.Route.BASE
        old_gw = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

        def undo() -> None:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gw

        return undo

    # -------------------------------------------------------------- world setup
    def add_guild(self, name: str = "Test guild", *, bot_permissions: int = 0) -> str:
        """Create a guild; the bot is a member with a role holding ``bot_permissions``."""
        guild_id = snowflake()
        everyone = {"id": guild_id, "name": "@everyone", "permissions": "0", "position": 0}
        self.guilds[guild_id] = {
            "id": guild_id,
            "name": name,
            "owner_id": self.owner["id"],
            "roles": [everyone],
            "channels": [],
            "threads": [],
            "members": [],
            "member_count": 0,
            "features": [],
            "emojis": [],
            "stickers": [],
            "large": False,
            "unavailable": False,
            "joined_at": now_iso(),
        }
        bot_role = self.add_role(guild_id, "nudgeguard", permissions=bot_permissions)
        self.add_member(guild_id, self.bot_user, roles=[bot_role])
        return guild_id

    def add_role(self, guild_id: str, name: str, *, permissions: int = 0) -> str:
        """Add a role and return its id."""
        role_id = snowflake()
        roles = self.guilds[guild_id]["roles"]
        roles.append(
            {"id": role_id, "name": name, "permissions": str(permissions), "position": len(roles)}
        )
        return role_id

    def add_channel(
        self, guild_id: str, name: str, *, parent_id: str | None = None, thread: bool = False
    ) -> str:
        """Add a text channel (or a public thread under ``parent_id``) and return its id."""
        channel_id = snowflake()
        data: Json = {
            "id": channel_id,
            "guild_id": guild_id,
            "name": name,
            "type": 11 if thread else 0,
            "position": len(self.guilds[guild_id]["channels"]),
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": parent_id,
        }
        if thread:
            data["owner_id"] = self.owner["id"]
            data["thread_metadata"] = {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": now_iso(),
                "locked": False,
            }
            data["message_count"] = 0
            data["member_count"] = 0
            self.guilds[guild_id]["threads"].append(data)
        else:
            self.guilds[guild_id]["channels"].append(data)
        self.channels[channel_id] = data
        return channel_id

    def add_user(self, name: str, *, bot: bool = False) -> Json:
        """Create a user that is not (yet) in any guild."""
        user = user_payload(snowflake(), name, bot=bot)
        self.users[user["id"]] = user
        return user

    def add_member(self, guild_id: str, user: Json, *, roles: Iterable[str] = ()) -> Json:
        """Make ``user`` a member of the guild with the given role ids."""
        member = {
            "user": user,
            "roles": list(roles),
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
        }
        self.guilds[guild_id]["members"].append(member)
        self.guilds[guild_id]["member_count"] += 1
        return member

    def member(self, guild_id: str, user_id: str) -> Json:
        """Return the stored member payload."""
        for member in self.guilds[guild_id]["members"]:
            if member["user"]["id"] == user_id:
                return dict(member)
        raise KeyError(user_id)

    # ------------------------------------------------------------------ scripting
    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        code: int = 0,
    ) -> None:
        """Answer the next ``times`` matching requests with an error status."""
        body: Json = {"message": "scripted failure", "code": code}
        headers: dict[str, str] = {}
        if status == 429:
            body = {"message": "You are being rate limited.", "retry_after": retry_after or 0.01}
            body["global"] = False
            headers = {"Via": "1.1 google", "Retry-After": str(retry_after or 0.01)}
        self._failures.append(Failure(method, re.compile(path_regex), status, body, times, headers))

    def fail_clear(self) -> None:
        """Forget every scripted failure."""
        self._failures.clear()

    def calls_to(self, method: str, path_regex: str) -> list[Call]:
        """Return recorded calls whose path matches."""
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c.method == method and pattern.search(c.path)]

    async def wait_for_call(
        self, method: str, path_regex: str, *, count: int = 1, timeout: float = 10.0
    ) -> list[Call]:
        """Poll until ``count`` matching calls were made (raises on timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self.calls_to(method, path_regex)
            if len(found) >= count:
                return found
            if loop.time() > deadline:
                seen = [(c.method, c.path) for c in self.calls]
                raise AssertionError(f"no {count}x {method} {path_regex}; calls: {seen}")
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------------ gateway
    async def dispatch(self, event: str, data: Json) -> None:
        """Send a DISPATCH frame to every connected client."""
        self._seq += 1
        frame = {"op": 0, "t": event, "s": self._seq, "d": data}
        self._sent.append(frame)
        for ws in list(self._sockets):
            if not ws.closed:
                await ws.send_str(json.dumps(frame))

    async def request_reconnect(self) -> None:
        """Ask clients to reconnect (op 7); they come back with RESUME."""
        for ws in list(self._sockets):
            await ws.send_str(json.dumps({"op": 7, "d": None}))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif op == 2:
                    self.identifies += 1
                    await self._send_ready(ws)
                elif op == 6:
                    self.resumes += 1
                    await self._send_resumed(ws, frame["d"].get("seq") or 0)
        finally:
            self._sockets.remove(ws)
        return ws

    async def _send_ready(self, ws: web.WebSocketResponse) -> None:
        self._seq += 1
        ready = {
            "v": 10,
            "user": {**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": gid, "unavailable": True} for gid in self.guilds],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.app_id, "flags": 0},
            "shard": [0, 1],
        }
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": self._seq, "d": ready}))
        for guild in self.guilds.values():
            self._seq += 1
            frame = {"op": 0, "t": "GUILD_CREATE", "s": self._seq, "d": guild}
            await ws.send_str(json.dumps(frame))

    async def _send_resumed(self, ws: web.WebSocketResponse, seq: int) -> None:
        # Replay what the client missed, plus ``replay_on_resume`` frames it already had:
        # Discord may deliver an event twice around a reconnect.
        replay = [f for f in self._sent if f["s"] > seq - self.replay_on_resume]
        for frame in replay:
            await ws.send_str(json.dumps(frame))
        self._seq += 1
        await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": self._seq, "d": {}}))
