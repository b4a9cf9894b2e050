"""The moderator command line reads well: times, labels, legend, current reasons, ack."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.pipeline.signals import TAXONOMY
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import groom, make_engine

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


async def _store(path) -> None:
    store = SqliteCaseStore(path)
    await groom(Scenario(make_engine(store, FakeAdapter())))
    await store.close()


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "c.sqlite3"
    asyncio.run(_store(path))
    return path


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_a_raised_case_explains_its_current_severity(store_path):
    [case] = json.loads(cli("cases", "list", "--json", "--store", str(store_path)).stdout)
    assert case["severity"] == "critical"
    shown = cli("cases", "show", case["id"], "--store", str(store_path)).output
    reasons = [line for line in shown.splitlines() if line.strip().startswith("reason:")]
    assert reasons and any("level urgent" in r for r in reasons), shown
    assert not any("level review" in r for r in reasons), "the opening reason is stale"


def test_case_show_has_local_times_labels_legend_and_no_python_reprs(store_path):
    [case] = json.loads(cli("cases", "list", "--json", "--store", str(store_path)).stdout)
    shown = cli("cases", "show", case["id"], "--store", str(store_path)).output
    assert ISO.search(shown), "times are local ISO times"
    assert "(the person whose messages raised the case)" in shown
    assert "(the person they were aimed at)" in shown
    assert "legend:" in shown and "EX   exclusivity" in shown
    assert "secrecy_request: asks to keep the chat secret" in shown
    for repr_ in ("['", "None", "{'", '{"'):
        assert repr_ not in shown, f"a Python repr: {repr_}"
    listed = cli("cases", "list", "--store", str(store_path)).output
    assert ISO.search(listed) and "-> target p_" in listed


def test_cases_ack_acknowledges_and_is_audited(store_path):
    [case] = json.loads(cli("cases", "list", "--json", "--store", str(store_path)).stdout)
    done = cli("cases", "ack", case["id"], "--by", "mod-ana", "--store", str(store_path))
    assert done.exit_code == 0 and f"{case['id']} is now acknowledged" in done.output
    shown = cli("cases", "show", case["id"], "--store", str(store_path)).output
    assert "status: acknowledged" in shown and "acknowledged by mod-ana" in shown
    missing = cli("cases", "ack", "NG-NOPE", "--store", str(store_path))
    assert missing.exit_code == 1 and "no case NG-NOPE" in missing.output


def test_signals_command_explains_every_signal_and_stage():
    result = cli("signals", "--json")
    data = json.loads(result.output)
    assert {s["id"] for s in data["signals"]} == set(TAXONOMY)
    assert all(s["meaning"] for s in data["signals"])
    stages = {st for spec in TAXONOMY.values() for st in spec.stages}
    assert stages <= set(data["stages"])
    text = cli("signals").output
    assert "meet_request" in text and "APP  approach" in text
