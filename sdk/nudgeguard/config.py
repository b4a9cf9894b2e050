"""The bot's configuration: one YAML file plus environment variables for secrets.

Core settings are validated here. Each adapter's section (``discord:``, ``slack:``, ...) is
kept raw and validated by that adapter's own ``from_config``. Secrets never come from the
file: they are read from the environment and never printed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from nudgeguard import plugins
from nudgeguard.countries import country_code
from nudgeguard.delivery.helpline_country import HelplineCountries
from nudgeguard.locales import LanguageSettings
from nudgeguard.privacy.retention import PrivacySettings
from nudgeguard.yamlfile import YamlIssue, YamlModelError, load_yaml_model, read_yaml_text

STORE_ENV = "NUDGEGUARD_STORE"
KEY_ENV = "NUDGEGUARD_PSEUDONYM_KEY"


class ConfigError(YamlModelError):
    """The config file is invalid; every issue names its line and field."""


class StateSettings(BaseModel):
    """Where working memory lives."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["memory", "redis"] = "memory"
    url: str | None = None
    prefix: str = Field(default="ng:", min_length=1, max_length=64)
    #: Seconds to open a connection to Redis.
    connect_timeout: float = Field(default=2.0, gt=0, le=300)
    #: Seconds one Redis command may take; past it the store works from local memory.
    command_timeout: float = Field(default=2.0, gt=0, le=300)


class CaseSettings(BaseModel):
    """Where cases live."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["sqlite", "postgres"] = "sqlite"
    path: Path | None = None
    dsn: str | None = None
    spool: Path | None = None
    #: PostgreSQL: seconds to open one connection.
    connect_timeout: float = Field(default=3.0, gt=0, le=300)
    #: PostgreSQL: seconds to wait for a pooled connection (and to hand it back).
    acquire_timeout: float = Field(default=3.0, gt=0, le=300)
    #: PostgreSQL: seconds one statement may take; past it cases are spooled locally.
    command_timeout: float = Field(default=5.0, gt=0, le=3600)
    #: PostgreSQL: seconds between background probes of a server that stopped answering.
    retry_interval: float = Field(default=5.0, gt=0, le=3600)


class MetricsSettings(BaseModel):
    """Where the health and metrics endpoint listens (``metrics:`` in the config)."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=9464, ge=0, le=65535)
    #: Seconds between outbox depth and store checks.
    refresh_seconds: float = Field(default=15.0, gt=0, le=3600)


class Secrets(BaseSettings):
    """Secrets, from the environment only."""

    model_config = SettingsConfigDict(env_prefix="NUDGEGUARD_", extra="ignore")

    pseudonym_key: SecretStr | None = None
    redis_url: SecretStr | None = None
    postgres_dsn: SecretStr | None = None


class Settings(BaseModel):
    """Core settings from the config file.

    Unknown top-level keys are allowed only when an installed adapter of that name exists;
    they are that adapter's section.
    """

    model_config = ConfigDict(extra="allow")

    policy: str = "default"
    country: str = Field(default="GB", min_length=2, max_length=4)
    countries: dict[str, str] = {}
    channel_countries: dict[str, str] = {}
    languages: LanguageSettings = LanguageSettings()
    detectors: list[str] = []
    state: StateSettings = StateSettings()
    cases: CaseSettings = CaseSettings()
    privacy: PrivacySettings = PrivacySettings()
    sinks: dict[str, dict[str, Any]] = {}
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    metrics: MetricsSettings | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return country_code(value)

    @field_validator("countries", "channel_countries")
    @classmethod
    def _countries(cls, value: dict[str, str]) -> dict[str, str]:
        return {community: country_code(code) for community, code in value.items()}

    @model_validator(mode="after")
    def _sections_are_adapters(self) -> Settings:
        known = set(plugins.names("nudgeguard.adapters"))
        for key in self.model_extra or {}:
            if key not in known:
                raise ValueError(
                    f"unknown setting {key!r}; adapter sections available: {sorted(known)}"
                )
        return self

    @property
    def adapter_sections(self) -> dict[str, dict[str, Any]]:
        """Return each configured adapter's raw section."""
        return {k: dict(v or {}) for k, v in (self.model_extra or {}).items()}

    def country_of(self, community_id: str) -> str:
        """Return the helpline country of a community."""
        return self.countries.get(community_id, self.country)

    def helpline_countries(self) -> HelplineCountries:
        """Return the core's helpline-country choice for these settings."""
        return HelplineCountries(self.country, self.countries, self.channel_countries)


