"""The nudge message catalog and helplines, loaded from data files per locale.

Wording lives in ``<locale>.yaml`` (one per language in :data:`SUPPORTED_LOCALES`); which
buttons a family shows is structure, not wording, and comes from ``en.yaml`` for all.
Helplines live in ``helplines.yaml`` by ISO country code. Each catalog also words what
moderators see (``moderator:``) and, outside English, names grooming stages and signals
(``stages:``, ``signals:``; the English names are :mod:`nudgeguard.legend`'s), and words
the transparency report, the web console's notes and Discord's command list (``report:``,
``console:``, ``commands:``).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nudgeguard.countries import INTERNATIONAL, country_code
from nudgeguard.delivery.helpline_country import outranks_region, region_of
from nudgeguard.delivery.outbound import Nudge, NudgeAction, NudgeButton
from nudgeguard.locales import DEFAULT_LOCALE, choose_locale, supported

CopyFor = Literal["teen", "under13"]

#: Catalog sections of fixed texts read through :meth:`Catalog.text`: the transparency
#: report, the moderators' web console, and Discord's command list.
SECTIONS = ("report", "console", "commands")


class Helpline(BaseModel):
    """A support or reporting service in one country."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    audience: Literal["child", "report"]
    phone: str | None = Field(default=None, min_length=1, max_length=80)
    url: str | None = Field(default=None, max_length=200)
    ages: str | None = None
    hours: str | None = None
    languages: tuple[str, ...] = ()
    verify: bool = False
    last_verified: dt.date

    @field_validator("url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("helpline links must be https:// URLs")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> Helpline:
        if self.phone is None and self.url is None:
            raise ValueError(f"helpline {self.name!r} has neither a phone number nor a link")
        return self


class Catalog:
    """Nudge wording for one locale.

    Args:
        data: The parsed catalog file.
    """

    def __init__(self, data: dict[str, Any], family_buttons: dict[str, list[str]]) -> None:
        self.locale: str = data["locale"]
        self.labels: dict[str, str] = data["buttons"]
        self.followups: dict[str, str] = {k: v.strip() for k, v in data["followups"].items()}
        self._copy: dict[str, dict[str, list[str]]] = {
            "teen": data["teen"],
            "under13": data["under13"],
        }
        self.sender: dict[str, str] = data["sender"]
        #: Answers to "Check this message": ``nothing_found``, ``found``, ``case_opened``.
        self.checks: dict[str, str] = data["checks"]
        #: Follow-ups whose generic wording is wrong on one platform, by platform.
        self.platform_followups: dict[str, dict[str, str]] = {
            platform: {k: v.strip() for k, v in texts.items()}
            for platform, texts in data["platform_followups"].items()
        }
        #: Answers to a button press besides follow-ups: ``report_not_sent``,
        #: ``unknown_button``, and ``not_answered`` (for an adapter whose engine call failed).
        self.responses: dict[str, str] = data["responses"]
        self._buttons = family_buttons
        self._moderator: dict[str, str] = data.get("moderator") or {}
        self._sections: dict[str, dict[str, str]] = {
            name: data.get(name) or {} for name in SECTIONS
        }
        #: Plain names of stage codes and signal ids in this language (none in English).
        self.stage_names: dict[str, str] = data.get("stages") or {}
        self.signal_names: dict[str, str] = data.get("signals") or {}

    def moderator_text(self, key: str, **values: object) -> str:
        """Return a moderator-facing label or line, with ``{placeholders}`` filled in.

        A key this catalog lacks is taken from English, so a partial translation still
        reads; ``values`` are inserted as they are (escape them for the platform first).

        Raises:
            KeyError: No catalog has ``key``.
        """
        template = self._moderator.get(key)
        if template is None:
            template = catalog(DEFAULT_LOCALE)._moderator[key]
        return template.format_map(values)

    def text(self, section: str, key: str, **values: object) -> str:
        """Return a fixed text of the report, the console or Discord's command list.

        ``section`` is one of :data:`SECTIONS`. As with :meth:`moderator_text`, a key this
        catalog lacks is taken from English and ``values`` fill its ``{placeholders}``.

        Raises:
            KeyError: No catalog has ``key`` in ``section``.
        """
        template = self._sections[section].get(key)
        if template is None:
            template = catalog(DEFAULT_LOCALE)._sections[section][key]
        return template.format_map(values)

    def followup(self, action: str, platform: str) -> str | None:
        """Return the follow-up of a nudge button on ``platform``, None for no such button."""
        own = self.platform_followups.get(platform, {}).get(action)
        return own if own is not None else self.followups.get(action)

    def child_text(self, family: str, copy_for: CopyFor, variant: int) -> str:
        """Return a child nudge for a family; ``variant`` rotates the wording."""
        by_family = self._copy[copy_for]
        options = by_family.get(family) or by_family["generic"]
        return options[variant % len(options)]

    def families(self) -> list[str]:
        """Return the families that have teen wording."""
        return sorted(self._copy["teen"])

    def sender_text(self, template: str | None) -> str:
        """Return a sender warning; unknown templates fall back to ``keep_public``."""
        return self.sender.get(template or "keep_public", self.sender["keep_public"])

    def copy(self, copy_for: CopyFor) -> dict[str, list[str]]:
        """Return every family's wording variants for ``copy_for``."""
        return dict(self._copy[copy_for])

    def family_buttons(self, family: str) -> list[str]:
        """Return the button actions a family shows (the same in every language)."""
        return list(self._buttons.get(family, self._buttons["default"]))

    def buttons(self, family: str, country: str) -> tuple[NudgeButton, ...]:
        """Return the buttons for a family, with a helpline link for the country.

        Raises:
            CountryError: ``country`` is not a country code.
        """
        names = self.family_buttons(family)
        out = [NudgeButton(action=NudgeAction(n), label=self.labels[n]) for n in names]
        line = child_helpline(country, self.locale)
        if line is not None:
            out.append(
                NudgeButton(
                    action=NudgeAction.HELPLINE, label=self.labels["helpline"], url=line.url
                )
            )
        return tuple(out)

    def relabel(self, buttons: tuple[NudgeButton, ...]) -> tuple[NudgeButton, ...]:
        """Return ``buttons`` with this catalog's labels (links and actions kept)."""
        return tuple(
            b.model_copy(update={"label": self.labels.get(b.action.value, b.label)})
            for b in buttons
        )


def _read(locale: str) -> dict[str, Any]:
    text = (
        resources.files("nudgeguard.delivery.nudges").joinpath(f"{locale}.yaml").read_text("utf-8")
    )
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@cache
def catalog(locale: str = DEFAULT_LOCALE) -> Catalog:
    """Return the catalog for ``locale`` (any tag form: ``de``, ``pt-BR``).

    A language without a catalog gets English; choose it with
    :func:`nudgeguard.locales.choose_locale` to try the other signals first.
    """
    lang = supported(locale) or DEFAULT_LOCALE
    buttons = _read(DEFAULT_LOCALE)["family_buttons"]
    return Catalog(_read(lang), buttons)


def in_locale(nudge: Nudge, platform_locale: str | None) -> Nudge:
    """Return ``nudge`` re-worded for the platform's own language signal, if it has a catalog.

    The core words a nudge before delivery from the config and the conversation; adapters
    that learn the recipient's client language only when delivering (Slack's
    ``users.info``, a Discord interaction) pass it here. The platform signal ranks first
    (:func:`~nudgeguard.locales.choose_locale`); an unsupported one keeps the wording as is.
    The locale's region (``pt-BR``) re-picks the helpline country when the core's choice
    came only from the config's default (see :mod:`nudgeguard.delivery.helpline_country`); a nudge
    without the core's choice (``country`` None) keeps its buttons.
    """
    nudge = _in_region(nudge, region_of(platform_locale))
    lang = choose_locale(platform_locale, None, None, nudge.locale)
    if lang == nudge.locale:
        return nudge
    cat = catalog(lang)
    if nudge.audience == "sender":
        text = cat.sender_text(nudge.template)
    else:
        text = cat.child_text(nudge.family, nudge.copy_for, nudge.variant)
    return nudge.model_copy(
        update={
            "text": text,
            "buttons": cat.relabel(nudge.buttons),
            "locale": lang,
            "followup": dict(cat.followups) if nudge.followup else {},
        }
    )


def _in_region(nudge: Nudge, region: str | None) -> Nudge:
    """Point the helpline button at ``region``'s line when only the default chose one.

    A nudge the core did not choose a country for (``country`` None, built by hand) keeps
    its buttons.
    """
    if (
        region is None
        or nudge.country is None
        or region == nudge.country
        or outranks_region(nudge.country_source)
    ):
        return nudge
    line = child_helpline(region, nudge.locale)
    if line is None or line.url is None:
        return nudge
    buttons = tuple(
        b.model_copy(update={"url": line.url}) if b.action is NudgeAction.HELPLINE else b
        for b in nudge.buttons
    )
    return nudge.model_copy(
        update={"buttons": buttons, "country": region, "country_source": "region"}
    )


@cache
def _all_helplines() -> dict[str, tuple[Helpline, ...]]:
    raw = yaml.safe_load(
        resources.files("nudgeguard.delivery.nudges").joinpath("helplines.yaml").read_text("utf-8")
    )
    table = {c: tuple(Helpline.model_validate(e) for e in entries) for c, entries in raw.items()}
    for code in table:
        if country_code(code) != code:
            raise ValueError(f"helplines.yaml: write {code!r} as {country_code(code)!r}")
    return table


def warm() -> None:
    """Read the default catalog and the helplines now rather than for the first nudge.

    Parsing them takes a few hundred milliseconds, which the first nudge of a process would
    otherwise wait for.
    """
    catalog(DEFAULT_LOCALE)
    _all_helplines()


def helplines(country: str) -> tuple[Helpline, ...]:
    """Return the helplines for a country code, or the international ones.

    ``country`` is checked first (aliases such as ``UK`` resolved); a valid code without
    entries of its own gets the international list.

    Raises:
        CountryError: ``country`` is not a country code.
    """
    table = _all_helplines()
    return table.get(country_code(country), table[INTERNATIONAL])


def child_helpline(country: str, locale: str | None = None) -> Helpline | None:
    """Return the child helpline with a link for ``country``, else the international one.

    In a country with a line per language (Belgium), the one in ``locale`` comes first.

    Raises:
        CountryError: ``country`` is not a country code.
    """
    for lines in (helplines(country), _all_helplines()[INTERNATIONAL]):
        linked = [h for h in lines if h.audience == "child" and h.url]
        if linked:
            return next((h for h in linked if locale in h.languages), linked[0])
    return None
