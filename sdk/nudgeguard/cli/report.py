"""``nudgeguard report``: a transparency report per community, with charts."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from nudgeguard.app import open_existing_store, store_name
from nudgeguard.cli.common import run_async, store_option
from nudgeguard.config import ConfigError, load_config
from nudgeguard.locales import LanguageSettings, LocaleError, locale_setting
from nudgeguard.report import CommunityReport, collect, render_html, render_markdown
from nudgeguard.report.charts import charts_available
from nudgeguard.report.render import report_locale


def parse_date(value: str) -> float:
    """Return unix seconds for ``YYYY-MM-DD`` or an ISO 8601 time (UTC unless given).

    Raises:
        click.BadParameter: Not a date.
    """
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


@click.command()
@store_option
@click.option("--since", default=None, help="Start date (YYYY-MM-DD, UTC; default: 30 days ago).")
@click.option("--until", default=None, help="End date, exclusive (default: now).")
@click.option("--community", default=None, help="Only this community id.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default=None,
    help="Default: from --out's suffix; Markdown on standard output.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the communities' languages (languages:) from this config.",
)
@click.option(
    "--locale",
    default=None,
    help="Write the report in this language (en, de, nl, es, fr, pt); default: the"
    " communities' language setting.",
)
def report(
    store: str | None,
    since: str | None,
    until: str | None,
    community: str | None,
    fmt: str | None,
    out: Path | None,
    config_path: Path | None,
    locale: str | None,
) -> None:
    """Write a transparency report: nudges, cases, outcomes and precision per signal.

    It is worded in the language moderators of the reported communities read (the
    config's languages: setting) when they share one, else in the config's default
    language, else in English; --locale chooses another.
    """
    languages = LanguageSettings()
    if config_path is not None:
        try:
            languages = load_config(config_path).languages
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    if locale is not None:
        try:
            locale = locale_setting(locale)
        except LocaleError as exc:
            raise click.BadParameter(str(exc), param_hint="--locale") from None
    end = parse_date(until) if until else time.time()
    start = parse_date(since) if since else end - 30 * 86400.0
    if end <= start:
        raise click.BadParameter("--until must be after --since")
    if fmt is None:
        fmt = "html" if out is not None and out.suffix.lower() in (".html", ".htm") else "md"

    async def go() -> list[CommunityReport]:
        s, _ = open_existing_store(store)
        try:
            return await collect(s, start, end)
        finally:
            await s.close()

    reports = run_async(go)
    if not charts_available():
        click.echo(
            "charts left out: they need the report extra (pip install 'nudgeguard[report]'"
            " from where you installed nudgeguard)",
            err=True,
        )
    if community is not None:
        reports = [r for r in reports if r.community_id == community]
    covered = [community] if community is not None else [r.community_id for r in reports]
    lang = report_locale(languages.for_moderators, covered, languages.default, locale)
    if fmt == "html":
        text = render_html(reports, start, end, lang)
    else:
        writer = None
        if out is not None:
            target = out

            def writer(name: str, png: bytes) -> str:
                safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
                path = target.with_name(f"{target.stem}-{safe}.png")
                path.write_bytes(png)
                return path.name

        text = render_markdown(reports, start, end, writer, lang)
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out} ({len(reports)} communities) from the store {store_name(store)}")


COMMANDS = [report]
