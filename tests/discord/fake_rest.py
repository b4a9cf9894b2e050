"""The REST half of the fake Discord: the routes discord.py calls, answered like Discord."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.discord.fake_payloads import (
    EDITABLE,
    Call,
    Failure,
    Json,
    json_response,
    now_iso,
    snowflake,
)


class RestRoutes:
    """Mixin of :class:`FakeDiscord`: records every request and answers it."""

    app_id: str
    bot_user: Json
    owner: Json
    users: dict[str, Json]
    channels: dict[str, Json]
    messages: dict[str, Json]
    dm_closed: set[str]
    calls: list[Call]
    commands: dict[str, list[Json]]
    _failures: list[Failure]
    _clicked: dict[str, str]

    if TYPE_CHECKING:  # provided by FakeDiscord

        def member(self, guild_id: str, user_id: str) -> Json: ...

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
                return json_response(failure.body, failure.status, failure.headers)
        for method, pattern, handler in self._routes():
            if method == request.method:
                match = re.fullmatch(pattern, path)
                if match:
                    params = match.groupdict()
                    if handler == self._history:
                        params["query"] = dict(request.query)
                    return await handler(body, **params)
        return json_response({"message": "404: Not Found", "code": 0}, 404)

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
        return json_response({**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0})

    async def _get_app(self, body: Any) -> web.Response:
        return json_response(
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
            return json_response({"message": "Unknown User", "code": 10013}, 404)
        channel_id = "9" + recipient["id"][1:]
        channel = {"id": channel_id, "type": 1, "recipients": [recipient], "last_message_id": None}
        self.channels[channel_id] = channel
        return json_response(channel)

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
            "timestamp": now_iso(),
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
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        if channel.get("type") == 1 and channel["recipients"][0]["id"] in self.dm_closed:
            return json_response(
                {"message": "Cannot send messages to this user", "code": 50007}, 403
            )
        body = body if isinstance(body, dict) else {}
        message = self.message_payload(
            cid,
            self.bot_user,
            body.get("content") or "",
            extra={"embeds": body.get("embeds", []), "components": body.get("components", [])},
        )
        self.messages[message["id"]] = message
        return json_response(message)

    async def _edit_message(self, body: Any, cid: str, mid: str) -> web.Response:
        message = self.messages.get(mid)
        if message is None:
            return json_response({"message": "Unknown Message", "code": 10008}, 404)
        message.update({k: v for k, v in (body or {}).items() if k in EDITABLE})
        message["edited_timestamp"] = now_iso()
        return json_response(message)

    async def _get_message(self, body: Any, cid: str, mid: str) -> web.Response:
        message = self.messages.get(mid)
        if message is None:
            return json_response({"message": "Unknown Message", "code": 10008}, 404)
        return json_response(message)

    async def _get_channel(self, body: Any, cid: str) -> web.Response:
        channel = self.channels.get(cid)
        if channel is None:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        return json_response(channel)

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
        return json_response(answer)

    async def _followup(self, body: Any, app: str, tok: str) -> web.Response:
        body = body if isinstance(body, dict) else {}
        message = self.message_payload(
            "0", self.bot_user, body.get("content") or "", extra={"flags": body.get("flags", 0)}
        )
        return json_response(message)

    async def _wh_edit(self, body: Any, app: str, tok: str, mid: str) -> web.Response:
        body = body if isinstance(body, dict) else {}
        target = self._clicked.get(tok) if mid == "@original" else mid
        message = self.messages.get(target or "")
        if message is None:
            return json_response(
                self.message_payload("0", self.bot_user, body.get("content") or "")
            )
        message.update({k: v for k, v in body.items() if k in EDITABLE})
        message["edited_timestamp"] = now_iso()
        return json_response(message)

    async def _history(self, body: Any, cid: str, query: dict[str, str]) -> web.Response:
        before = int(query.get("before") or 1 << 63)
        limit = int(query.get("limit") or 50)
        found = [
            m for m in self.messages.values() if m["channel_id"] == cid and int(m["id"]) < before
        ]
        found.sort(key=lambda m: int(m["id"]), reverse=True)
        return json_response(found[:limit])

    async def _patch_member(self, body: Any, gid: str, uid: str) -> web.Response:
        try:
            member = self.member(gid, uid)
        except KeyError:
            return json_response({"message": "Unknown Member", "code": 10007}, 404)
        member.update(body or {})
        return json_response(member)

    async def _get_member(self, body: Any, gid: str, uid: str) -> web.Response:
        try:
            return json_response(self.member(gid, uid))
        except KeyError:
            return json_response({"message": "Unknown Member", "code": 10007}, 404)

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
        return json_response(answer)
