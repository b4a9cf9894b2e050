"""Transparency report as HTML (charts embedded as base64 PNG) or Markdown.

Headings, labels and fixed sentences come from the ``report:`` section of the catalog of
the report's language (:meth:`nudgeguard.delivery.nudges.Catalog.text`); signal ids, family names,
action kinds and community ids stay as codes, so reports of different communities compare.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

from nudgeguard.delivery.nudges import catalog
from nudgeguard.locales import DEFAULT_LOCALE, supported
from nudgeguard.report.charts import bar_chart, weekly_chart
from nudgeguard.report.data import CommunityReport
from nudgeguard.version import __version__

#: Called with (name, png) for each chart of a Markdown report; returns the link target.
ChartWriter = Callable[[str, bytes], str]
Words = Callable[..., str]


def words(locale: str = DEFAULT_LOCALE) -> Words:
    """Return the report's texts (``report:`` in the catalogs) in ``locale``."""
    return partial(catalog(locale).text, "report")


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def _pct(value: float | None, t: Words) -> str:
    return t("not_available") if value is None else f"{100 * value:.0f}%"


def _duration(seconds: float | None, t: Words) -> str:
    if seconds is None:
        return t("not_available")
    if seconds < 3600:
        return t("minutes", value=f"{seconds / 60:.0f}")
    return t("hours", value=f"{seconds / 3600:.1f}")


def summary_rows(r: CommunityReport, locale: str = DEFAULT_LOCALE) -> list[tuple[str, str]]:
    """Return the headline numbers of a community's report as (label, value) rows."""
    t = words(locale)
    return [
        (t("nudges"), str(r.nudges)),
        (t("sender_warnings"), str(r.sender_warnings)),
        (t("observed_only"), str(r.observed_only)),
        (t("cases_opened"), str(r.cases_opened)),
        (t("median_ack"), _duration(r.median_ack_seconds, t)),
        (t("dismissed_share"), _pct(r.dismissed_share, t)),
    ]


_HELD_BACK = (
    (re.compile(r"a case is open or opening"), "held_case_open"),
    (re.compile(r"the person is the subject of a case here"), "held_suspect"),
    (re.compile(r"paused"), "held_paused"),
    (re.compile(r"(?P<hours>[\d.]+)-hour cap"), "held_family_cap"),
    (re.compile(r"(?P<count>\d+)-a-day cap"), "held_daily_cap"),
)


def label(kind: str, key: str, t: Words) -> str:
    """Return a counted key's name in the report's language.

    Args:
        kind: ``outcome``, ``would_have`` ("would have: ACTION", "held back: ACTION") or
            ``held_back`` (the policy's reason).
        key: The key as :func:`~nudgeguard.report.data.collect` counts it.
        t: The report's texts.

    A key the catalogs do not name (a reason a newer policy engine records) is shown as
    it was recorded.
    """
    if kind == "outcome":
        try:
            return t("outcome_" + key.replace(" ", "_"))
        except KeyError:
            return key
    if kind == "would_have":
        head, _, action = key.partition(": ")
        name = {"would have": "would_have_action", "held back": "held_back_action"}.get(head)
        return t(name, action=action) if name and action else key
    for pattern, name in _HELD_BACK:
        match = pattern.fullmatch(key)
        if match:
            return t(name, **match.groupdict())
    return key


def _named(kind: str, counts: dict[str, int], t: Words) -> dict[str, int]:
    named: dict[str, int] = {}
    for key, n in counts.items():
        name = label(kind, key, t)
        named[name] = named.get(name, 0) + n
    return named


