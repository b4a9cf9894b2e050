"""Web console accounts in the case store: a password hash and a role per community.

The console (:mod:`nudgeguard.console`) signs moderators in against these rows. Only the
hash is stored (argon2id, made by the console); a role is ``moderator`` or ``admin`` and
holds for one community. The tables come from migration step 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

#: The roles an account can hold in a community.
ROLES = ("moderator", "admin")


@dataclass(frozen=True, slots=True)
class Account:
    """A console account.

    Attributes:
        name: Sign-in name.
        password_hash: An argon2 hash string (never the password).
        roles: Community id -> ``moderator`` or ``admin``.
    """

    name: str
    password_hash: str
    created_at: float
    roles: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class AccountStore(Protocol):
    """The account part of a case store."""

    async def account(self, name: str) -> Account | None:
        """Return an account with its roles, or None."""
        ...

    async def save_account(
        self, name: str, password_hash: str, community_id: str, role: str
    ) -> bool:
        """Create an account, or set its password; give it ``role`` in a community.

        Returns True when the account is new.
        """
        ...

    async def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace an account's hash (a rehash with stronger parameters)."""
        ...

    async def account_names(self, community_id: str) -> list[str]:
        """Return the names of the accounts with a role in a community, sorted.

        The bot tells a console decision on the audit chain (its actor is the account's
        pseudonym) from a chat moderator's with them.
        """
        ...
