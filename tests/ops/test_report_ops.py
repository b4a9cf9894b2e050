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
