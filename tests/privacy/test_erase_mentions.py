"""Erasure reaches the person's id inside other people's messages, and needs the real key."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import CHILD, GROOMER, KEY, TRAJECTORY, make_engine
from .helpers import file_bytes

MENTIONS = [f"<@{CHILD.id}> {TRAJECTORY[2]}", f"hey <@!{CHILD.id}>", f"<@{CHILD.id}|kid> ok?"]


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


async def _store_with_mentions(path) -> None:
    store = SqliteCaseStore(path)
    engine = make_engine(store, FakeAdapter())
    await engine.start(background=False)
    chat = Scenario(engine)
    await chat.say(CHILD, "hello everyone")
    for line in [*TRAJECTORY[:2], *MENTIONS, *TRAJECTORY[3:]]:
        await chat.say(GROOMER, line, to=CHILD)
    await engine.stop()
    await store.close()


async def test_erase_blanks_the_persons_id_in_other_peoples_mentions(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", KEY.decode())
    path = tmp_path / "cases.sqlite3"
    await _store_with_mentions(path)
    assert CHILD.id.encode() in file_bytes(path), "the mentions were never stored"

    result = await asyncio.to_thread(
        cli, "privacy", "erase", "--user", f"fake:{CHILD.id}", "--yes", "--store", str(path)
    )

    assert result.exit_code == 0, result.output
    assert "id blanked in 3 mentions" in result.output
    assert CHILD.id.encode() not in file_bytes(path)
    store = SqliteCaseStore(path)
    try:
        [case] = await store.list_cases()
        texts = [m.text for m in (await store.get(case.id)).evidence]  # type: ignore[union-attr]
        assert f"<@[erased]> {TRAJECTORY[2]}" in texts, "the suspect's own words must stay"
        assert "hey <@![erased]>" in texts and "<@[erased]|kid> ok?" in texts
    finally:
        await store.close()
    verified = await asyncio.to_thread(cli, "cases", "verify", "--store", str(path))
    assert verified.exit_code == 0, verified.output


async def test_erase_without_the_bots_key_fails_loudly_and_writes_no_key(tmp_path, monkeypatch):
    # The bot ran with its key in the environment; the store never held one.
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", KEY.decode())
    path = tmp_path / "cases.sqlite3"
    await _store_with_mentions(path)
    monkeypatch.delenv("NUDGEGUARD_PSEUDONYM_KEY")
    before = file_bytes(path)

    result = await asyncio.to_thread(
        cli, "privacy", "erase", "--user", f"fake:{CHILD.id}", "--yes", "--store", str(path)
    )

    assert result.exit_code != 0
    assert "NUDGEGUARD_PSEUDONYM_KEY" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    store = SqliteCaseStore(path)
    try:
        assert await store.get_setting("pseudonym_key") is None, "a made-up key was written"
        [case] = await store.list_cases()
        assert len((await store.get(case.id)).evidence) >= 5  # type: ignore[union-attr]
    finally:
        await store.close()
    assert CHILD.id.encode() in before and CHILD.id.encode() in file_bytes(path)