def load_config(path: str | Path) -> Settings:
    """Read and validate a config file.

    Raises:
        ConfigError: Missing file, bad YAML or invalid settings.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(str(p), [YamlIssue(None, "file", "no such file")])
    from nudgeguard import config_check

    try:
        text = read_yaml_text(p)
        settings = load_yaml_model(text, Settings, str(p))
    except YamlModelError as exc:
        # A file that cannot be read or parsed (too big, not UTF-8, hostile YAML) gets its
        # one issue. Otherwise unknown top-level keys come first, each on its own line:
        # pydantic names them without a position, and only once the rest is valid.
        unreadable = all(i.field in ("file", "yaml") for i in exc.issues)
        unknown = [] if unreadable else config_check.unknown_keys(text, Settings.model_fields)
        issues = unknown or config_check.with_suggestions(exc.issues, Settings)
        raise ConfigError(exc.source, issues) from None
    issues = config_check.policy_issue(text, settings.policy)
    if issues:
        raise ConfigError(str(p), issues)
    return settings


def default_store_path() -> Path:
    """Return the case store path: ``$NUDGEGUARD_STORE`` or the user's data dir."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("nudgeguard")) / "cases.sqlite3"


EXAMPLE = """\
# nudgeguard configuration. Secrets never go in this file: set them in the environment.
#   NUDGEGUARD_PSEUDONYM_KEY  key for pseudonymising user ids in stores (keep it stable)
#   NUDGEGUARD_REDIS_URL      Redis URL with password, if state.backend is redis
#   NUDGEGUARD_POSTGRES_DSN   PostgreSQL DSN with password, if cases.backend is postgres
#   DISCORD_TOKEN             bot token, if the discord section is present
#   SLACK_BOT_TOKEN, SLACK_APP_TOKEN or SLACK_SIGNING_SECRET, if the slack section is present

# Policy pack: a built-in name (default, strict, observe) or a path to your own YAML.
# Start with "observe" for a dry run: decisions are recorded, nothing is sent.
policy: observe

# Helpline country (ISO code; UK is read as GB) for nudges, with per-community and
# per-channel exceptions. Without an exception, a child's platform locale region
# (pt-BR: Brazil) outranks the default country. See docs/adapters.md.
country: GB
countries: {}
#  "123456789012345678": US
channel_countries: {}
#  "C0123456789": IE

# Language of nudges (en, de, nl, es, fr, pt): the platform's own signal (the child's app
# language) wins; else the channel's setting, else the community's (also used for
# moderator alerts, `report --config` and `console serve --config`), else the language
# the chat is written in, else English.
# See docs/languages.md.
languages:
  default: null
  communities: {}
#    "123456789012345678": de
  channels: {}
#    "234567890123456789": fr

# Optional detectors on top of the built-in ones, by entry-point name
# (group nudgeguard.detectors), for example the embedding detector of the "semantic" extra.
detectors: []

# Working memory (risk per pair): memory, or redis for several bot processes.
# With a password, set NUDGEGUARD_REDIS_URL in the environment instead of url.
state:
  backend: memory
#  url: redis://127.0.0.1:6379/0
#  prefix: "ng:"
#  connect_timeout: 2   # seconds; past these the bot works from its own memory
#  command_timeout: 2

# Cases: sqlite (default file in your data dir; or set NUDGEGUARD_STORE) or postgres.
# postgres: dsn here without a password, or the whole DSN in NUDGEGUARD_POSTGRES_DSN;
# writes made while the server is down wait in a local spool file (spool:) until it is back.
# sqlite: writes that fail (full disk) wait in memory, or in spool: (put it on another disk).
cases:
  backend: sqlite
#  path: /var/lib/nudgeguard/cases.sqlite3
#  dsn: postgresql://nudgeguard@db.internal:5432/nudgeguard
#  spool: /var/lib/nudgeguard/postgres-spool.sqlite3
#  connect_timeout: 3   # seconds; past these, writes go to the spool (docs/scale.md)
#  acquire_timeout: 3
#  command_timeout: 5
#  retry_interval: 5

# Privacy: how long closed cases and records are kept (days after their last change;
# null keeps them until you run "nudgeguard privacy purge" by hand). Open cases are never
# purged automatically. The bot applies this at start and every purge_every_hours.
privacy:
  retention_days:
    dismissed: 30     # dismissed as false positives
    resolved: 90      # resolved without a confirmed finding
    confirmed: 365    # confirmed cases: evidence kept a year
    records: 90       # text-free decision records and finished deliveries
  purge_every_hours: 6

# Extra moderator alert sinks, each with a "type" (entry-point group nudgeguard.sinks).
# A webhook posts each alert as signed JSON; the secret comes from the environment.
sinks: {}
#  trust-and-safety:
#    type: webhook
#    url: https://tns.example.org/nudgeguard
#    secret_env: NUDGEGUARD_WEBHOOK_SECRET

log_level: INFO
# One line per nudge, alert, case change and failed delivery (pseudonyms, never text):
# text for people, json for log collectors (--log-format on the command line wins).
log_format: text

# Health checks and Prometheus metrics over HTTP: /healthz, /readyz, /metrics.
# metrics:
#   host: 127.0.0.1
#   port: 9464

# Adapters: add a section per platform. See docs/discord.md and docs/slack.md.
# discord:
#   guilds:
#     "123456789012345678":
#       moderator_channel_id: "234567890123456789"
#       moderator_roles: ["Moderators"]
#       age_roles: {"Under 18": minor, "Adults": adult}
# slack:
#   mode: socket
#   moderator_channel: C0123456789
#   moderator_usergroup: S0123456789
"""
