"""Country codes, checked once here for the config, the adapters and the CLI.

Codes are ISO 3166-1 alpha-2 (``GB``, ``US``, ``DE``), from the ``iso3166`` package, plus
the common aliases people write (``UK`` for ``GB``) and ``INTL`` for the international
fallback. An unknown code is an error that names it; it never falls back silently.
"""

from __future__ import annotations

import iso3166

#: Codes people use that are not the ISO ones.
ALIASES = {"UK": "GB", "EL": "GR"}
#: The pseudo-country of the international helplines.
INTERNATIONAL = "INTL"


class CountryError(ValueError):
    """A country code that is neither ISO 3166-1 alpha-2 nor a known alias."""


def country_code(value: str) -> str:
    """Return the ISO 3166-1 alpha-2 code for ``value`` (case-insensitive, aliases resolved).

    Raises:
        CountryError: ``value`` is not a country code; the message names it.
    """
    code = value.strip().upper()
    code = ALIASES.get(code, code)
    if code == INTERNATIONAL or code in iso3166.countries_by_alpha2:
        return code
    shown = value[:16]
    raise CountryError(
        f"unknown country code {shown!r}: use an ISO 3166-1 alpha-2 code such as GB, US or DE"
    )
