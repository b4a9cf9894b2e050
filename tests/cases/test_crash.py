"""At-least-once delivery across a real crash: SIGKILL between storing and sending.

And no lost alert at any point: a case (or its raised severity) and the alert announcing
it commit in one transaction, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import open_plain

ROOT = Path(__file__).resolve().parents[2]


def run_worker(store: Path | str, log: Path, mode: str, until: str | None) -> tuple[int, list[str]]:
    """Run the worker; when ``until`` appears on its output, SIGKILL it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.cases.crash_worker", str(store), str(log), mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.strip())
        if until is not None and line.startswith(until):
            proc.send_signal(signal.SIGKILL)
            break
    code = proc.wait(timeout=60)
    if code not in (0, -signal.SIGKILL):
        pytest.fail(f"worker {mode} failed: {proc.stderr.read() if proc.stderr else ''}")
    return code, lines


def deliveries(log: Path) -> collections.Counter[str]:
    if not log.exists():
        return collections.Counter()
    return collections.Counter(line for line in log.read_text().splitlines() if line)


async def pending(store_path: Path | str) -> dict[str, str]:
    store = open_plain(str(store_path))
    try:
        return {r.id: r.status for r in await store.outbox_items()}
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("mode", "until"),
    [("block-alert", "SENDING"), ("block-nudge", "SENDING"), ("die-after-store", None)],
)
async def test_killed_between_storing_and_sending_nothing_is_lost(tmp_path, mode, until):
    store, log = tmp_path / "cases.sqlite3", tmp_path / "deliveries.log"

    code, out = run_worker(store, log, mode, until)

    assert code == -signal.SIGKILL, out
    assert "FINISHED" not in out
    before = await pending(store)
    assert "pending" in before.values(), "the item was not stored before sending"
    sent_before = deliveries(log)

    code, out = run_worker(store, log, "drain", None)
    assert code == 0 and "DRAINED" in out

    after = await pending(store)
    assert set(after.values()) == {"sent"}, after
    delivered = deliveries(log)
    assert delivered, "nothing was delivered after the restart"
    assert all(n == 1 for n in delivered.values()), f"double send: {delivered}"
    assert len(delivered) == len(after) > len(sent_before)
    kinds = {line.split()[0] for line in delivered}
    assert "alert" in kinds, "the moderator alert was lost"
    s = open_plain(str(store))
    try:
        [case] = await s.list_cases()
        events = [e.kind for e in await s.events(case.id)]
        assert events[0] == "opened" and "alerted" in events
        assert await s.verify_chain() is None
    finally:
        await s.close()


@pytest.mark.parametrize("mode", ["die-after-store", "die-after-raise"])
async def test_killed_right_after_a_case_write_commits_its_alert_still_goes_out(
    tmp_path, store_spec, mode
):
    log = tmp_path / "deliveries.log"

    code, out = run_worker(store_spec, log, mode, "COMMITTED")

    assert code == -signal.SIGKILL, out
    [committed] = [line for line in out if line.startswith("COMMITTED")]
    case_id, severity = committed.split()[2], committed.split()[-1]
    queued = await pending(store_spec)
    assert queued.get(f"alert:{case_id}:{severity}:none:fake") == "pending", queued

    code, out = run_worker(store_spec, log, "drain", None)
    assert code == 0 and "DRAINED" in out
    delivered = deliveries(log)
    assert delivered[f"alert {case_id}:{severity}"] == 1, delivered
    assert all(n == 1 for n in delivered.values()), f"double send: {delivered}"
    s = open_plain(store_spec)
    try:
        case = await s.get(case_id)
        assert case is not None and case.severity.value == severity
        assert "alerted" in [e.kind for e in await s.events(case_id)]
        assert await s.verify_chain() is None and await s.verify_cases() == []
    finally:
        await s.close()
