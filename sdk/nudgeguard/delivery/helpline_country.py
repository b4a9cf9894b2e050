"""Which country's helplines a child's nudge offers: decided once, here in the core.

Ranked, first match wins:

1. ``channel``: the config's ``channel_countries:`` for the conversation;
2. ``community``: the config's ``countries:`` for the community, then what an adapter's
   own settings name for it (Discord ``guilds.<id>.country``, then its
   ``default_country``; Slack ``helpline_country``), handed over as data through
   :meth:`~nudgeguard.adapter.Adapter.helpline_countries`;
3. ``region``: the region of the recipient's platform locale (``pt-BR`` is Brazil), which
   an adapter learns only when delivering and passes to
   :func:`nudgeguard.delivery.nudges.in_locale`;
4. ``default``: the config's ``country:`` (``GB`` unless set).

Adapters never pick a country themselves: they render the buttons the nudge carries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from nudgeguard.countries import CountryError, country_code

CountrySource = Literal["channel", "community", "region", "default"]
#: How strongly each source decides; a platform region replaces only what ranks below it.
RANK: dict[str, int] = {"default": 0, "region": 1, "community": 2, "channel": 3}
#: Key of an adapter's platform-wide country in :meth:`Adapter.helpline_countries`.
ANY_COMMUNITY = "*"


def region_of(locale: str | None) -> str | None:
    """Return the country of a platform locale tag (``pt-BR`` gives ``BR``), else None.

    Language-only tags (``de``) and regions that are not countries (``es-419``) say nothing.
    """
    if not locale:
        return None
    parts = locale.replace("_", "-").split("-")
    if len(parts) < 2 or len(parts[1]) != 2 or not parts[1].isalpha():
        return None
    try:
        return country_code(parts[1])
    except CountryError:
        return None


class HelplineCountries:
    """The helpline country of each conversation, from config and adapters' settings.

    Args:
        default: The config's ``country:``.
        communities: The config's ``countries:`` (community id to code).
        channels: The config's ``channel_countries:`` (conversation id to code).
        community_of: A plain ``community id -> code`` function instead of ``communities``
            (older callers of ``Engine(country=...)``); its answers rank as ``community``.
    """

    def __init__(
        self,
        default: str = "GB",
        communities: Mapping[str, str] | None = None,
        channels: Mapping[str, str] | None = None,
        community_of: Callable[[str], str] | None = None,
    ) -> None:
        self.default = country_code(default)
        self.communities = {k: country_code(v) for k, v in (communities or {}).items()}
        self.channels = {k: country_code(v) for k, v in (channels or {}).items()}
        self._community_of = community_of
        self._platforms: dict[str, dict[str, str]] = {}

    def add_platform(self, platform: str, countries: Mapping[str, str]) -> None:
        """Take an adapter's own settings as data (see :meth:`Adapter.helpline_countries`)."""
        self._platforms[platform] = {k: country_code(v) for k, v in countries.items()}

    def choose(
        self, platform: str, community_id: str, conversation_id: str | None = None
    ) -> tuple[str, CountrySource]:
        """Return the country of a conversation and the source that decided it."""
        if conversation_id and conversation_id in self.channels:
            return self.channels[conversation_id], "channel"
        if community_id in self.communities:
            return self.communities[community_id], "community"
        if self._community_of is not None:
            return country_code(self._community_of(community_id)), "community"
        own = self._platforms.get(platform, {})
        found = own.get(community_id) or own.get(ANY_COMMUNITY)
        if found is not None:
            return found, "community"
        return self.default, "default"

    def __call__(self, community_id: str) -> str:
        """Return a community's country (no channel or platform known)."""
        return self.choose("", community_id)[0]


def outranks_region(source: str) -> bool:
    """Return True when a country from ``source`` is kept whatever the platform region."""
    return RANK.get(source, 0) > RANK["region"]


__all__ = ["ANY_COMMUNITY", "CountrySource", "HelplineCountries", "outranks_region", "region_of"]
