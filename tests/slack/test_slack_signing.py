"""HTTP mode checks the signature and timestamp on the raw bytes before parsing anything.

Unsigned or badly signed requests get 401 whatever the body; correctly signed malformed
ones get 400; nothing gets 500 and nothing logs an ERROR or a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nudgeguard_slack.signing import MAX_SKEW, parse_signed, signature_ok
from nudgeguard_slack.transport import MAX_BODY
from tests.slack.conftest import HttpSetup
from tests.slack.harness import SIGNING_SECRET, message_envelope

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
DEEP = 100_000


def envelope_with(**event: object) -> bytes:
    envelope = message_envelope("U0ADULT", "hi", "1700000301.000100")
    envelope["event"].update(event)
    return json.dumps(envelope).encode()


def top_with(**fields: object) -> bytes:
    envelope = message_envelope("U0ADULT", "hi", "1700000302.000100")
    envelope.update(fields)
    return json.dumps(envelope).encode()


#: Bodies of every kind an attacker or a broken proxy can send: (name, bytes, content type).
HOSTILE: list[tuple[str, bytes, str]] = [
    ("list", b'["x"]', JSON),
    ("null", b"null", JSON),
    ("string", b'"x"', JSON),
    ("number", b"12", JSON),
    ("empty", b"", JSON),
    ("truncated", b'{"type": "event_callback", "event": ', JSON),
    ("deep list", b"[" * DEEP + b"]" * DEEP, JSON),
    ("deep object", b'{"a":' * DEEP + b"1" + b"}" * DEEP, JSON),
    ("invalid utf-8", b'{"type": "\xff\xfe"}', JSON),
    ("lone surrogate", b'{"type": "event_callback", "x": "\\ud800"}', JSON),
    ("huge integer", b'{"type": "event_callback", "event_time": ' + b"9" * 5000 + b"}", JSON),
    ("numeric user", envelope_with(user=12345), JSON),
    ("user object", envelope_with(user={"id": ["U0ADULT"]}), JSON),
    ("event list", top_with(event=["message"]), JSON),
    ("event string", top_with(event="message"), JSON),
    ("numeric team", top_with(team_id=7), JSON),
    ("numeric type", top_with(type=3), JSON),
    ("authorizations object", top_with(authorizations={"user_id": "U0BOT"}), JSON),
    ("authorizations numbers", top_with(authorizations=[1, 2]), JSON),
    ("numeric text", envelope_with(text=5), JSON),
    ("numeric channel", envelope_with(channel=5), JSON),
    ("form not json", b"payload=%7B%22type", FORM),
    ("form list", urlencode({"payload": '["x"]'}).encode(), FORM),
    ("form deep", b"payload=" + b"%5B" * DEEP, FORM),
    (
        "form numeric user",
        urlencode({"payload": json.dumps({"type": "block_actions", "user": 5})}).encode(),
        FORM,
    ),
    (
        "form user string",
        urlencode(
            {"payload": json.dumps({"type": "block_actions", "user": "U1", "actions": "x"})}
        ).encode(),
        FORM,
    ),
    ("form bad utf-8", b"payload=%FF%FE", FORM),
    ("plain text", b"hello", "text/plain"),
    ("no content type", b'{"type": "event_callback"}', ""),
]


def sign(body: bytes, ts: str, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + ts.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


async def post(url: str, body: bytes, content_type: str, headers: dict[str, str]) -> int:
    sent = dict(headers)
    if content_type:
        sent["Content-Type"] = content_type
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=sent) as r:
        await r.read()
        return r.status


def bad_signatures(body: bytes) -> list[dict[str, str]]:
    now = str(int(time.time()))
    stale = str(int(time.time()) - 10 * 60)
    future = str(int(time.time()) + 10 * 60)
    return [
        {},
        {"X-Slack-Request-Timestamp": now},
        {"X-Slack-Signature": sign(body, now)},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=deadbeef"},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "not even close"},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sign(body, now, "other")},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sign(body + b" ", now)},
        {"X-Slack-Request-Timestamp": stale, "X-Slack-Signature": sign(body, stale)},
        {"X-Slack-Request-Timestamp": future, "X-Slack-Signature": sign(body, future)},
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": sign(body, "soon")},
        {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": sign(body, "9" * 5000)},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
    ]


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_no_error_logged(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [f"{r.name}: {r.levelname}" for r in bad]


@pytest.mark.parametrize(("name", "body", "content_type"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_unsigned_or_badly_signed_requests_get_401_whatever_the_body(
    http_setup: HttpSetup,
    errors: pytest.LogCaptureFixture,
    name: str,
    body: bytes,
    content_type: str,
) -> None:
    for headers in bad_signatures(body):
        status = await post(http_setup.slack.url, body, content_type, headers)
        assert status == 401, f"{name} with {sorted(headers)} got {status}"
    assert http_setup.engine.events == [] and http_setup.engine.moderations == []
    assert_no_error_logged(errors)


@pytest.mark.parametrize(("name", "body", "content_type"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_signed_malformed_requests_get_400_never_500(
    http_setup: HttpSetup,
    errors: pytest.LogCaptureFixture,
    name: str,
    body: bytes,
    content_type: str,
) -> None:
    ts = str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(body, ts)}
    status = await post(http_setup.slack.url, body, content_type, headers)
    assert status == 400, f"{name} got {status}"
    assert_no_error_logged(errors)


# -- the checks themselves, over arbitrary input ------------------------------------------

NOW = 1_800_000_000


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=512), ts=st.text(max_size=20), sig=st.text(max_size=80))
def test_no_forged_header_pair_passes(body: bytes, ts: str, sig: str) -> None:
    genuine = sign(body, ts) if ts.isascii() else None
    assume(sig != genuine)
    assert not signature_ok(body, ts, sig, SIGNING_SECRET, clock=lambda: NOW)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=512), skew=st.integers(-MAX_SKEW, MAX_SKEW))
def test_a_genuine_signature_passes_within_the_skew_only(body: bytes, skew: int) -> None:
    ts = str(NOW + skew)
    assert signature_ok(body, ts, sign(body, ts), SIGNING_SECRET, clock=lambda: NOW)
    late = str(NOW + skew + (MAX_SKEW + 1) * (1 if skew >= 0 else -1))
    assert not signature_ok(body, late, sign(body, late), SIGNING_SECRET, clock=lambda: NOW)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["type", "user", "event", "text", "team", "channel", "actions", "ts", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=256) | json_values.map(lambda v: json.dumps(v).encode()),
    content_type=st.sampled_from([JSON, FORM, "text/plain", "", "application/json; charset=utf-8"]),
)
def test_parsing_a_signed_body_never_raises(body: bytes, content_type: str) -> None:
    parsed = parse_signed(body, content_type)
    assert parsed is None or isinstance(parsed, dict)


async def test_an_oversized_body_is_refused_before_anything_else(
    http_setup: HttpSetup, errors: pytest.LogCaptureFixture
) -> None:
    body = b'{"type": "event_callback", "x": "' + b"a" * MAX_BODY + b'"}'
    ts = str(int(time.time()))
    for headers in ({}, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(body, ts)}):
        assert await post(http_setup.slack.url, body, JSON, headers) == 413
    assert_no_error_logged(errors)
