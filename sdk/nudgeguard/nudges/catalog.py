"""The nudge message catalog and helplines, loaded from data files per locale."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from nudgeguard.adapter import NudgeAction, NudgeButton

CopyFor = Literal["teen", "under13"]


class Helpline(BaseModel):
    """A support or reporting service in one country."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    audience: Literal["child", "report"]
    phone: str | None = None
    url: str | None = None
    ages: str | None = None
    hours: str | None = None
    verify: bool = False
    last_verified: dt.date


class Catalog:
    """Nudge wording for one locale.

    Args:
        data: The parsed catalog file.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.locale: str = data["locale"]
        self.labels: dict[str, str] = data["buttons"]
        self.followups: dict[str, str] = {k: v.strip() for k, v in data["followups"].items()}
        self._copy: dict[str, dict[str, list[str]]] = {
            "teen": data["teen"],
            "under13": data["under13"],
        }
        self.sender: dict[str, str] = data["sender"]
        self._buttons: dict[str, list[str]] = data["family_buttons"]

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

    def buttons(self, family: str, country: str) -> tuple[NudgeButton, ...]:
        """Return the buttons for a family, with a helpline link for the country."""
        names = self._buttons.get(family, self._buttons["default"])
        out = [NudgeButton(action=NudgeAction(n), label=self.labels[n]) for n in names]
        line = next((h for h in helplines(country) if h.audience == "child" and h.url), None)
        if line is not None:
            out.append(
                NudgeButton(
                    action=NudgeAction.HELPLINE, label=self.labels["helpline"], url=line.url
                )
            )
        return tuple(out)


@cache
def catalog(locale: str = "en") -> Catalog:
    """Return the catalog for ``locale``, falling back to English."""
    base = resources.files("nudgeguard.nudges")
    path = base.joinpath(f"{locale}.yaml")
    if not path.is_file():
        path = base.joinpath("en.yaml")
    return Catalog(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def _all_helplines() -> dict[str, tuple[Helpline, ...]]:
    raw = yaml.safe_load(
        resources.files("nudgeguard.nudges").joinpath("helplines.yaml").read_text("utf-8")
    )
    return {c: tuple(Helpline.model_validate(e) for e in entries) for c, entries in raw.items()}


def helplines(country: str) -> tuple[Helpline, ...]:
    """Return the helplines for a country code, or the international ones."""
    table = _all_helplines()
    return table.get(country.upper(), table["INTL"])
