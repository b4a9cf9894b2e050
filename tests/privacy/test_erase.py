"""`nudgeguard privacy erase`: nothing of the person is left in the SQLite file."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.privacy import Pseudonymizer

from ..cases.helpers import CHILD, GROOMER, KEY, TRAJECTORY
from .helpers import CHILD_LINES, file_bytes


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


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