def charts(r: CommunityReport, locale: str = DEFAULT_LOCALE) -> dict[str, bytes]:
    """Return a community's charts as name -> PNG (empty without matplotlib)."""
    t = words(locale)
    empty = t("no_data")
    drawn = {
        "nudges-by-signal": bar_chart(
            t("by_signal"), r.nudges_by_signal, xlabel=t("col_nudges"), empty=empty
        ),
        "case-outcomes": bar_chart(
            t("outcomes_chart"),
            _named("outcome", r.outcomes, t),
            xlabel=t("col_cases"),
            empty=empty,
        ),
        "precision": bar_chart(
            t("precision_chart"),
            {p.signal: p.precision for p in r.precision if p.precision is not None},
            xlabel=t("col_precision"),
            limit=1.0,
            empty=empty,
        ),
    }
    drawn["weekly"] = weekly_chart(t("per_week"), _weeks(r, t), xlabel=t("week_of"))
    return {k: v for k, v in drawn.items() if v is not None}


_SERIES = {
    "nudges": "col_nudges",
    "cases": "col_cases",
    "would have": "col_would_have",
    "held back": "col_held_back",
}


def _weeks(r: CommunityReport, t: Words) -> dict[str, dict[str, int]]:
    """Return week -> series name -> count, for the series that have any count."""
    used = [k for k in _SERIES if any(c[k] for c in r.weekly.values())]
    return {w: {t(_SERIES[k]): r.weekly[w][k] for k in used} for w in sorted(r.weekly)}


def _weekly_rows(r: CommunityReport, t: Words) -> tuple[list[str], list[list[str]]]:
    weeks = _weeks(r, t)
    head = [t("week_of"), *next(iter(weeks.values()), {}).keys()]
    return head, [[w, *(str(n) for n in counts.values())] for w, counts in weeks.items()]


def _tables(r: CommunityReport, t: Words) -> list[tuple[str, list[str], dict[str, int]]]:
    """Return the count tables of a community: (title, two column heads, name -> count)."""
    return [
        (t("by_signal"), [t("col_signal"), t("col_nudges")], dict(r.nudges_by_signal)),
        (t("by_family"), [t("col_family"), t("col_nudges")], dict(r.nudges_by_family)),
        (
            t("by_outcome"),
            [t("col_outcome"), t("col_cases")],
            _named("outcome", r.outcomes, t),
        ),
        (
            t("would_have"),
            [t("col_action"), t("col_count")],
            _named("would_have", r.would_have, t),
        ),
        (
            t("held_back"),
            [t("col_reason"), t("col_nudges")],
            _named("held_back", r.held_back, t),
        ),
    ]


def _precision_head(t: Words) -> list[str]:
    return [t("col_signal"), t("col_confirmed"), t("col_dismissed"), t("col_precision")]


def report_locale(
    languages_of: Callable[[str], str],
    communities: Sequence[str],
    default: str | None,
    chosen: str | None = None,
) -> str:
    """Return the language to write a report in.

    Args:
        languages_of: Community id -> its moderators' language (the config's setting).
        communities: The communities the report covers.
        default: The config's ``languages: default`` (None: none).
        chosen: An explicit choice (``--locale``), which wins.

    The communities' own language when they all share one, else ``default``, else English.
    """
    if chosen is not None:
        return supported(chosen) or DEFAULT_LOCALE
    langs = {languages_of(c) for c in communities}
    if len(langs) == 1:
        return langs.pop()
    return default or DEFAULT_LOCALE


