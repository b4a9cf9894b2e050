"""Gateway events a test pushes: messages, edits, deletes, clicks and commands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tests.discord.fake_payloads import Json, now_iso, snowflake


class EventHelpers:
    """Mixin of :class:`FakeDiscord`: build and dispatch user-caused gateway events."""

    channels: dict[str, Json]
    messages: dict[str, Json]
    app_id: str
    app_permissions: int
    commands: dict[str, list[Json]]
    _clicked: dict[str, str]

    if TYPE_CHECKING:  # provided by FakeDiscord and RestRoutes

        def member(self, guild_id: str, user_id: str) -> Json: ...

        def message_payload(
            self, channel_id: str, author: Json, content: str, **kw: Any
        ) -> Json: ...

        async def dispatch(self, event: str, data: Json) -> None: ...

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
        data = {**message, "content": content, "edited_timestamp": now_iso()}
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
        self,
        kind: int,
        user: Json,
        *,
        guild_id: str | None,
        channel_id: str,
        permissions: int,
        locale: str = "en-US",
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
            "locale": locale,
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
        locale: str = "en-US",
    ) -> Json:
        """Push INTERACTION_CREATE for a button press on ``message``."""
        data = self._interaction_base(
            3,
            user,
            guild_id=message.get("guild_id"),
            channel_id=message["channel_id"],
            permissions=permissions,
            locale=locale,
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
        locale: str = "en-US",
    ) -> Json:
        """Push INTERACTION_CREATE for a message context menu command on ``target``."""
        data = self._interaction_base(
            2,
            user,
            guild_id=guild_id,
            channel_id=target["channel_id"],
            permissions=permissions,
            locale=locale,
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
