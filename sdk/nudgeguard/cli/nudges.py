"""``nudgeguard nudges show``: the wording and helplines a child would get, for review."""

from __future__ import annotations

import json
from typing import Any, Literal

import click

from nudgeguard.countries import INTERNATIONAL, CountryError, country_code
from nudgeguard.delivery.nudges import catalog, helplines
from nudgeguard.locales import choose_locale, supported


@click.group()
def nudges() -> None:
    """Review nudge wording and helplines before going live."""


def _country(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    if value is None:
        return INTERNATIONAL
    try:
        return country_code(value)
    except CountryError as exc:
        raise click.BadParameter(str(exc)) from None


def catalog_view(locale: str, copy_for: Literal["teen", "under13"], country: str) -> dict[str, Any]:
    """Return what a child with ``locale`` would get, as plain data.

    Args:
        locale: The child's language tag (``de``, ``pt-BR``); one without a catalog gets
            what :func:`~nudgeguard.locales.choose_locale` gives (English).
        copy_for: ``teen`` or ``under13`` wording.
        country: Checked country code for the helplines and the helpline button.
    """
    cat = catalog(choose_locale(locale, None, None, None))
    families = {
        family: {
            "texts": texts,
            "buttons": [b.model_dump(mode="json") for b in cat.buttons(family, country)],
        }
        for family, texts in sorted(cat.copy(copy_for).items())
    }
    return {
        "locale": cat.locale,
        "requested": locale,
        "copy": copy_for,
        "country": country,
        "families": families,
        "followups": dict(cat.followups),
        "sender_warnings": dict(cat.sender),
        "checks": dict(cat.checks),
        "helplines": [h.model_dump(mode="json") for h in helplines(country)],
    }


def _readable(view: dict[str, Any]) -> str:
    lines = [
        f"Nudges in {view['locale']} ({view['copy']} wording), helplines for {view['country']}",
        "",
    ]
    labels = {}
    for family, entry in view["families"].items():
        lines.append(family)
        lines += [f"  {i}. {text}" for i, text in enumerate(entry["texts"], start=1)]
        shown = []
        for b in entry["buttons"]:
            labels[b["action"]] = b["label"]
            shown.append(f"{b['label']} <{b['url']}>" if b["url"] else b["label"])
        lines += ["  Buttons: " + " | ".join(shown), ""]
    lines.append("Follow-ups (when a button is pressed)")
    lines += [f"  {labels.get(k, k)}: {v}" for k, v in view["followups"].items()]
    lines += ["", "Sender warnings"]
    lines += [f"  {k}: {v}" for k, v in view["sender_warnings"].items()]
    lines += ["", "Check this message answers"]
    lines += [f"  {k}: {v}" for k, v in view["checks"].items()]
    lines += ["", f"Helplines for {view['country']}"]
    for h in view["helplines"]:
        how = ", ".join(str(h[k]) for k in ("phone", "url", "hours", "ages") if h[k])
        check = " (to re-check)" if h["verify"] else ""
        lines.append(
            f"  {h['name']} [{h['audience']}]: {how}; last verified {h['last_verified']}{check}"
        )
    return "\n".join(lines)


@nudges.command("show")
@click.option("--locale", "locale", default="en", show_default=True, help="Child's language.")
@click.option(
    "--copy",
    "copy_for",
    type=click.Choice(["teen", "under13"]),
    default="teen",
    show_default=True,
    help="Age band of the wording.",
)
@click.option(
    "--country", callback=_country, help="Helpline country (ISO code; default: international)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(locale: str, copy_for: Literal["teen", "under13"], country: str, as_json: bool) -> None:
    """Print the nudges, buttons, follow-ups and helplines a child with LOCALE gets."""
    if supported(locale) is None:
        click.echo(f"note: no catalog for {locale[:35]!r}; showing the English one", err=True)
    view = catalog_view(locale, copy_for, country)
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False, indent=2))
    else:
        click.echo(_readable(view))


COMMANDS = [nudges]
