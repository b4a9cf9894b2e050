"""Text at the boundary: what a platform payload carries is made safe once, in MessageEvent.

A lone surrogate (JSON ``"\\ud800"``, which Slack and Discord JSON can carry) used to make
every SQLite write of the channel's evidence fail: no case, no alert.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.inbox.events import MAX_LIST_ITEMS, MAX_TEXT_CHARS, MessageEvent, Participant
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import CHILD, GROOMER, groom, make_engine

HOSTILE = json.loads('"hey \\ud800 there \\u0000 \\u001b[2J \\udfff"')


def _event(text: str, **extra: object) -> MessageEvent:
    fields: dict[str, object] = {
        "platform": "t",
        "community_id": "c",
        "conversation_id": "d",
        "message_id": "m",
        "author": Participant(id="a"),
        "text": text,
        "ts": 1.0,
    }
    return MessageEvent.model_validate({**fields, **extra})


def test_unencodable_and_control_characters_are_replaced_once() -> None:
    event = _event(HOSTILE)
    event.text.encode("utf-8")  # would raise for a lone surrogate
    assert event.text == "hey \ufffd there \ufffd \ufffd[2J \ufffd"
    assert "\x00" not in event.text
    kept = _event("line one\n\tline two\r\n")
    assert kept.text == "line one\n\tline two\r\n"


def test_ids_names_and_lists_are_made_safe_and_capped() -> None:
    author = Participant(id="user\ud800", display_name="n\udfff" * 5000, roles=["r\x00"] * 999)
    event = _event("x" * (MAX_TEXT_CHARS + 50), mentions=["m\ud800"] * 999).model_copy(
        update={"author": author}
    )
    assert event.author.id == "user\ufffd"
    assert len(event.author.display_name or "") <= 512
    assert len(event.author.roles) == MAX_LIST_ITEMS and event.author.roles[0] == "r\ufffd"
    assert len(event.mentions) == MAX_LIST_ITEMS and event.mentions[0] == "m\ufffd"
    assert len(event.text) == MAX_TEXT_CHARS


async def test_lone_surrogate_message_still_leads_to_a_stored_case(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite3"
    store = SqliteCaseStore(path)
    engine = make_engine(store, FakeAdapter())
    await engine.start(background=False)
    chat = Scenario(engine)
    await chat.say(GROOMER, HOSTILE, to=CHILD)
    await groom(chat)
    await engine.stop()
    await store.close()

    reopened = SqliteCaseStore(path)
    try:
        [case] = await reopened.list_cases()
        full = await reopened.get(case.id)
        assert full is not None
        texts = [m.text for m in full.evidence]
        assert "hey \ufffd there \ufffd \ufffd[2J \ufffd" in texts
        assert len(texts) >= 5
    finally:
        await reopened.close()


def test_a_length_checked_id_that_is_not_clean_text_is_refused_not_passed_on() -> None:
    for bad in ("chan\x00nel", "chan\ud800", "chan\x1b[0m"):
        with pytest.raises(ValidationError):
            _event("hi", conversation_id=bad)
