"""An erasure made by another process (``nudgeguard privacy erase``) reaches a running bot.

The bot and the command line hold two connections to one store (an SQLite file, or a
PostgreSQL schema); the command line's erase path runs on the second one, and the bot is
not told. Its next look at the store (every half minute while it runs) forgets the person.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from click.testing import CliRunner

from nudgeguard.app import pseudonymizer_for
from nudgeguard.cases.store import CaseStore, ErasureNotice
from nudgeguard.cli import main
from nudgeguard.privacy.requests import erase_user
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import CHILD, GROOMER, KEY, groom, make_engine, open_plain


@pytest.fixture
async def running(store_spec, monkeypatch):
    """A started bot on the store, after a grooming chat that nudged the child."""
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", KEY.decode())
    store = open_plain(store_spec)
    adapter = FakeAdapter()
    engine = make_engine(store, adapter)
    await engine.start(background=False)
    await groom(Scenario(engine))
    yield engine, adapter
    await engine.stop()
    await store.close()


async def erase_from_the_command_line(store_spec: str, user_id: str) -> None:
    """What ``nudgeguard privacy erase --user fake:ID`` does, on its own connection."""
    other = open_plain(store_spec)
    try:
        pseudonyms = await pseudonymizer_for(other, create=False)
        await erase_user(other, pseudonyms, "fake", user_id, actor="cli")
    finally:
        await other.close()


async def remembered_in_working_memory(state) -> set[str]:
    """The child's ids a working memory holds (asked, not forgotten)."""
    seen: set[str] = set()

    def note(user_id: str) -> bool:
        if user_id == CHILD.id:
            seen.add(user_id)
        return False

    await state.forget_matching("fake", note)
    return seen


async def test_the_running_bot_forgets_a_child_erased_by_the_command_line(running, store_spec):
    engine, adapter = running
    [case] = await engine.cases.list_cases()
    assert CHILD.id in adapter.remembered_users()
    assert await remembered_in_working_memory(engine.state) == {CHILD.id}
    assert engine.dispatcher.alerts.latest(case.id) is not None

    await erase_from_the_command_line(store_spec, CHILD.id)
    assert adapter.forgotten == [], "nothing reached the bot before it looked"
    assert await engine.forget_erased() == 1

    assert adapter.forgotten == [CHILD.id]
    assert CHILD.id not in adapter.remembered_users()
    assert engine.dispatcher.alerts.latest(case.id) is None, "the alert named the child"
    assert await remembered_in_working_memory(engine.state) == set(), "the window still holds them"
    assert await engine.forget_erased() == 0, "an erasure is acted on once"
    assert adapter.forgotten == [CHILD.id]


async def test_erasures_from_before_the_bot_started_are_not_read_again(running, store_spec):
    engine, _adapter = running
    await erase_from_the_command_line(store_spec, CHILD.id)
    await engine.forget_erased()
    restarted = make_engine(engine.cases, FakeAdapter())
    await restarted.start(background=False)
    assert await restarted.forget_erased() == 0
    assert restarted.erasure_watermark == engine.erasure_watermark


async def test_the_store_keeps_a_token_not_the_pseudonym(running, store_spec):
    engine, _adapter = running
    await erase_from_the_command_line(store_spec, CHILD.id)
    [notice] = await engine.cases.erasures_after(0)
    pseudonym = engine.pseudonyms.pseudonym("fake", CHILD.id)
    assert notice.platform == "fake"
    assert notice.token == engine.pseudonyms.erasure_token("fake", CHILD.id)
    assert pseudonym not in notice.token and CHILD.id not in notice.token
    detail = "".join(str(e.detail) for e in await engine.cases.events())
    assert pseudonym not in detail and CHILD.id not in detail
    assert await engine.cases.verify_chain() is None


async def test_a_held_erasure_leaves_nothing_for_the_bot_to_forget(running, store_spec):
    engine, adapter = running
    with pytest.raises(Exception, match="on hold"):
        await erase_from_the_command_line(store_spec, GROOMER.id)
    assert await engine.forget_erased() == 0
    assert adapter.forgotten == []


class FailingReads:
    """The bot's store while its server is away: reading erasures fails, then works again."""

    def __init__(self, store: CaseStore, failures: int) -> None:
        self.store = store
        self.failures = failures

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    async def erasures_after(self, seq: int, limit: int = 100) -> list[ErasureNotice]:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError(f"store away while looking for {CHILD.id}")
        return await self.store.erasures_after(seq, limit)


async def test_a_store_that_is_away_is_tried_again_and_logs_no_ids(running, store_spec, caplog):
    engine, adapter = running
    engine.cases = FailingReads(engine.cases, failures=1)
    await erase_from_the_command_line(store_spec, CHILD.id)
    with caplog.at_level(logging.WARNING, logger="nudgeguard"):
        assert await engine.forget_erased() == 0
    assert "ConnectionRefusedError" in caplog.text
    assert CHILD.id not in caplog.text
    assert engine.pseudonyms.pseudonym("fake", CHILD.id) not in caplog.text
    assert await engine.forget_erased() == 1, "the next tick reads the erasure"
    assert adapter.forgotten == [CHILD.id]


class HangingReads(FailingReads):
    """The bot's store while its server hangs: reading erasures never answers."""

    async def erasures_after(self, seq: int, limit: int = 100) -> list[ErasureNotice]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_store_that_hangs_is_given_up_until_the_next_tick(running, store_spec, caplog):
    engine, adapter = running
    engine.cases = HangingReads(engine.cases, failures=0)
    await erase_from_the_command_line(store_spec, CHILD.id)
    with caplog.at_level(logging.WARNING, logger="nudgeguard"):
        assert await engine.forget_erased(timeout=0.01) == 0
    assert "TimeoutError" in caplog.text
    engine.cases = engine.cases.store
    assert await engine.forget_erased() == 1
    assert adapter.forgotten == [CHILD.id]


class AwayState:
    """Working memory in a Redis that is away: forgetting fails, then works again."""

    def __init__(self, state: object) -> None:
        self.state = state
        self.away = True

    def __getattr__(self, name: str) -> object:
        return getattr(self.state, name)

    async def forget_matching(self, platform, matches) -> int:
        if self.away:
            raise ConnectionError("redis away")
        return await self.state.forget_matching(platform, matches)


async def test_working_memory_that_is_away_gets_the_erasure_on_a_later_look(running, store_spec):
    engine, _adapter = running
    away = engine.state = AwayState(engine.state)
    await erase_from_the_command_line(store_spec, CHILD.id)
    assert await engine.forget_erased() == 1, "the adapter forgets at once"
    assert await remembered_in_working_memory(away.state) == {CHILD.id}
    away.away = False
    await engine.forget_erased()
    assert await remembered_in_working_memory(away.state) == set()


async def test_the_erase_command_itself_reaches_the_running_bot(tmp_path, monkeypatch):
    """``nudgeguard privacy erase`` as typed, on its own thread and event loop."""
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", KEY.decode())
    path = tmp_path / "cases.sqlite3"
    store = open_plain(str(path))
    adapter = FakeAdapter()
    engine = make_engine(store, adapter)
    await engine.start(background=False)
    try:
        await groom(Scenario(engine))
        args = ["privacy", "erase", "--store", str(path), "--user", f"fake:{CHILD.id}", "--yes"]
        result = await asyncio.to_thread(CliRunner().invoke, main, args)
        assert result.exit_code == 0, result.output
        assert adapter.forgotten == []
        assert await engine.forget_erased() == 1
        assert adapter.forgotten == [CHILD.id]
    finally:
        await engine.stop()
        await store.close()
