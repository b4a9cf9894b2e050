"""A fake Discord (REST + gateway) on loopback for driving the real discord.py client.

Only the parts nudgeguard uses are served, but they are served the way Discord answers:
JSON with content type exactly ``application/json``, members with ``flags``, 429 with a
``Via`` header and ``retry_after``, 403 code 50007 for closed DMs. Every REST call is
recorded so tests assert on what the bot really sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yarl
from aiohttp import WSMsgType, web

import discord

Json = dict[str, Any]

_ids = itertools.count(1_300_000_000_000_000_000)


def snowflake() -> str:
    """Return a fresh snowflake id as a string."""
    return str(next(_ids))


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class Failure:
    """A scripted failure answer for matching requests."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: Json
    times: int
    headers: dict[str, str] = field(default_factory=dict)


def user_payload(user_id: str, name: str, *, bot: bool = False) -> Json:
    """Return a Discord user object."""
    return {
        "id": user_id,
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


class FakeDiscord:
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
            "joined_at": _now_iso(),
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
                "archive_timestamp": _now_iso(),
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
            "joined_at": _now_iso(),
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

    # ----------------------------------------------------------- event helpers
    async def send_message(
        self,
        channel_id: str,
        author: Json,
        content: str,
        *,
        reply_to: Json | None = None,
        mentions: Iterable[Json] = (),
        extra: Json | None = None,
    ) -> Json:
        """Push MESSAGE_CREATE as a user would cause it; returns the payload."""
        data = self.message_payload(channel_id, author, content, extra=extra)
        guild_id = data.get("guild_id")
        if guild_id:
            member = self.member(guild_id, author["id"])
            member.pop("user")
            data["member"] = member
        data["mentions"] = [dict(u) for u in mentions]
        if reply_to is not None:
            data["type"] = 19
            data["message_reference"] = {
                "message_id": reply_to["id"],
                "channel_id": reply_to["channel_id"],
                **({"guild_id": guild_id} if guild_id else {}),
            }
            data["referenced_message"] = reply_to
        self.messages[data["id"]] = data
        await self.dispatch("MESSAGE_CREATE", data)
        return data

    async def edit_message(self, message: Json, content: str) -> Json:
        """Push MESSAGE_UPDATE with new content."""
        data = {**message, "content": content, "edited_timestamp": _now_iso()}
        self.messages[data["id"]] = data
        await self.dispatch("MESSAGE_UPDATE", data)
        return data

    async def delete_message(self, message: Json) -> None:
        """Push MESSAGE_DELETE."""
        data = {"id": message["id"], "channel_id": message["channel_id"]}
        if message.get("guild_id"):
            data["guild_id"] = message["guild_id"]
        await self.dispatch("MESSAGE_DELETE", data)

    def _interaction_base(
        self, kind: int, user: Json, *, guild_id: str | None, channel_id: str, permissions: int
    ) -> Json:
        interaction_id = snowflake()
        channel = self.channels.get(channel_id) or {"id": channel_id, "type": 1}
        data: Json = {
            "id": interaction_id,
            "application_id": self.app_id,
            "type": kind,
            "token": f"tok{interaction_id}",
            "version": 1,
            "attachment_size_limit": 8_000_000,
            "channel_id": channel_id,
            "channel": {k: v for k, v in channel.items() if k != "recipients"},
            "app_permissions": str(self.app_permissions),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild_id} if guild_id else {"1": user["id"]},
            "context": 0 if guild_id else 2,
        }
        if guild_id:
            data["guild_id"] = guild_id
            data["guild_locale"] = "en-US"
            member = self.member(guild_id, user["id"])
            member["permissions"] = str(permissions)
            data["member"] = member
        else:
            data["user"] = user
        return data

    async def click(
        self,
        user: Json,
        custom_id: str,
        message: Json,
        *,
        permissions: int = 0,
    ) -> Json:
        """Push INTERACTION_CREATE for a button press on ``message``."""
        data = self._interaction_base(
            3,
            user,
            guild_id=message.get("guild_id"),
            channel_id=message["channel_id"],
            permissions=permissions,
        )
        data["message"] = message
        data["data"] = {"custom_id": custom_id, "component_type": 2}
        self._clicked[data["token"]] = message["id"]
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    async def slash(
        self,
        user: Json,
        guild_id: str,
        channel_id: str,
        name: str,
        options: list[Json],
        *,
        permissions: int = 0,
    ) -> Json:
        """Push INTERACTION_CREATE for a chat input command."""
        data = self._interaction_base(
            2, user, guild_id=guild_id, channel_id=channel_id, permissions=permissions
        )
        data["data"] = {"id": self._command_id(name), "name": name, "type": 1, "options": options}
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    async def context_menu(
        self,
        user: Json,
        name: str,
        target: Json,
        *,
        guild_id: str | None = None,
        permissions: int = 0,
    ) -> Json:
        """Push INTERACTION_CREATE for a message context menu command on ``target``."""
        data = self._interaction_base(
            2, user, guild_id=guild_id, channel_id=target["channel_id"], permissions=permissions
        )
        data["data"] = {
            "id": self._command_id(name),
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    def _command_id(self, name: str) -> str:
        for commands in self.commands.values():
            for command in commands:
                if command.get("name") == name:
                    return str(command["id"])
        return snowflake()

    # --------------------------------------------------------------------- REST
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
        self.calls.append(Call(request.method, path, dict(request.query), body))
        for failure in self._failures:
            matches = failure.method == request.method and failure.pattern.search(path)
            if failure.times > 0 and matches:
                failure.times -= 1
                return _json(failure.body, failure.status, failure.headers)
        for method, pattern, handler in self._routes():
            if method == request.method:
                match = re.fullmatch(pattern, path)
                if match:
                    params = match.groupdict()
                    if handler == self._history:
                        params["query"] = dict(request.query)
                    return await handler(body, **params)
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        return [
            ("GET", r"/users/@me", self._get_me),
            ("GET", r"/oauth2/applications/@me", self._get_app),
            ("GET", r"/applications/@me", self._get_app),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("POST", r"/channels/(?P<cid>\d+)/messages", self._post_message),
            ("PATCH", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._edit_message),
            ("DELETE", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._no_content),
            ("GET", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._get_message),
            ("GET", r"/channels/(?P<cid>\d+)/messages", self._history),
            ("GET", r"/channels/(?P<cid>\d+)", self._get_channel),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<tok>[^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<tok>[^/]+)", self._followup),
            (
                "PATCH",
                r"/webhooks/(?P<app>\d+)/(?P<tok>[^/]+)/messages/(?P<mid>[^/]+)",
                self._wh_edit,
            ),
            ("PATCH", r"/guilds/(?P<gid>\d+)/members/(?P<uid>\d+)", self._patch_member),
            ("GET", r"/guilds/(?P<gid>\d+)/members/(?P<uid>\d+)", self._get_member),
            ("PUT", r"/applications/(?P<app>\d+)/commands", self._put_commands),
            ("PUT", r"/applications/(?P<app>\d+)/guilds/(?P<gid>\d+)/commands", self._put_commands),
        ]

    async def _get_me(self, body: Any) -> web.Response:
        return _json({**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0})

    async def _get_app(self, body: Any) -> web.Response:
        return _json(
            {
                "id": self.app_id,
                "name": "nudgeguard",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner,
                "team": None,
                "verify_key": "0" * 64,
                "flags": 0,
                "summary": "",
            }
        )

    async def _open_dm(self, body: Any) -> web.Response:
        recipient = self.users.get(str(body.get("recipient_id")))
        if recipient is None:
            return _json({"message": "Unknown User", "code": 10013}, 404)
        channel_id = "9" + recipient["id"][1:]
        channel = {"id": channel_id, "type": 1, "recipients": [recipient], "last_message_id": None}
        self.channels[channel_id] = channel
        return _json(channel)

    def message_payload(
        self,
        channel_id: str,
        author: Json,
        content: str,
        *,
        message_id: str | None = None,
        extra: Json | None = None,
    ) -> Json:
        """Build a message object as Discord sends it (guild fields added when known)."""
        data: Json = {
            "id": message_id or snowflake(),
            "channel_id": channel_id,
            "author": author,
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        channel = self.channels.get(channel_id, {})
        if channel.get("guild_id"):
            data["guild_id"] = channel["guild_id"]
        data.update(extra or {})
        return data

    async def _post_message(self, body: Any, cid: str) -> web.Response:
        channel = self.channels.get(cid)
        if channel is None:
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        if channel.get("type") == 1 and channel["recipients"][0]["id"] in self.dm_closed:
            return _json({"message": "Cannot send messages to this user", "code": 50007}, 403)
        body = body if isinstance(body, dict) else {}
        message = self.message_payload(
            cid,
            self.bot_user,
            body.get("content") or "",
            extra={"embeds": body.get("embeds", []), "components": body.get("components", [])},
        )
        self.messages[message["id"]] = message
        return _json(message)

    async def _edit_message(self, body: Any, cid: str, mid: str) -> web.Response:
        message = self.messages.get(mid)
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        message.update({k: v for k, v in (body or {}).items() if k in _EDITABLE})
        message["edited_timestamp"] = _now_iso()
        return _json(message)

    async def _get_message(self, body: Any, cid: str, mid: str) -> web.Response:
        message = self.messages.get(mid)
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        return _json(message)

    async def _get_channel(self, body: Any, cid: str) -> web.Response:
        channel = self.channels.get(cid)
        if channel is None:
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        return _json(channel)

    async def _no_content(self, body: Any, **_: str) -> web.Response:
        return web.Response(status=204)

    async def _callback(self, body: Any, iid: str, tok: str) -> web.Response:
        body = body if isinstance(body, dict) else {}
        kind = body.get("type")
        data = body.get("data") or {}
        ephemeral = bool(int(data.get("flags") or 0) & 64)
        answer: Json = {
            "interaction": {
                "id": iid,
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": ephemeral,
            }
        }
        if kind in (4, 7):
            message = self.message_payload(
                "0", self.bot_user, data.get("content") or "", extra={"flags": data.get("flags", 0)}
            )
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
        return _json(answer)

    async def _followup(self, body: Any, app: str, tok: str) -> web.Response:
        body = body if isinstance(body, dict) else {}
        message = self.message_payload(
            "0", self.bot_user, body.get("content") or "", extra={"flags": body.get("flags", 0)}
        )
        return _json(message)

    async def _wh_edit(self, body: Any, app: str, tok: str, mid: str) -> web.Response:
        body = body if isinstance(body, dict) else {}
        target = self._clicked.get(tok) if mid == "@original" else mid
        message = self.messages.get(target or "")
        if message is None:
            return _json(self.message_payload("0", self.bot_user, body.get("content") or ""))
        message.update({k: v for k, v in body.items() if k in _EDITABLE})
        message["edited_timestamp"] = _now_iso()
        return _json(message)

    async def _history(self, body: Any, cid: str, query: dict[str, str]) -> web.Response:
        before = int(query.get("before") or 1 << 63)
        limit = int(query.get("limit") or 50)
        found = [
            m for m in self.messages.values() if m["channel_id"] == cid and int(m["id"]) < before
        ]
        found.sort(key=lambda m: int(m["id"]), reverse=True)
        return _json(found[:limit])

    async def _patch_member(self, body: Any, gid: str, uid: str) -> web.Response:
        try:
            member = self.member(gid, uid)
        except KeyError:
            return _json({"message": "Unknown Member", "code": 10007}, 404)
        member.update(body or {})
        return _json(member)

    async def _get_member(self, body: Any, gid: str, uid: str) -> web.Response:
        try:
            return _json(self.member(gid, uid))
        except KeyError:
            return _json({"message": "Unknown Member", "code": 10007}, 404)

    async def _put_commands(self, body: Any, app: str, gid: str | None = None) -> web.Response:
        answer = []
        for command in body or []:
            answer.append(
                {
                    "id": snowflake(),
                    "application_id": self.app_id,
                    "version": snowflake(),
                    "default_member_permissions": None,
                    "dm_permission": True,
                    "nsfw": False,
                    "description": "",
                    "options": [],
                    **command,
                }
            )
        self.commands[gid or "global"] = answer
        return _json(answer)


_EDITABLE = {"content", "embeds", "components", "flags"}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py only parses bodies whose content type is exactly application/json.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
