"""Which language a person gets their nudge in, chosen here once for every adapter.

The order (see docs/languages.md):

1. the platform's own signal: the person's client language (a Discord interaction's
   locale, Slack's ``users.info`` locale) or, on Discord, the server's preferred locale;
2. a per-channel setting in the config, then a per-community one;
3. the language the conversation is written in (``MessageEvent.language``, set by a
   language-identifying detector or the adapter);
4. English.

A signal counts only when a catalog exists for its language: ``sv-SE`` from Discord moves
on to the next step instead of falling back to English.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator

#: Languages with a nudge catalog (``nudgeguard/delivery/nudges/<code>.yaml``).
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "de", "nl", "es", "fr", "pt")
DEFAULT_LOCALE = "en"

_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


class LocaleError(ValueError):
    """A language setting names a language that has no catalog, or is not a language tag."""


def language_of(tag: str | None) -> str | None:
    """Return the primary language of a BCP 47 or POSIX tag (``pt-BR`` -> ``pt``), or None.

    Anything that is not a tag (empty, too long, other characters) gives None.
    """
    if not tag or len(tag) > 35:
        return None
    match = _TAG.fullmatch(tag.strip())
    return match.group(1).lower() if match else None


def supported(tag: str | None) -> str | None:
    """Return the catalog language for ``tag`` when one exists, else None."""
    lang = language_of(tag)
    return lang if lang in SUPPORTED_LOCALES else None


def locale_setting(value: str) -> str:
    """Check a language named in the config or a policy pack.

    Raises:
        LocaleError: No catalog for it; the message names it and lists the catalogs.
    """
    lang = supported(value)
    if lang is None:
        raise LocaleError(
            f"no nudge catalog for language {value[:35]!r};"
            f" available: {', '.join(SUPPORTED_LOCALES)}"
        )
    return lang


def choose_locale(
    platform_locale: str | None,
    community_setting: str | None,
    channel_setting: str | None,
    written_language: str | None,
) -> str:
    """Return the catalog language a person gets, from the best signal available.

    Args:
        platform_locale: The platform's own signal (client or server locale), any tag form.
        community_setting: The community's configured language.
        channel_setting: The channel's configured language (more specific than community).
        written_language: The language the conversation is written in.
    """
    for signal in (platform_locale, channel_setting, community_setting, written_language):
        lang = supported(signal)
        if lang is not None:
            return lang
    return DEFAULT_LOCALE


class LanguageSettings(BaseModel):
    """The config's ``languages:`` section: languages set by community and by channel.

    Attributes:
        default: Language of every community without its own setting (None: no setting,
            so the language the conversation is written in decides).
        communities: Language per community (guild or workspace) id.
        channels: Language per channel id.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: str | None = None
    communities: dict[str, str] = {}
    channels: dict[str, str] = {}

    @field_validator("default")
    @classmethod
    def _check_default(cls, value: str | None) -> str | None:
        return None if value is None else locale_setting(value)

    @field_validator("communities", "channels")
    @classmethod
    def _check_map(cls, value: dict[str, str]) -> dict[str, str]:
        return {k: locale_setting(v) for k, v in value.items()}

    def community(self, community_id: str) -> str | None:
        """Return the community's setting (its own, else ``default``), or None."""
        return self.communities.get(community_id, self.default)

    def channel(self, channel_id: str | None) -> str | None:
        """Return the channel's own setting, or None."""
        return self.channels.get(channel_id) if channel_id else None

    def for_moderators(self, community_id: str) -> str:
        """Return the language of moderator alerts and reports: the community's setting."""
        return self.community(community_id) or DEFAULT_LOCALE
