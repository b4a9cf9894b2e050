"""Dry runs you can review: decisions recorded with what, to whom and why, never text."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
import subprocess
import sys

from click.testing import CliRunner, Result

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.inbox.events import AgeBand
from nudgeguard.policy import load_policy
from nudgeguard.policy.decisions import RecordedDecision, list_decisions
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.testing import GROOMING_LINES, FakeAdapter, Scenario, person

from ..cases.helpers import CHILD, GROOMER, KEY, TRAJECTORY, groom, make_engine


async def cli(*args: str) -> Result:
    """Run the command line in a thread (it runs its own event loop)."""
    return await asyncio.to_thread(CliRunner().invoke, main, list(args))


def observe_pack():
    return load_policy("default").model_copy(update={"mode": "observe"})


async def test_observe_mode_records_what_would_have_been_sent_to_whom(tmp_path):
    store = SqliteCaseStore(tmp_path / "c.sqlite3")
    adapter = FakeAdapter()
    engine = make_engine(store, adapter, observe_pack())
    await engine.start(background=False)
    await groom(Scenario(engine, community_id="g1"))
    assert adapter.nudges == [] and adapter.alerts == [], "observe mode sent something"
    found = await list_decisions(store, community_id="g1")
    assert found and all(isinstance(d, RecordedDecision) for d in found)
    with_pytest_frozen = found[0]
    try:
        with_pytest_frozen.mode = "live"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("recorded decisions must be frozen")
    planned = [p for d in found for p in d.planned]
    pseudo = Pseudonymizer(KEY)
    child = pseudo.pseudonym("fake", CHILD.id)
    nudges = [p for p in planned if p.action == "nudge_child"]
    assert nudges and {p.recipient for p in nudges} == {child}
    assert all(p.audience == "child" and p.text_key.endswith("/teen") for p in nudges)
    assert all(p.rule for p in planned)
    assert any(p.audience == "moderators" and p.severity for p in planned)
    assert all(
        d.mode == "observe" and d.subject == pseudo.pseudonym("fake", GROOMER.id) for d in found
    )
    assert any(d.signals for d in found)
    await store.close()
    raw = sqlite3.connect(tmp_path / "c.sqlite3").execute("SELECT * FROM observations")
    dump = json.dumps([list(r) for r in raw])
    for secret in (CHILD.id, GROOMER.id, *TRAJECTORY):
        assert secret not in dump, "an id or message text was recorded"


async def test_time_range_and_community_filter(tmp_path):
    store = SqliteCaseStore(tmp_path / "c.sqlite3")
    engine = make_engine(store, FakeAdapter(), observe_pack())
    await groom(Scenario(engine, community_id="g1"))
    await groom(Scenario(engine, community_id="g2", start=1_800_000_000.0))
    assert {d.community_id for d in await list_decisions(store)} == {"g1", "g2"}
    only = await list_decisions(store, since=1_700_000_000.0, until=1_750_000_000.0)
    assert only and {d.community_id for d in only} == {"g1"}
    assert {d.community_id for d in await list_decisions(store, community_id="g2")} == {"g2"}
    await store.close()


async def test_a_nudge_held_back_by_the_daily_cap_is_recorded_in_live_mode(tmp_path):
    pack = load_policy("default")
    pack = pack.model_copy(update={"caps": dataclasses.replace(pack.caps, child_per_day=1)})
    store = SqliteCaseStore(tmp_path / "c.sqlite3")
    adapter = FakeAdapter()
    engine = make_engine(store, adapter, pack)
    await engine.start(background=False)
    kid = person("kid-5", AgeBand.MINOR)
    for conversation, adult in (("a", "x-1"), ("b", "x-2")):
        chat = Scenario(engine, conversation_id=conversation)
        await chat.say(kid, "hi")
        for line in ("how old are you", "keep this our secret"):
            await chat.say(person(adult), line, to=kid)
    assert len(adapter.nudges_to(kid.id)) == 1
    held = [p for d in await list_decisions(store) for p in d.held_back]
    assert held and held[0].action == "nudge_child"
    assert held[0].held_back.startswith("1-a-day cap")
    await store.close()
    listed = await cli("decisions", "list", "--days", "0", "--store", str(tmp_path / "c.sqlite3"))
    assert "held back: nudge to the child" in listed.output and "1-a-day cap" in listed.output


async def test_decisions_cli_lists_and_explains(tmp_path):
    path = tmp_path / "c.sqlite3"
    store = SqliteCaseStore(path)
    await groom(Scenario(make_engine(store, FakeAdapter(), observe_pack()), community_id="g1"))
    await store.close()
    listed = await cli("decisions", "list", "--days", "0", "--json", "--store", str(path))
    rows = json.loads(listed.stdout)
    assert rows and {"id", "time", "mode", "planned", "signals", "subject"} <= set(rows[0])
    assert "T" in rows[0]["time"] and rows[0]["time"][-6] in "+-"
    text = await cli("decisions", "list", "--days", "0", "--store", str(path))
    assert "would have sent: nudge to the child p_" in text.output
    assert f"store: {path}" in text.output
    shown = await cli("decisions", "show", str(rows[-1]["id"]), "--store", str(path))
    assert shown.exit_code == 0 and "dry run: nothing was sent" in shown.output
    assert "stages:" in shown.output and "rule " in shown.output
    missing = await cli("decisions", "show", "999999", "--store", str(path))
    assert missing.exit_code == 1 and "no decision #999999" in missing.output


def test_chat_in_observe_mode_prints_what_would_have_happened(tmp_path):
    store = tmp_path / "c.sqlite3"
    script = (
        "/age mia minor\n@mia: hi all\n"
        + "".join(f"@sam: {line}\n" for line in GROOMING_LINES)
        + "/quit\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "nudgeguard", "chat", "--policy", "observe", "--store", str(store)],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"case store: {store}")
    assert "NUDGE to mia" not in result.stdout, "observe mode sent a nudge"
    assert "[would have sent: nudge to the child p_" in result.stdout
    assert "[would have sent: moderator alert, case severity" in result.stdout


def test_cases_on_a_missing_store_is_an_error_and_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere" / "cases.sqlite3"
    for args in (["cases", "list"], ["decisions", "list"], ["report"]):
        result = CliRunner().invoke(main, [*args, "--store", str(missing)])
        assert result.exit_code == 1, args
        assert f"no case store at {missing}" in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not missing.parent.exists()


def test_demo_and_cases_agree_on_the_store(tmp_path):
    store = tmp_path / "demo.sqlite3"
    demo = subprocess.run(
        [sys.executable, "-m", "nudgeguard", "demo", "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith(f"case store: {store}")
    listed = CliRunner().invoke(main, ["cases", "list", "--store", str(store)])
    assert f"store: {store}" in listed.output and "subject p_" in listed.output
    assert "-> target p_" in listed.output