def render_html(
    reports: Sequence[CommunityReport],
    since: float,
    until: float,
    locale: str = DEFAULT_LOCALE,
) -> str:
    """Return the report as one self-contained HTML page in ``locale``."""
    e = html.escape
    t = words(locale)
    title = t("title", since=_day(since), until=_day(until))
    parts = [
        f"<!DOCTYPE html><html lang='{e(catalog(locale).locale)}'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<title>nudgeguard: {e(title)}</title><style>body{{font:14px/1.45 system-ui,"
        "sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse}td,th{border:"
        "1px solid #ccc;padding:4px 8px;text-align:left}img{max-width:100%}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{e(t('intro'))}</p>",
    ]
    if not reports:
        parts.append(f"<p>{e(t('no_activity'))}</p>")
    for r in reports:
        heading = t("community", community=r.community_id, platform=r.platform)
        parts.append(f"<h2>{e(heading)}</h2><table>")
        parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in summary_rows(r, locale)]
        parts.append("</table>")
        parts += [_html_table(title, head, counts) for title, head, counts in _tables(r, t)]
        if r.precision:
            parts.append(f"<h3>{e(t('precision'))}</h3><table><tr>")
            parts.append("".join(f"<th>{e(h)}</th>" for h in _precision_head(t)) + "</tr>")
            for p in r.precision:
                parts.append(
                    f"<tr><td>{e(p.signal)}</td><td>{p.confirmed}</td>"
                    f"<td>{p.false_positive}</td><td>{e(_pct(p.precision, t))}</td></tr>"
                )
            parts.append("</table>")
        head, rows = _weekly_rows(r, t)
        if rows and len(head) > 1:
            parts.append(f"<h3>{e(t('per_week'))}</h3><table><tr>")
            parts.append("".join(f"<th>{e(h)}</th>" for h in head) + "</tr>")
            parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows]
            parts.append("</table>")
        for name, png in charts(r, locale).items():
            data = base64.b64encode(png).decode()
            parts.append(f"<p><img alt='{e(name)}' src='data:image/png;base64,{data}'></p>")
    parts.append(f"<p><small>nudgeguard {e(__version__)}</small></p></body></html>")
    return "\n".join(parts)


def _html_table(title: str, head: list[str], counts: dict[str, int]) -> str:
    e = html.escape
    if not counts:
        return ""
    rows = "".join(
        f"<tr><td>{e(k)}</td><td>{n}</td></tr>"
        for k, n in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    heads = f"<tr><th>{e(head[0])}</th><th>{e(head[1])}</th></tr>"
    return f"<h3>{e(title)}</h3><table>{heads}{rows}</table>"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(
    reports: Sequence[CommunityReport],
    since: float,
    until: float,
    chart_writer: ChartWriter | None = None,
    locale: str = DEFAULT_LOCALE,
) -> str:
    """Return the report as Markdown in ``locale``; charts go through ``chart_writer``."""
    t = words(locale)
    lines = [f"# {t('title', since=_day(since), until=_day(until))}", "", t("intro"), ""]
    if not reports:
        lines.append(t("no_activity"))
    for r in reports:
        lines += [f"## {_md(t('community', community=r.community_id, platform=r.platform))}", ""]
        lines += ["| | |", "|---|---|"]
        lines += [f"| {_md(k)} | {v} |" for k, v in summary_rows(r, locale)]
        for title, head, counts in _tables(r, t):
            if not counts:
                continue
            lines += ["", f"### {title}", "", f"| {_md(head[0])} | {_md(head[1])} |", "|---|---|"]
            lines += [
                f"| {_md(k)} | {n} |" for k, n in sorted(counts.items(), key=lambda kv: -kv[1])
            ]
        if r.precision:
            lines += ["", f"### {t('precision')}", ""]
            lines += ["| " + " | ".join(_precision_head(t)) + " |", "|---|---|---|---|"]
            lines += [
                f"| {_md(p.signal)} | {p.confirmed} | {p.false_positive} | {_pct(p.precision, t)} |"
                for p in r.precision
            ]
        head, rows = _weekly_rows(r, t)
        if rows and len(head) > 1:
            lines += ["", f"### {t('per_week')}", "", "| " + " | ".join(head) + " |"]
            lines += ["|" + "---|" * len(head)]
            lines += ["| " + " | ".join(row) + " |" for row in rows]
        if chart_writer is not None:
            lines.append("")
            for name, png in charts(r, locale).items():
                lines.append(f"![{name}]({chart_writer(f'{r.community_id}-{name}', png)})")
        lines.append("")
    return "\n".join(lines) + "\n"
