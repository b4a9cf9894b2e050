"""The transparency report's dry-run section, default period and empty tables."""

from __future__ import annotations

import asyncio
import time

from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import groom, make_engine


async def _observe_store(path) -> None:
    store = SqliteCaseStore(path)
    pack = load_policy("default").model_copy(update={"mode": "observe"})
    engine = make_engine(store, FakeAdapter(), pack)
    await groom(Scenario(engine, community_id="g1", start=time.time() - 3 * 86400))
    await store.close()


def test_report_defaults_to_30_days_and_shows_what_would_have_happened(tmp_path):
    path = tmp_path / "c.sqlite3"
    asyncio.run(_observe_store(path))
    result = CliRunner().invoke(main, ["report", "--store", str(path)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "## Community g1" in out
    assert "### Would have happened (observe mode)" in out
    assert "| would have: nudge_child |" in out and "| would have: escalate |" in out
    # Nothing was sent and no moderator decided: those tables are left out, not empty.
    assert "### Nudges by signal" not in out and "### Precision per signal" not in out
    for block in out.split("### ")[1:]:
        rows = [line for line in block.splitlines() if line.startswith("|")]
        assert len(rows) >= 3, f"an empty table: {block.splitlines()[0]}"
    old = CliRunner().invoke(
        main, ["report", "--since", "2020-01-01", "--until", "2020-02-01", "--store", str(path)]
    )
    assert "No activity in this period." in old.stdout


def test_weekly_series_and_whole_number_axes(tmp_path):
    path = tmp_path / "c.sqlite3"
    asyncio.run(_observe_store(path))
    out = CliRunner().invoke(main, ["report", "--store", str(path)]).stdout
    assert "### Per week" in out and "| week of | would have |" in out
    data = asyncio.run(_collect(path))
    assert sum(c["would have"] for c in data.weekly.values()) > 0


async def _collect(path):
    from nudgeguard.report import collect

    store = SqliteCaseStore(path)
    try:
        [r] = await collect(store, 0.0)
        return r
    finally:
        await store.close()


def test_count_axes_have_whole_number_ticks():
    from matplotlib.ticker import MaxNLocator

    from nudgeguard.report import charts

    seen = []
    real = MaxNLocator.__init__

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("integer"))
        real(self, *args, **kwargs)

    MaxNLocator.__init__ = spy
    try:
        assert charts.bar_chart("n", {"a": 1, "b": 3}) is not None
        assert charts.weekly_chart("w", {"2026-11-30": {"nudges": 1}}) is not None
    finally:
        MaxNLocator.__init__ = real
    assert seen.count(True) == 2


def test_missing_chart_extra_is_said_clearly(tmp_path, monkeypatch):
    from nudgeguard.cli import report as report_cli

    path = tmp_path / "c.sqlite3"
    asyncio.run(_observe_store(path))
    monkeypatch.setattr(report_cli, "charts_available", lambda: False)
    result = CliRunner().invoke(main, ["report", "--store", str(path)])
    assert "charts left out: they need the report extra" in result.stderr
