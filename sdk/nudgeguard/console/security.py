"""The console's defences: password hashes, sign-in limits, sessions, CSRF and headers."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Passwords shorter than this are refused when an account is created.
MIN_PASSWORD = 12
#: Longest password accepted (argon2 takes any length; this bounds the work).
MAX_PASSWORD = 1024

_HASHER = PasswordHasher()  # argon2id, the library's RFC 9106 low-memory profile
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Return True when ``password`` matches ``stored``.

    An unknown account (``stored`` None) is checked against a throwaway hash, so the answer
    takes as long as for a real one and does not tell which names exist.
    """
    try:
        return _HASHER.verify(stored or _DUMMY, password[:MAX_PASSWORD]) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Return True when a hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored)


class RateLimiter:
    """Failed attempts per key in a sliding window, in bounded memory.

    Args:
        limit: Failures allowed in the window; the next attempt is refused.
        window: Window length in seconds.
        max_keys: Keys remembered; the least recently failed are forgotten first.
        clock: Monotonic clock.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._clock = clock
        self._fails: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str) -> deque[float] | None:
        times = self._fails.get(key)
        if times is None:
            return None
        horizon = self._clock() - self.window
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            del self._fails[key]
            return None
        return times

    def retry_after(self, key: str) -> float:
        """Return seconds until ``key`` may try again (0 when it may now)."""
        times = self._recent(key)
        if times is None or len(times) < self.limit:
            return 0.0
        return max(1.0, times[0] + self.window - self._clock())

    def fail(self, key: str) -> None:
        """Count one failed attempt."""
        times = self._recent(key) or deque(maxlen=self.limit)
        times.append(self._clock())
        self._fails[key] = times
        self._fails.move_to_end(key)
        while len(self._fails) > self.max_keys:
            self._fails.popitem(last=False)

    def reset(self, key: str) -> None:
        """Forget a key's failures (after a successful sign-in)."""
        self._fails.pop(key, None)


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser: who, until when, and its CSRF token."""

    user: str
    expires: float
    csrf: str


class Sessions:
    """Server-side sessions: the cookie holds only a random id.

    Signing out or a restart ends them; nothing in the cookie grants access by itself.

    Args:
        lifetime: Seconds a session lasts after sign-in.
        max_sessions: Sessions kept; the oldest are dropped first.
    """

    def __init__(
        self,
        lifetime: float = 8 * 3600,
        max_sessions: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lifetime, self.max_sessions = lifetime, max_sessions
        self._clock = clock
        self._by_id: OrderedDict[str, Session] = OrderedDict()

    def start(self, user: str) -> str:
        """Open a session for ``user``; return its id."""
        sid = secrets.token_urlsafe(32)
        self._by_id[sid] = Session(user, self._clock() + self.lifetime, secrets.token_urlsafe(32))
        while len(self._by_id) > self.max_sessions:
            self._by_id.popitem(last=False)
        return sid

    def get(self, sid: str | None) -> Session | None:
        """Return the live session with this id, or None."""
        if not sid:
            return None
        found = self._by_id.get(sid)
        if found is None:
            return None
        if found.expires <= self._clock():
            del self._by_id[sid]
            return None
        return found

    def end(self, sid: str | None) -> None:
        """End a session (sign-out)."""
        if sid:
            self._by_id.pop(sid, None)


def same_token(expected: str, given: str | None) -> bool:
    """Compare a CSRF token in constant time."""
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """ASGI middleware: a strict CSP and friends on every response; no caching of pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to each HTTP response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += _HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
