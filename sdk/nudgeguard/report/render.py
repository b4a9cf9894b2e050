"""Transparency report as HTML (charts embedded as base64 PNG) or Markdown."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from nudgeguard import __version__
from nudgeguard.report.charts import bar_chart
from nudgeguard.report.data import CommunityReport

#: Called with (name, png) for each chart of a Markdown report; returns the link target.
ChartWriter = Callable[[str, bytes], str]


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def summary_rows(r: CommunityReport) -> list[tuple[str, str]]:
    """Return the headline numbers of a community's report as (label, value) rows."""
    return [
        ("Safety nudges sent to children", str(r.nudges)),
        ("Warnings sent to senders", str(r.sender_warnings)),
        ("Decisions recorded in observe mode (nothing sent)", str(r.observed_only)),
        ("Moderator cases opened", str(r.cases_opened)),
        ("Median time to first moderator action", _duration(r.median_ack_seconds)),
        ("Decided cases dismissed as false positives", _pct(r.dismissed_share)),
    ]


def charts(r: CommunityReport) -> dict[str, bytes]:
    """Return a community's charts as name -> PNG (empty without matplotlib)."""
    drawn = {
        "nudges-by-signal": bar_chart("Nudges by signal", r.nudges_by_signal, xlabel="nudges"),
        "case-outcomes": bar_chart("Case outcomes", r.outcomes, xlabel="cases"),
        "precision": bar_chart(
            "Share confirmed by moderators, per signal",
            {p.signal: p.precision for p in r.precision if p.precision is not None},
            xlabel="precision",
            limit=1.0,
        ),
    }
    return {k: v for k, v in drawn.items() if v is not None}


_INTRO = (
    "What nudgeguard did in this community. Counts only: no message text, no user ids. "
    "Per-signal precision is the share of moderator decisions (confirm or dismiss) that "
    "confirmed a case carrying that signal; it is only as good as the number of decisions."
)


def render_html(reports: Sequence[CommunityReport], since: float, until: float) -> str:
    """Return the report as one self-contained HTML page."""
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">",
        "<title>nudgeguard transparency report</title><style>body{font:14px/1.45 system-ui,"
        "sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse}td,th{border:"
        "1px solid #ccc;padding:4px 8px;text-align:left}img{max-width:100%}</style></head><body>",
        f"<h1>Transparency report {_day(since)} to {_day(until)}</h1>",
        f"<p>{e(_INTRO)}</p>",
    ]
    if not reports:
        parts.append("<p>No activity in this period.</p>")
    for r in reports:
        parts.append(f"<h2>Community {e(r.community_id)} ({e(r.platform)})</h2><table>")
        parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in summary_rows(r)]
        parts.append("</table>")
        parts.append(_html_table("Nudges by signal", ["signal", "nudges"], r.nudges_by_signal))
        parts.append(_html_table("Nudges by family", ["family", "nudges"], r.nudges_by_family))
        parts.append(_html_table("Cases by outcome", ["outcome", "cases"], r.outcomes))
        parts.append("<h3>Precision per signal (moderator decisions)</h3><table>")
        parts.append(
            "<tr><th>signal</th><th>confirmed</th><th>dismissed</th><th>precision</th></tr>"
        )
        for p in r.precision:
            parts.append(
                f"<tr><td>{e(p.signal)}</td><td>{p.confirmed}</td><td>{p.false_positive}</td>"
                f"<td>{_pct(p.precision)}</td></tr>"
            )
        parts.append("</table>")
        for name, png in charts(r).items():
            data = base64.b64encode(png).decode()
            parts.append(f"<p><img alt='{e(name)}' src='data:image/png;base64,{data}'></p>")
    parts.append(f"<p><small>nudgeguard {e(__version__)}</small></p></body></html>")
    return "\n".join(parts)


def _html_table(title: str, head: list[str], counts: dict[str, int]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(k)}</td><td>{n}</td></tr>"
        for k, n in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    return f"<h3>{e(title)}</h3><table><tr><th>{head[0]}</th><th>{head[1]}</th></tr>{rows}</table>"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(
    reports: Sequence[CommunityReport],
    since: float,
    until: float,
    chart_writer: ChartWriter | None = None,
) -> str:
    """Return the report as Markdown; charts are written through ``chart_writer`` if given."""
    lines = [f"# Transparency report {_day(since)} to {_day(until)}", "", _INTRO, ""]
    if not reports:
        lines.append("No activity in this period.")
    for r in reports:
        lines += [f"## Community {_md(r.community_id)} ({_md(r.platform)})", ""]
        lines += ["| | |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in summary_rows(r)]
        for title, counts in (
            ("Nudges by signal", r.nudges_by_signal),
            ("Nudges by family", r.nudges_by_family),
            ("Cases by outcome", r.outcomes),
        ):
            lines += ["", f"### {title}", "", "| | count |", "|---|---|"]
            lines += [
                f"| {_md(k)} | {n} |" for k, n in sorted(counts.items(), key=lambda kv: -kv[1])
            ]
        lines += ["", "### Precision per signal (moderator decisions)", ""]
        lines += ["| signal | confirmed | dismissed | precision |", "|---|---|---|---|"]
        lines += [
            f"| {_md(p.signal)} | {p.confirmed} | {p.false_positive} | {_pct(p.precision)} |"
            for p in r.precision
        ]
        if chart_writer is not None:
            lines.append("")
            for name, png in charts(r).items():
                lines.append(f"![{name}]({chart_writer(f'{r.community_id}-{name}', png)})")
        lines.append("")
    return "\n".join(lines) + "\n"
