"""Charts for reports: small matplotlib bar charts as PNG bytes (Agg backend, no display)."""

from __future__ import annotations

import io
from collections.abc import Mapping


def bar_chart(
    title: str,
    values: Mapping[str, float],
    *,
    xlabel: str = "",
    limit: float | None = None,
    empty: str = "no data",
) -> bytes | None:
    """Return a horizontal bar chart as PNG bytes, or None if matplotlib is missing.

    Without ``limit`` the values are counts and the axis shows whole numbers only.

    Args:
        title: Chart title.
        values: Label -> value, drawn largest first.
        xlabel: Axis label.
        limit: Fixed upper end of the axis (for shares, 1.0).
        empty: What the chart says without values (in the report's language).
    """
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib.figure import Figure
    except ImportError:
        return None
    items = sorted(values.items(), key=lambda kv: (kv[1], kv[0]))[-15:]
    fig = Figure(figsize=(6.4, 0.45 * max(len(items), 2) + 1.2), dpi=96)
    ax = fig.add_subplot()
    if items:
        labels, numbers = zip(*items, strict=True)
        ax.barh(list(labels), list(numbers), color="#3b6ea5")
    else:
        ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if limit is not None:
        ax.set_xlim(0, limit)
    else:  # counts: whole numbers on the axis
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def weekly_chart(
    title: str, weeks: Mapping[str, Mapping[str, int]], *, xlabel: str = "week of"
) -> bytes | None:
    """Return a line chart of counts per week (one line per series) as PNG, or None.

    None without matplotlib or with fewer than one week of data. The count axis shows whole
    numbers only.
    """
    if not weeks or not any(any(c.values()) for c in weeks.values()):
        return None
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return None
    labels = list(weeks)
    series = list(next(iter(weeks.values())))
    fig = Figure(figsize=(6.4, 3.2), dpi=96)
    ax = fig.add_subplot()
    for name in series:
        ax.plot(labels, [weeks[w][name] for w in labels], marker="o", label=name)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.legend()
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def charts_available() -> bool:
    """Return True when matplotlib (the ``report`` extra) is installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True
