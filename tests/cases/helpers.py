"""Shared helpers for case, privacy and report tests (paraphrased lines only)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand
from nudgeguard.policy import load_policy
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.testing import FakeAdapter, Scenario, person

from ..core.keyword_detector import KeywordDetector

KEY = b"k" * 32
GROOMER = person("stranger-77")
CHILD = person("kid-1234", AgeBand.MINOR)
TRAJECTORY = [
    "how old are you",
    "are you alone at home",
    "keep this our secret",
    "add me on snapchat",
    "send me a photo",
]


def calm_policy():
    """The default pack with the urgent threshold out of reach (cases open at high)."""
    pack = load_policy("default")
    return pack.model_copy(update={"thresholds": dataclasses.replace(pack.thresholds, urgent=500)})


def make_engine(store: SqliteCaseStore, adapter: FakeAdapter, pack=None, **kw) -> Engine:
    return Engine(
        pack or load_policy("default"),
        cases=store,
        adapters=[adapter],
        detectors=[KeywordDetector()],
        pseudonymizer=Pseudonymizer(KEY),
        **kw,
    )


async def groom(chat: Scenario, lines=TRAJECTORY, child=CHILD, groomer=GROOMER) -> None:
    await chat.say(child, "hello everyone")
    for line in lines:
        await chat.say(groomer, line, to=child)


def open_plain(spec: str) -> Any:
    """Open the store a spec names: an SQLite file or ``postgresql://...#schema``."""
    if spec.startswith("postgresql://"):
        from nudgeguard.cases.postgres import PostgresCaseStore

        dsn, _, schema = spec.partition("#")
        return PostgresCaseStore(dsn, schema=schema)
    return SqliteCaseStore(spec)


async def ack_from_cli(engine: Engine, path: Path, case_id: str, by: str = "ana") -> None:
    """Acknowledge a case with ``nudgeguard cases ack`` while ``engine`` runs on the store.

    The command writes the store as another process would (in a thread, so the running
    bot's event loop goes on); the bot's outbox then delivers the update it queued.
    """
    done = await asyncio.to_thread(
        CliRunner().invoke, main, ["cases", "ack", case_id, "--by", by, "--store", str(path)]
    )
    assert done.exit_code == 0, done.output
    await engine.outbox.drain()
