"""Webhook sink: each moderator alert and notice is POSTed as JSON, signed with HMAC-SHA256.

Headers of every request:

- ``X-Nudgeguard-Timestamp``: unix seconds when the request was signed;
- ``X-Nudgeguard-Signature``: ``sha256=`` + hex HMAC-SHA256 with the shared secret over
  ``timestamp + "." + body`` (the exact body bytes);
- ``X-Nudgeguard-Delivery``: a stable id; a retried alert keeps it, so receivers can
  de-duplicate (delivery is at least once). It is ``<case>:<severity>:<nudge status>``,
  with ``:<decision>`` added once a moderator decided (``acknowledged``, ``confirmed``,
  ``dismissed``, ``resolved``: the alert's ``decision.key``): each decision arrives as a
  delivery of its own, Confirm on an acknowledged case included, although it leaves the
  case's status as it was. An alert of a decided case that the sending bot knows no
  decision for carries the one the audit chain records
  (:mod:`nudgeguard.delivery.last_action`); only when that cannot be read does the id add
  the case's status instead.

A 2xx answer counts as delivered. 400, 404, 410, 413 and 422 give up at once (the
receiver will never accept it); anything else (429, 5xx, timeouts, refused connections) is
retried through the outbox with backoff, honouring ``Retry-After``. The body holds the
alert as the adapters get it: platform ids, signals and reasons, never message text.
Case-less moderator notices (a child's Report without a case) come the same way, through
the outbox, as ``{"type": "nudgeguard.notice", "delivery_id": ..., "notice": {...}}``:
worded by the core, no message text and no platform id (only the reporter's pseudonym).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nudgeguard.cases.model import CaseStatus
from nudgeguard.delivery.outbound import (
    ModeratorAlert,
    ModeratorNotice,
    TransientDeliveryError,
    UndeliverableError,
)
from nudgeguard.version import __version__

PERMANENT = frozenset({400, 404, 410, 413, 422})
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """Return the ``X-Nudgeguard-Signature`` value for a body."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: bytes,
    timestamp: str,
    signature: str,
    body: bytes,
    *,
    now: float,
    tolerance: float = 300,
) -> bool:
    """Check a request as a receiver would (see docs/cases.md for a standalone copy)."""
    try:
        fresh = abs(now - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookSettings(BaseModel):
    """A ``type: webhook`` entry of the ``sinks:`` section."""

    model_config = ConfigDict(extra="forbid")

    url: str
    secret_env: str = "NUDGEGUARD_WEBHOOK_SECRET"
    timeout: float = Field(default=10.0, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _https(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname:
            return url
        if parts.scheme == "http" and parts.hostname in _LOOPBACK:
            return url
        raise ValueError("must be an https:// URL (plain http only to 127.0.0.1/localhost)")


class WebhookSink:
    """Delivers alerts to one HTTPS endpoint.

    Args:
        name: Sink name (the outbox target).
        url: Endpoint.
        secret: Shared HMAC secret (at least 16 bytes).
        timeout: Seconds per request.
        clock: Wall clock for the timestamp header.
    """

    def __init__(
        self,
        name: str,
        url: str,
        secret: bytes,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the webhook secret must be at least 16 bytes")
        self._name = name
        self._url = url
        self._secret = secret
        self._timeout = timeout
        self._clock = clock

    @property
    def name(self) -> str:
        """Outbox target name of this sink."""
        return self._name

    def __repr__(self) -> str:
        return f"WebhookSink(name={self._name!r})"

    @classmethod
    def from_config(cls, name: str, section: Mapping[str, Any]) -> WebhookSink:
        """Build from a config entry; the secret comes from the named environment variable.

        Raises:
            ValueError: Invalid entry or the secret variable is not set.
        """
        try:
            settings = WebhookSettings.model_validate(dict(section))
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"sinks.{name}: {fields}") from None
        secret = os.environ.get(settings.secret_env, "")
        if not secret:
            raise ValueError(f"sinks.{name}: set the secret in ${settings.secret_env}")
        return cls(name, settings.url, secret.encode(), timeout=settings.timeout)

    def request(self, alert: ModeratorAlert) -> tuple[bytes, dict[str, str]]:
        """Return the body and headers for an alert."""
        delivery = f"{alert.alert_id}:{alert.nudge_status}"
        if alert.decision is not None:
            # Each moderator's decision is news, not a repeat of the alert before it:
            # keyed on the decision, not the status (Confirm keeps "acknowledged").
            delivery += f":{alert.decision.key}"
        elif alert.status is not CaseStatus.OPEN:
            delivery += f":{alert.status.value}"
        payload = {
            "type": "nudgeguard.alert",
            "delivery_id": delivery,
            "alert": alert.model_dump(mode="json"),
        }
        return self._signed(payload, delivery)

    def notice_request(self, notice: ModeratorNotice) -> tuple[bytes, dict[str, str]]:
        """Return the body and headers for a case-less moderator notice."""
        payload = {
            "type": "nudgeguard.notice",
            "delivery_id": notice.notice_id,
            "notice": notice.model_dump(mode="json"),
        }
        return self._signed(payload, notice.notice_id)

    def _signed(self, payload: dict[str, Any], delivery: str) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"nudgeguard/{__version__}",
            "X-Nudgeguard-Timestamp": timestamp,
            "X-Nudgeguard-Signature": sign(self._secret, timestamp, body),
            "X-Nudgeguard-Delivery": delivery,
        }
        return body, headers

    async def send_alert(self, alert: ModeratorAlert) -> str | None:
        """POST the alert; raise for the outbox to retry or give up."""
        body, headers = self.request(alert)
        status = await asyncio.to_thread(self._post, body, headers)
        return f"http-{status}"

    async def send_notice(self, notice: ModeratorNotice) -> str | None:
        """POST a case-less moderator notice; raise for the outbox to retry or give up."""
        body, headers = self.notice_request(notice)
        status = await asyncio.to_thread(self._post, body, headers)
        return f"http-{status}"

    def _post(self, body: bytes, headers: dict[str, str]) -> int:
        req = urllib.request.Request(self._url, data=body, headers=headers, method="POST")
        try:
            with _OPENER.open(req, timeout=self._timeout) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            code = exc.code
            retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            exc.close()
            if code in PERMANENT:
                raise UndeliverableError(f"webhook answered HTTP {code}") from None
            raise TransientDeliveryError(f"webhook answered HTTP {code}", retry_after) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise TransientDeliveryError(f"webhook unreachable ({type(exc).__name__})") from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answered as errors: a POST must never silently turn into a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
