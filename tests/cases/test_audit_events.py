"""Every kind of case event lands in one verifiable chain."""

from __future__ import annotations

import hashlib
import json
import sqlite3

from nudgeguard.cases.bundle import export_case
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.inbox.events import AgeBand
from nudgeguard.privacy.requests import erase_user
from nudgeguard.testing import FakeAdapter, Scenario, person

from .helpers import calm_policy, groom, make_engine


async def test_the_whole_life_of_cases_is_chained(tmp_path):
    store = SqliteCaseStore(tmp_path / "s.sqlite3")
    engine = make_engine(store, FakeAdapter(), calm_policy())
    await engine.start(background=False)
    chat = Scenario(engine)
    kid2, other = person("kid-2", AgeBand.MINOR), person("other-adult")
    await groom(chat)
    await groom(chat, child=kid2, groomer=other)
    first, second = sorted(await store.list_cases(), key=lambda c: c.opened_at)
    await chat.say(person("stranger-77"), "pay me or i post your pictures", to=person("kid-1234"))
    await engine.moderate(first.id, "acknowledge", "mod-1", permitted=True)
    await engine.moderate(first.id, "confirm", "mod-1", permitted=True)
    await engine.moderate(second.id, "dismiss", "mod-2", permitted=True)
    await export_case(store, first.id, tmp_path / "bundle", "cli")
    await erase_user(store, engine.pseudonyms, "fake", kid2.id)
    await engine.stop()

    kinds = {e.kind for e in await store.events()}
    expected = {
        "opened",
        "evidence_added",
        "severity_raised",
        "alerted",
        "nudge_sent",
        "acknowledged",
        "confirmed",
        "dismissed",
        "exported",
        "erased",
    }
    assert expected <= kinds, expected - kinds
    assert await store.verify_chain() is None
    seqs = [e.seq for e in await store.events()]
    assert seqs == list(range(1, len(seqs) + 1))
    await store.close()


async def test_an_outside_verifier_recomputes_every_hash_with_plain_json(tmp_path):
    # docs/cases.md gives the recipe; a verifier with only json and hashlib must agree.
    store = SqliteCaseStore(tmp_path / "s.sqlite3")
    engine = make_engine(store, FakeAdapter(), calm_policy())
    await engine.start(background=False)
    await groom(Scenario(engine))
    await store.record("*", "note", "système ☃", {"z": "é\u2028", "a": [1, "x"], "n": None})
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    rows = db.execute(
        "SELECT seq, case_id, ts, kind, actor, salt, actor_commit, detail, prev_hash, hash"
        " FROM audit ORDER BY seq"
    ).fetchall()
    assert len(rows) > 3
    prev = "0" * 64
    for seq, case_id, ts, kind, actor, salt, commit, detail, prev_hash, digest in rows:
        parsed = json.loads(detail)
        assert detail == json.dumps(
            parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        assert commit == hashlib.sha256(f"{salt}\x00{actor}".encode()).hexdigest()
        body = json.dumps(
            [prev, seq, case_id, repr(float(ts)), kind, commit, detail],
            separators=(",", ":"),
            ensure_ascii=False,
        )
        assert prev_hash == prev and digest == hashlib.sha256(body.encode()).hexdigest()
        prev = digest
    db.close()
