"""A case acknowledged or resolved in the console is re-drawn in the chat's moderator post.

The console runs without adapters; the running bot's outbox (here: a bot started on the
same store after the click, with the same moderator channel) sends the update.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from nudgeguard.cases.model import CaseStatus
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import TRAJECTORY, groom, make_engine
from .conftest import read, sign_in


async def _bot(path: Path, adapter: FakeAdapter, community: str = "") -> None:
    """Run the bot once on the store: a grooming chat in ``community`` (if given), a drain."""
    store = SqliteCaseStore(path)
    engine = make_engine(store, adapter)
    await engine.start(background=False)  # delivers what the outbox holds
    if community:
        await groom(Scenario(engine, community_id=community))
    await engine.stop()
    await store.close()


def _alerted_case(path: Path, adapter: FakeAdapter) -> str:
    asyncio.run(_bot(path, adapter, "c-alpha"))
    [post] = adapter.posts.values()
    assert post.status is CaseStatus.OPEN
    return post.case_id


def _act(client, csrf: str, case_id: str, action: str):
    return client.post(f"/cases/{case_id}/action", data={"csrf": csrf, "action": action})


def _post(adapter: FakeAdapter):
    [(ref, post)] = adapter.posts.items()  # one post per case, edited in place
    return ref, post


def test_acknowledge_and_resolve_in_the_console_update_the_chat_post(client, store_path):
    adapter = FakeAdapter()
    case_id = _alerted_case(store_path, adapter)
    ref, _ = _post(adapter)
    csrf = sign_in(client, "alice")

    assert _act(client, csrf, case_id, "acknowledge").status_code == 200
    asyncio.run(_bot(store_path, adapter))
    assert _post(adapter) == (ref, adapter.alerts[-1])
    assert adapter.alerts[-1].status is CaseStatus.ACKNOWLEDGED
    # The decision stays on the post's timeline.
    assert adapter.alerts[-1].timeline[-1].label == "Acknowledged - a moderator is on it"

    assert _act(client, csrf, case_id, "resolve").status_code == 200
    asyncio.run(_bot(store_path, adapter))
    edited_ref, post = _post(adapter)
    assert edited_ref == ref and post.status is CaseStatus.RESOLVED
    # No message text in anything the moderator channel got.
    for alert in adapter.alerts:
        dumped = alert.model_dump_json()
        assert not [line for line in TRAJECTORY if line in dumped]


def test_a_refused_console_action_queues_nothing(client, store_path):
    adapter = FakeAdapter()
    case_id = _alerted_case(store_path, adapter)
    csrf = sign_in(client, "alice")
    assert _act(client, csrf, case_id, "resolve").status_code == 200
    asyncio.run(_bot(store_path, adapter))
    sent = len(adapter.alerts)
    queued = read(store_path, lambda s: s.outbox_items())

    # Refused by the moderation service: the case is closed already.
    assert _act(client, csrf, case_id, "acknowledge").status_code == 409
    assert _act(client, csrf, case_id, "resolve").status_code == 409
    assert read(store_path, lambda s: s.outbox_items()) == queued
    asyncio.run(_bot(store_path, adapter))
    assert len(adapter.alerts) == sent and _post(adapter)[1].status is CaseStatus.RESOLVED


def test_a_case_never_posted_to_chat_gets_no_update(client, store_path, world):
    csrf = sign_in(client, "alice")
    assert _act(client, csrf, world.medium, "acknowledge").status_code == 200
    assert read(store_path, lambda s: s.outbox_items()) == []
