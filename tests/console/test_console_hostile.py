"""Hostile requests: oversized or malformed input gets a clear refusal, and memory stays bounded."""

from __future__ import annotations

import sqlite3

from nudgeguard.cases.migrations import latest
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.console.security import RateLimiter, Sessions

from .conftest import csrf_of, read, sign_in


def test_oversized_and_malformed_requests_are_refused_without_effect(client, store_path):
    csrf = sign_in(client, "alice")
    assert client.get("/cases/" + "N" * 60_000).status_code in (404, 414)
    many = [("csrf", csrf)] + [("show", "1")] * 5_000
    r = client.post("/cases/NG-CRIT00001/evidence", content=_encode(many), headers=_FORM)
    assert r.status_code == 400
    big = _encode([("csrf", csrf), ("action", "acknowledge"), ("pad", "x" * 200_000)])
    assert client.post("/cases/NG-CRIT00001/action", content=big, headers=_FORM).status_code == 400
    upload = client.post(
        "/cases/NG-CRIT00001/action",
        data={"csrf": csrf, "action": "acknowledge"},
        files={"f": ("a.png", b"\x89PNG", "image/png")},
    )
    assert upload.status_code == 400
    assert client.get("/?severity=" + "x" * 30_000).status_code in (200, 414)
    assert [e.kind for e in read(store_path, lambda s: s.events("NG-CRIT00001"))] == ["opened"]


def test_long_sign_in_fields_are_a_failed_sign_in_and_oversized_ones_refused(client):
    token = csrf_of(client.get("/login").text)
    long = {"csrf": token, "name": "a" * 10_000, "password": "p" * 10_000}
    r = client.post("/login", data=long)
    assert r.status_code == 401 and "Wrong name or password." in r.text
    huge = {"csrf": token, "name": "alice", "password": "p" * 100_000}
    r = client.post("/login", data=huge)
    assert r.status_code == 400 and "Bad request." in r.text


def test_limits_and_sessions_stay_bounded_under_a_spray():
    now = [0.0]
    limiter = RateLimiter(5, 900, max_keys=1_000, clock=lambda: now[0])
    for i in range(50_000):
        limiter.fail(f"name-{i}")
    assert len(limiter._fails) == 1_000
    for _ in range(5):
        limiter.fail("target")
    assert limiter.retry_after("target") > 0
    now[0] += 901
    assert limiter.retry_after("target") == 0
    sessions = Sessions(max_sessions=100)
    ids = [sessions.start("alice") for _ in range(1_000)]
    assert len(sessions._by_id) == 100
    assert sessions.get(ids[0]) is None and sessions.get(ids[-1]) is not None


def test_an_older_store_gains_the_account_tables(tmp_path):
    path = tmp_path / "old.sqlite3"
    SqliteCaseStore(path).db.raw.close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE console_roles")
        db.execute("DROP TABLE console_accounts")
        # Back to schema 3, the last one without the console: undo the later steps too.
        db.execute("DROP INDEX IF EXISTS audit_case")
        db.execute("ALTER TABLE outbox DROP COLUMN claimed_until")
        db.execute("ALTER TABLE outbox DROP COLUMN claimed_by")
        db.execute("ALTER TABLE observations DROP COLUMN detail")
        db.execute("DELETE FROM schema_version WHERE version >= 4")
    store = SqliteCaseStore(path)
    versions = [r[0] for r in store.db.raw.execute("SELECT version FROM schema_version")]
    assert 4 in versions and versions[-1] == latest()
    assert store.db.raw.execute("SELECT COUNT(*) FROM console_accounts").fetchone()[0] == 0
    store.db.raw.close()


_FORM = {"content-type": "application/x-www-form-urlencoded"}


def _encode(pairs: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(pairs).encode()
