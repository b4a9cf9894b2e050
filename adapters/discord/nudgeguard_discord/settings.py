"""Configuration of the Discord adapter: the ``discord:`` section of the config file.

The bot token is never part of the file: it is read from the environment variable named by
``token_env`` (``DISCORD_TOKEN`` by default) and held as a :class:`pydantic.SecretStr`, so it
does not show up in reprs, logs or error messages.

Example::

    discord:
      default_country: GB
      guilds:
        "123456789012345678":
          moderator_channel_id: 234567890123456789
          moderator_roles: ["Moderators", "345678901234567890"]
          country: GB
          age_roles:
            "Under 18": minor
            "Verified adult": adult
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from nudgeguard import AgeBand, country_code

_SNOWFLAKE = re.compile(r"^\d{15,21}$")


def _country(value: str | None) -> str | None:
    return None if value is None else country_code(value)


class GuildSettings(BaseModel):
    """Settings for one guild (server).

    Attributes:
        moderator_channel_id: Channel that receives moderator alerts.
        moderator_roles: Role names (case-insensitive) or role ids whose members may act on
            alerts and run ``/safety status``. Members with Manage Messages may always act.
        country: ISO 3166 code of the guild's helplines; handed to the core, which picks
            the country (the core's ``channel_countries:``/``countries:`` rank first).
        age_roles: Role name or id -> ``minor`` or ``adult``. A member holding a mapped role
            gets that age band with source ``platform_role``; ``minor`` wins a conflict.
        timeout_minutes: Length of the "Timeout member" action.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    moderator_channel_id: int | None = Field(default=None, gt=0)
    moderator_roles: tuple[str, ...] = ()
    country: str | None = None
    age_roles: dict[str, Literal["minor", "adult"]] = {}
    timeout_minutes: int = Field(default=60, ge=1, le=40320)

    @field_validator("country", mode="before")
    @classmethod
    def _check_country(cls, value: Any) -> Any:
        return _country(value)

    @field_validator("moderator_roles", mode="before")
    @classmethod
    def _roles_as_strings(cls, value: Any) -> Any:
        if isinstance(value, str | int):
            value = [value]
        if isinstance(value, Iterable):
            return tuple(str(v).strip() for v in value)
        return value

    @field_validator("age_roles", mode="before")
    @classmethod
    def _age_keys_as_strings(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k).strip(): str(v).strip().lower() for k, v in value.items()}
        return value

    def age_for_roles(self, role_ids: Iterable[int], role_names: Iterable[str]) -> AgeBand:
        """Return the age band the member's roles map to (``unknown`` when none does)."""
        if not self.age_roles:
            return AgeBand.UNKNOWN
        lowered = {k.casefold(): v for k, v in self.age_roles.items()}
        keys = {str(r) for r in role_ids} | {n.casefold() for n in role_names}
        bands = {lowered[k] for k in keys if k in lowered}
        if "minor" in bands:
            return AgeBand.MINOR
        if "adult" in bands:
            return AgeBand.ADULT
        return AgeBand.UNKNOWN

    def is_moderator_role(self, role_ids: Iterable[int], role_names: Iterable[str]) -> bool:
        """Return True when one of the roles is a configured moderator role."""
        wanted = {r.casefold() for r in self.moderator_roles}
        keys = {str(r) for r in role_ids} | {n.casefold() for n in role_names}
        return bool(wanted & keys)


class DiscordSettings(BaseModel):
    """The ``discord:`` config section.

    Attributes:
        token: Bot token, read from the environment (never from the file).
        token_env: Name of the environment variable holding the token.
        guilds: Guild id -> :class:`GuildSettings`. Guilds not listed are still watched;
            they just have no moderator channel, role mapping or helpline country.
        default_country: Helpline country for guilds without one (and for DMs); handed to
            the core with the guilds' own (see ``nudgeguard.delivery.helpline_country``).
        sync_commands: Publish the slash and context-menu commands at startup.
        max_ratelimit_timeout: Rate limits longer than this (seconds) are handed back to the
            core's outbox instead of being waited out inside discord.py.
        dedupe_size: How many message authors to remember, so a delete resolves its author.
        ready_timeout: Seconds to wait for the gateway to become ready in standalone mode.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    token: SecretStr | None = None
    token_env: str = "DISCORD_TOKEN"
    guilds: dict[str, GuildSettings] = {}
    default_country: str | None = None
    sync_commands: bool = True
    max_ratelimit_timeout: float = Field(default=30.0, gt=0)
    dedupe_size: int = Field(default=10_000, ge=100, le=1_000_000)
    ready_timeout: float = Field(default=60.0, gt=0)

    @field_validator("default_country", mode="before")
    @classmethod
    def _check_default_country(cls, value: Any) -> Any:
        return _country(value)

    @field_validator("guilds", mode="before")
    @classmethod
    def _guild_keys(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        out = {}
        for key, guild in value.items():
            key = str(key).strip()
            if not _SNOWFLAKE.match(key):
                raise ValueError(f"guild keys must be numeric guild ids, got {key!r}")
            out[key] = guild if guild is not None else {}
        return out

    def guild(self, guild_id: int | str | None) -> GuildSettings:
        """Return the settings of a guild (defaults when it is not configured)."""
        if guild_id is None:
            return _DEFAULT_GUILD
        return self.guilds.get(str(guild_id), _DEFAULT_GUILD)

    @classmethod
    def from_section(
        cls, section: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
    ) -> DiscordSettings:
        """Validate a config section and read the token from the environment.

        Raises:
            ValueError: The section is invalid; the message names the field but never
                repeats a secret.
        """
        data = dict(section or {})
        if "token" in data:
            raise ValueError(
                "discord.token must not be in the config file; set the DISCORD_TOKEN "
                "environment variable (or the variable named by discord.token_env)"
            )
        env = os.environ if environ is None else environ
        token_env = str(data.get("token_env") or "DISCORD_TOKEN")
        token = env.get(token_env)
        if token:
            data["token"] = token.strip()
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"discord.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
                for err in exc.errors()
            )
            raise ValueError(f"invalid discord config: {problems}") from None


_DEFAULT_GUILD = GuildSettings()
