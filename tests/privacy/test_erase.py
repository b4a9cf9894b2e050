"""`nudgeguard privacy erase`: nothing of the person is left in the SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import CHILD, GROOMER, KEY, TRAJECTORY, make_engine

CHILD_LINES = ["i like painting zebras at night", "my cat is called pumpernickel"]


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def file_bytes(path: Path) -> bytes:
    """Every byte SQLite keeps for this store: the file and any -wal/-shm/-journal."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def make_store(path: Path) -> FakeAdapter:
    store = SqliteCaseStore(path)
    adapter = FakeAdapter()
    engine = make_engine(store, adapter)
    await engine.start(background=False)
    chat = Scenario(engine)
    await chat.say(CHILD, CHILD_LINES[0])
    for n, line in enumerate(TRAJECTORY):
        if n == 2:
            await chat.say(CHILD, CHILD_LINES[1], to=GROOMER)
        if n == len(TRAJECTORY) - 1:
            adapter.transient_failures = 1000  # the last alerts stay queued, naming the child
        await chat.say(GROOMER, line, to=CHILD)
    [case] = await store.list_cases()
    await engine.moderate(case.id, "acknowledge", CHILD.id, permitted=True)
    await engine.stop()
    await store.close()
    return adapter


@pytest.fixture
async def store_path(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", KEY.decode())
    path = tmp_path / "cases.sqlite3"
    await make_store(path)
    return path


async def test_after_erase_the_file_holds_no_id_pseudonym_or_text(store_path):
    pseudonym = Pseudonymizer(KEY).pseudonym("fake", CHILD.id)
    before = file_bytes(store_path)
    # Guard against a vacuous test: all of it really was in the file.
    assert pseudonym.encode() in before
    assert CHILD.id.encode() in before
    assert all(line.encode() in before for line in CHILD_LINES)

    result = await asyncio.to_thread(
        cli, "privacy", "erase", "--user", f"fake:{CHILD.id}", "--yes", "--store", str(store_path)
    )
    assert result.exit_code == 0, result.output
    assert "erased: 2 messages" in result.output

    after = file_bytes(store_path)
    assert CHILD.id.encode() not in after
    assert pseudonym.encode() not in after
    for line in CHILD_LINES:
        assert line.encode() not in after
    # The case itself, the suspect's messages and the chain are intact.
    assert TRAJECTORY[2].encode() in after
    store = SqliteCaseStore(store_path)
    try:
        [case] = await store.list_cases()
        assert case.target == "[erased]"
        assert await store.verify_chain() is None
        kinds = [e.kind for e in await store.events()]
        assert kinds.count("erased") == 2, "one row on the case, one store-wide"
    finally:
        await store.close()
    verify = await asyncio.to_thread(cli, "cases", "verify", "--store", str(store_path))
    assert verify.exit_code == 0, verify.output


async def test_subject_of_an_active_case_is_held_unless_forced(store_path):
    spec = f"fake:{GROOMER.id}"
    held = await asyncio.to_thread(
        cli, "privacy", "erase", "--user", spec, "--yes", "--store", str(store_path)
    )
    assert held.exit_code != 0 and "active or confirmed" in held.output
    assert TRAJECTORY[0].encode() in file_bytes(store_path)

    forced = await asyncio.to_thread(
        cli, "privacy", "erase", "--user", spec, "--yes", "--force", "--store", str(store_path)
    )
    assert forced.exit_code == 0, forced.output
    after = file_bytes(store_path)
    assert GROOMER.id.encode() not in after
    assert Pseudonymizer(KEY).pseudonym("fake", GROOMER.id).encode() not in after
    assert all(line.encode() not in after for line in TRAJECTORY)


def test_a_malformed_user_is_a_clear_error(tmp_path):
    result = cli(
        "privacy", "erase", "--user", "no-platform", "--yes", "--store", str(tmp_path / "s")
    )
    assert result.exit_code == 2 and "PLATFORM:ID" in result.output


def test_erase_asks_before_it_acts(tmp_path):
    result = CliRunner().invoke(
        main,
        ["privacy", "erase", "--user", "fake:x", "--store", str(tmp_path / "s.sqlite3")],
        input="n\n",
    )
    assert result.exit_code == 1 and "Aborted" in result.output
