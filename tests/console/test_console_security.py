"""The console's security properties, through its HTTP interface."""

from __future__ import annotations

import logging

import pytest
from starlette.testclient import TestClient

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.console import create_app

from .conftest import csrf_of, read, sign_in
from .world import PASSWORD, SECRET_WORDS

PAGES = ["/", "/cases/NG-CRIT00001", "/report", "/report/chart/c-alpha/precision.png"]
PAGES += ["/audit", "/decisions"]
FORMS = ["/logout", "/cases/NG-CRIT00001/evidence", "/cases/NG-CRIT00001/action"]
FORMS += ["/cases/NG-CRIT00001/export", "/audit"]


def test_nothing_but_health_answers_without_signing_in(client, store_path):
    assert client.get("/healthz").text == "ok"
    for page in PAGES:
        r = client.get(page, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login", page
    for form in FORMS:
        r = client.post(form, data={"show": "all", "action": "dismiss"}, follow_redirects=False)
        assert r.status_code == 403, form
    events = read(store_path, lambda s: s.events("NG-CRIT00001"))
    assert [e.kind for e in events] == ["opened"]


def test_a_forged_or_stale_session_cookie_is_not_a_session(client):
    client.cookies.set("nudgeguard_console", "made-up")
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.clear()
    csrf = sign_in(client, "alice")
    old = client.cookies.get("nudgeguard_console")
    client.post("/logout", data={"csrf": csrf})
    client.cookies.clear()
    client.cookies.set("nudgeguard_console", old)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_moderator_sees_only_their_communities(client, store_path):
    csrf = sign_in(client, "alice")
    queue = client.get("/?status=all").text
    assert "NG-CRIT00001" in queue and "NG-BETA00003" not in queue
    assert client.get("/?community=c-beta").status_code == 200
    assert "NG-BETA00003" not in client.get("/?community=c-beta").text
    assert client.get("/cases/NG-BETA00003").status_code == 404
    for form, data in [
        ("/cases/NG-BETA00003/evidence", {"show": "all"}),
        ("/cases/NG-BETA00003/action", {"action": "dismiss", "reason": "other"}),
        ("/cases/NG-BETA00003/export", {}),
    ]:
        r = client.post(form, data={"csrf": csrf, **data})
        assert r.status_code == 404 and "meet me" not in r.text, form
    assert client.get("/report/chart/c-beta/case-outcomes.png").status_code == 404
    assert "c-beta" not in client.get("/report").text
    beta = read(store_path, lambda s: s.get("NG-BETA00003"))
    assert beta.status.value == "open"
    assert [e.kind for e in read(store_path, lambda s: s.events("NG-BETA00003"))] == ["opened"]


def test_audit_chain_and_dry_run_pages_are_for_admins(client_for):
    alice, bob = client_for(), client_for()
    sign_in(alice, "alice")
    sign_in(bob, "bob")
    assert alice.get("/audit").status_code == 404
    assert alice.get("/decisions").status_code == 404
    page = bob.get("/audit").text
    assert "NG-CRIT00001" in page and "NG-BETA00003" not in page
    verified = bob.post("/audit", data={"csrf": csrf_of(page)}).text
    assert "The audit chain is intact." in verified


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_forms_without_the_session_token_are_refused(client, store_path, token):
    sign_in(client, "alice")
    data = {"action": "acknowledge"} | ({"csrf": token} if token is not None else {})
    r = client.post("/cases/NG-CRIT00001/action", data=data)
    assert r.status_code == 403
    r = client.post("/cases/NG-CRIT00001/evidence", data={**data, "show": "all"})
    assert r.status_code == 403 and SECRET_WORDS[0] not in r.text
    assert client.post("/logout", data=data, follow_redirects=False).status_code == 403
    events = read(store_path, lambda s: s.events("NG-CRIT00001"))
    assert [e.kind for e in events] == ["opened"]


def test_another_sessions_token_does_not_pass(client_for):
    alice, bob = client_for(), client_for()
    sign_in(alice, "alice")
    bobs = sign_in(bob, "bob")
    r = alice.post("/cases/NG-CRIT00001/action", data={"csrf": bobs, "action": "acknowledge"})
    assert r.status_code == 403


def test_sign_in_form_needs_its_token(client):
    r = client.post("/login", data={"name": "alice", "password": PASSWORD})
    assert r.status_code == 403
    client.get("/login")
    r = client.post("/login", data={"csrf": "guess", "name": "alice", "password": PASSWORD})
    assert r.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def _attempt(client: TestClient, name: str, password: str) -> int:
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login", data={"csrf": token, "name": name, "password": password}, follow_redirects=False
    )
    return r.status_code


def test_failed_sign_ins_are_limited_per_account(client_for):
    attacker, owner = client_for(), client_for()
    assert [_attempt(attacker, "alice", f"guess-{i}") for i in range(5)] == [401] * 5
    # The right password no longer gets in, from any address, until the window passes.
    assert _attempt(attacker, "alice", PASSWORD) == 429
    assert _attempt(owner, "alice", PASSWORD) == 429
    assert _attempt(owner, "bob", PASSWORD) == 303


def test_failed_sign_ins_are_limited_per_address(client):
    codes = [_attempt(client, f"user{i}", "wrong password") for i in range(20)]
    assert codes == [401] * 20
    assert _attempt(client, "bob", PASSWORD) == 429


def test_unknown_and_known_names_fail_alike(client):
    token = csrf_of(client.get("/login").text)
    a = client.post("/login", data={"csrf": token, "name": "nobody", "password": "x" * 20})
    b = client.post("/login", data={"csrf": token, "name": "alice", "password": "x" * 20})
    assert a.status_code == b.status_code == 401
    assert a.text == b.text


def test_cookies_and_headers(store_path, world):
    app = create_app(lambda: SqliteCaseStore(store_path), secure_cookies=True)
    with TestClient(app, base_url="https://console.example") as c:
        page = c.get("/login")
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert page.headers["x-frame-options"] == "DENY"
        assert "<script>" not in page.text and " on" + "click" not in page.text
        r = c.post(
            "/login",
            data={"csrf": csrf_of(page.text), "name": "alice", "password": PASSWORD},
            follow_redirects=False,
        )
        cookie = next(
            v for k, v in r.headers.multi_items() if k == "set-cookie" and "console=" in v
        )
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie


def test_loopback_console_leaves_secure_off(client):
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"csrf": token, "name": "alice", "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie


def test_no_message_text_in_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    _attempt(client, "alice", "wrong password")
    csrf = sign_in(client, "alice")
    client.get("/")
    client.post("/cases/NG-CRIT00001/evidence", data={"csrf": csrf, "show": "all"})
    client.post("/cases/NG-CRIT00001/evidence", data={"csrf": csrf, "show": "2"})
    client.post("/cases/NG-CRIT00001/action", data={"csrf": csrf, "action": "confirm"})
    client.post("/cases/NG-CRIT00001/export", data={"csrf": csrf})
    client.get("/report")
    assert caplog.records, "the console logged nothing at all"
    for word in (*SECRET_WORDS, PASSWORD):
        assert word not in caplog.text
