"""Configuration of the Slack adapter: the ``slack:`` section plus secrets from the environment.

Example section::

    slack:
      mode: socket                  # or http (Events API over HTTPS)
      moderator_channel: C0123MODS  # where case alerts go
      moderator_usergroup: safety-team  # user-group handle or id whose members may act
      moderator_users: [U0123ABC]   # and/or listed users (free plans have no user groups)
      helpline_country: GB
      ages:
        minor: {groups: [students]}
        adult: {groups: [staff], users: [U0ADMIN]}

Secrets never appear in the file: ``SLACK_BOT_TOKEN`` always, ``SLACK_APP_TOKEN`` in socket
mode, ``SLACK_SIGNING_SECRET`` in http mode. They are held as ``SecretStr`` so that printing
or logging the settings shows ``**********``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from nudgeguard import country_code

BOT_TOKEN_ENV = "SLACK_BOT_TOKEN"
APP_TOKEN_ENV = "SLACK_APP_TOKEN"
SIGNING_SECRET_ENV = "SLACK_SIGNING_SECRET"

_ID = re.compile(r"^[A-Z0-9]{2,30}$")
_HANDLE = re.compile(r"^[a-z0-9._-]{1,80}$")


def _group_ref(value: str) -> str:
    """Normalise a user-group reference: an id (``S…``) or a handle (``@`` optional)."""
    value = value.strip().removeprefix("@")
    if _ID.match(value) or _HANDLE.match(value):
        return value
    raise ValueError("must be a user-group id like S0123ABC or a handle like safety-team")


def is_group_id(ref: str) -> bool:
    """Tell a user-group id (``S0123``) from a handle (``safety-team``)."""
    return ref.startswith("S") and bool(_ID.match(ref))


class AgeSelector(BaseModel):
    """Who falls in one age band: members of user groups and/or listed user ids."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    groups: tuple[str, ...] = ()
    users: tuple[str, ...] = ()

    @field_validator("groups")
    @classmethod
    def _groups(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_group_ref(v) for v in value)

    @field_validator("users")
    @classmethod
    def _users(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for user in value:
            if not _ID.match(user) or user[0] not in "UW":
                raise ValueError("user ids look like U0123ABC")
        return value


class SlackSettings(BaseModel):
    """The validated ``slack:`` section of the config file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["socket", "http"] = "socket"
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535)
    path: str = "/slack/events"
    api_base_url: str | None = None
    moderator_channel: str | None = None
    moderator_usergroup: str | None = None
    moderator_users: tuple[str, ...] = ()
    helpline_country: str | None = Field(default=None, min_length=2, max_length=4)
    ages: dict[Literal["minor", "adult"], AgeSelector] = {}
    group_cache_seconds: float = Field(default=60.0, ge=0, le=3600)
    check_context_messages: int = Field(default=10, ge=0, le=50)

    @field_validator("api_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        # AsyncWebClient drops the last path segment without a trailing slash.
        return value if value.endswith("/") else value + "/"

    @field_validator("moderator_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is not None and (not _ID.match(value) or value[0] not in "CG"):
            raise ValueError("must be a channel id like C0123MODS (not a #name)")
        return value

    @field_validator("moderator_usergroup")
    @classmethod
    def _mod_usergroup(cls, value: str | None) -> str | None:
        return None if value is None else _group_ref(value)

    @field_validator("moderator_users")
    @classmethod
    def _mod_users(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for user in value:
            if not _ID.match(user) or user[0] not in "UW":
                raise ValueError("user ids look like U0123ABC")
        return value

    @field_validator("helpline_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else country_code(value)

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value


class SlackSecrets(BaseModel):
    """Tokens and the signing secret, read from the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bot_token: SecretStr
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None

    @classmethod
    def from_env(
        cls, mode: Literal["socket", "http"], environ: Mapping[str, str] | None = None
    ) -> SlackSecrets:
        """Read the secrets ``mode`` needs.

        Raises:
            ValueError: A required variable is unset; the message names the variable only.
        """
        env = os.environ if environ is None else environ
        needed = [BOT_TOKEN_ENV]
        needed.append(APP_TOKEN_ENV if mode == "socket" else SIGNING_SECRET_ENV)
        missing = [name for name in needed if not env.get(name)]
        if missing:
            raise ValueError(f"slack ({mode} mode) needs environment variable(s): {missing}")
        return cls(
            bot_token=SecretStr(env[BOT_TOKEN_ENV]),
            app_token=SecretStr(env[APP_TOKEN_ENV]) if env.get(APP_TOKEN_ENV) else None,
            signing_secret=(
                SecretStr(env[SIGNING_SECRET_ENV]) if env.get(SIGNING_SECRET_ENV) else None
            ),
        )


def parse_settings(section: Mapping[str, Any] | None) -> SlackSettings:
    """Validate the ``slack:`` section with errors that name the field.

    Raises:
        ValueError: The section is invalid.
    """
    try:
        return SlackSettings.model_validate(dict(section or {}))
    except ValidationError as err:
        problems = "; ".join(
            f"slack.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise ValueError(f"invalid slack config: {problems}") from None
