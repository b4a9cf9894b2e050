"""Privacy: keyed pseudonyms, retention and data-subject requests.

Stores keep keyed HMACs of platform user ids, never the ids themselves
(:class:`Pseudonymizer`). :mod:`nudgeguard.privacy.retention` purges closed cases on a
schedule; :mod:`nudgeguard.privacy.requests` answers erasure and access requests.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache


class Pseudonymizer:
    """Maps (platform, user id) to a stable keyed pseudonym.

    The same key gives the same pseudonym, so cases about one person link up; without the
    key a pseudonym cannot be turned back into an id by guessing.

    Args:
        key: The secret key (at least 16 bytes).
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key
        self.pseudonym = lru_cache(maxsize=65536)(self._pseudonym)

    @staticmethod
    def new_key() -> bytes:
        """Return a fresh random key."""
        return secrets.token_bytes(32)

    def _pseudonym(self, platform: str, user_id: str) -> str:
        digest = hmac.new(self._key, f"{platform}:{user_id}".encode(), hashlib.sha256)
        return "p_" + digest.hexdigest()[:24]

    def erasure_token(self, platform: str, user_id: str) -> str:
        """Return the keyed token an erasure leaves for running bots to match (not cached).

        It is not the person's pseudonym (a different HMAC input), so it links to nothing in
        the store; only someone holding the key and the platform id can match it.
        """
        data = f"erased\x00{platform}:{user_id}".encode()
        return "e_" + hmac.new(self._key, data, hashlib.sha256).hexdigest()[:24]

    def forget_cache(self) -> None:
        """Drop the cache of computed pseudonyms (it is keyed by platform ids): on erasure."""
        self.pseudonym.cache_clear()

    def __repr__(self) -> str:
        return "Pseudonymizer(key=<hidden>)"


def parse_user(spec: str) -> tuple[str, str]:
    """Split ``PLATFORM:ID`` (for example ``discord:123``) into its two parts.

    Raises:
        ValueError: The spec has no platform or no id.
    """
    platform, sep, user_id = spec.partition(":")
    if not sep or not platform.strip() or not user_id.strip():
        raise ValueError("a user is given as PLATFORM:ID, for example discord:1234567890")
    return platform.strip(), user_id.strip()
