"""`nudgeguard cases outbox` and the outbox line of `cases list`."""

from __future__ import annotations

import asyncio
import json

from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import OutboxItem
from nudgeguard.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_outbox_shows_status_without_content(tmp_path):
    path = tmp_path / "s.sqlite3"

    async def seed():
        s = SqliteCaseStore(path)
        await s.enqueue(
            OutboxItem(
                "alert:NG-1:high:none:hook", "NG-1", "hook", "alert", '{"user_id": "U-SECRET"}'
            )
        )
        await s.mark_retry(
            "alert:NG-1:high:none:hook", 3, 1_900_000_000.0, "TransientDeliveryError"
        )
        await s.enqueue(OutboxItem("nudge:x", None, "fake", "nudge", "{}"))
        await s.mark_failed("nudge:x", "dead", "TimeoutError", 1_700_000_000.0)
        await s.close()

    asyncio.run(seed())
    result = run("cases", "outbox", "--store", str(path))
    assert result.exit_code == 0, result.output
    assert "1 dead, 1 pending" in result.output
    assert "attempts 3" in result.output and "TransientDeliveryError" in result.output
    assert "U-SECRET" not in result.output
    items = json.loads(run("cases", "outbox", "--store", str(path), "--json").output)
    assert {i["status"] for i in items} == {"pending", "dead"}
    assert all("payload" not in i for i in items)
    only_dead = run("cases", "outbox", "--store", str(path), "--status", "dead")
    assert "nudge:x" in only_dead.output and "alert:NG-1" not in only_dead.output
    listing = run("cases", "list", "--store", str(path))
    assert "outbox: 1 dead, 1 pending" in listing.output
    assert json.loads(run("cases", "list", "--store", str(path), "--json").output) == []
