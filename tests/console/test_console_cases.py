"""The queue, the case page, evidence on request, actions, export and the report."""

from __future__ import annotations

import io
import json
import re
import zipfile

from .conftest import read, sign_in
from .world import HOSTILE, SECRET_WORDS


def test_queue_orders_by_severity_then_age_and_filters(client):
    sign_in(client, "alice")
    page = client.get("/").text
    assert page.index("NG-CRIT00001") < page.index("NG-MED000002")
    assert "2 cases" in page
    assert "NG-MED000002" not in client.get("/?severity=critical").text
    by_signal = client.get("/?signal=gift_offer").text
    assert "NG-MED000002" in by_signal and "NG-CRIT00001" not in by_signal
    assert "Offers gifts" in by_signal  # signals by plain name
    assert "No cases match." in client.get("/?status=dismissed").text
    # Unknown filter values are ignored, not echoed.
    odd = client.get("/?severity=<b>x</b>&signal=nope&community=c-beta").text
    assert "<b>x</b>" not in odd and "2 cases" in odd


def test_evidence_stays_hidden_until_asked_and_each_reveal_is_audited(client, store_path):
    csrf = sign_in(client, "alice")
    page = client.get("/cases/NG-CRIT00001").text
    assert not any(w in page for w in SECRET_WORDS)
    assert "Show message 2" in page and "Show all 4 messages" in page
    assert "Exclusivity" in page and "Sexual stage" in page  # stages by plain name
    assert "said they are a minor" in page and "their own words, message 1" in page

    one = client.post("/cases/NG-CRIT00001/evidence", data={"csrf": csrf, "show": "2"}).text
    assert SECRET_WORDS[1] in one
    assert SECRET_WORDS[0] not in one and SECRET_WORDS[2] not in one
    viewed = [e for e in read(store_path, lambda s: s.events("NG-CRIT00001"))]
    assert viewed[-1].kind == "evidence_viewed"
    assert viewed[-1].detail == {"messages": 1, "positions": "2"}
    assert viewed[-1].actor.startswith("mod:")

    everything = client.post(
        "/cases/NG-CRIT00001/evidence", data={"csrf": csrf, "show": "all"}
    ).text
    assert all(w in everything for w in SECRET_WORDS)
    last = read(store_path, lambda s: s.events("NG-CRIT00001"))[-1]
    assert last.kind == "evidence_viewed" and last.detail == {"messages": 4}


def test_explicit_lines_stay_blurred_and_text_is_escaped(client):
    csrf = sign_in(client, "alice")
    page = client.post("/cases/NG-CRIT00001/evidence", data={"csrf": csrf, "show": "all"}).text
    blurred = re.findall(r'<button type="button" class="text blurred"[^>]*>([^<]*)</button>', page)
    assert len(blurred) == 1 and SECRET_WORDS[2] in blurred[0]
    assert SECRET_WORDS[1] not in "".join(blurred)
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert "<img" not in page


def test_out_of_range_reveal_is_refused(client, store_path):
    csrf = sign_in(client, "alice")
    r = client.post("/cases/NG-CRIT00001/evidence", data={"csrf": csrf, "show": "99"})
    assert r.status_code == 400
    assert [e.kind for e in read(store_path, lambda s: s.events("NG-CRIT00001"))] == ["opened"]


def _act(client, csrf, action, **extra):
    return client.post("/cases/NG-CRIT00001/action", data={"csrf": csrf, "action": action, **extra})


def test_actions_go_through_the_moderation_service(client, store_path):
    csrf = sign_in(client, "alice")
    r = _act(client, csrf, "acknowledge")
    assert r.status_code == 200 and "Acknowledged." in r.text
    r = _act(client, csrf, "confirm")
    assert "Confirmed; evidence preserved." in r.text
    r = _act(client, csrf, "resolve")
    assert "Resolved." in r.text
    case = read(store_path, lambda s: s.get("NG-CRIT00001"))
    assert case.status.value == "resolved" and case.outcome.value == "confirmed"
    again = _act(client, csrf, "acknowledge")
    assert again.status_code == 409 and "already resolved" in again.text
    events = read(store_path, lambda s: s.events("NG-CRIT00001"))
    kinds = [e.kind for e in events]
    assert kinds == ["opened", "acknowledged", "confirmed", "resolved", "action_on_closed_case"]
    actors = {e.actor for e in events[1:]}
    assert len(actors) == 1 and actors.pop().startswith("mod:")  # one pseudonymous moderator
    feedback = read(store_path, lambda s: s.feedback())
    assert {(f.signal, f.verdict) for f in feedback} == {("secrecy_request", "confirmed")}


def test_dismiss_needs_a_reason_from_the_list(client, store_path):
    csrf = sign_in(client, "alice")
    assert _act(client, csrf, "dismiss").status_code == 400
    assert _act(client, csrf, "dismiss", reason="free text here").status_code == 400
    assert read(store_path, lambda s: s.get("NG-CRIT00001")).status.value == "open"
    r = _act(client, csrf, "dismiss", reason="the bot misread the words")
    assert "Dismissed as a false positive." in r.text
    last = read(store_path, lambda s: s.events("NG-CRIT00001"))[-1]
    assert last.kind == "dismissed" and last.detail["note"] == "the bot misread the words"
    assert _act(client, csrf, "launch").status_code == 400


def test_export_downloads_the_evidence_bundle_and_is_audited(client, store_path):
    csrf = sign_in(client, "alice")
    r = client.post("/cases/NG-CRIT00001/export", data={"csrf": csrf})
    assert r.headers["content-type"] == "application/zip"
    assert "NG-CRIT00001-evidence.zip" in r.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = sorted(zf.namelist())
        bundle = json.loads(zf.read("NG-CRIT00001/NG-CRIT00001.json"))
    assert names == [
        "NG-CRIT00001/NG-CRIT00001.html",
        "NG-CRIT00001/NG-CRIT00001.json",
        "NG-CRIT00001/SHA256SUMS",
    ]
    assert [m["text"].split()[-1] for m in bundle["evidence"][:3]] == list(SECRET_WORDS)
    last = read(store_path, lambda s: s.events("NG-CRIT00001"))[-1]
    assert last.kind == "exported" and len(str(last.detail["bundle_sha256"])) == 64


def test_report_shows_precision_from_decisions_and_serves_charts(client):
    csrf = sign_in(client, "alice")
    _act(client, csrf, "confirm")
    client.post(
        "/cases/NG-MED000002/action",
        data={"csrf": csrf, "action": "dismiss", "reason": "other"},
    )
    page = client.get("/report").text
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td></tr>", page
    )
    assert ("Asks to keep the chat secret", "1", "0", "100%") in rows
    assert ("Offers gifts, money or game items", "0", "1", "0%") in rows
    png = client.get("/report/chart/c-alpha/precision.png")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    assert client.get("/report/chart/c-alpha/other.png").status_code == 404
