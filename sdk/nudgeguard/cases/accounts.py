"""Web console accounts in the case store: a password hash and a role per community.

The console (:mod:`nudgeguard.console`) signs moderators in against these rows. Only the
hash is stored (argon2id, made by the console); a role is ``moderator`` or ``admin`` and
holds for one community. The tables come from migration step 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from nudgeguard.cases.sqlite_base import SqliteBase

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


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")


class SqliteAccounts(SqliteBase):
    """Console accounts in the SQLite store."""

    async def account(self, name: str) -> Account | None:  # noqa: D102
        row = self._db.execute("SELECT * FROM console_accounts WHERE name=?", (name,)).fetchone()
        if row is None:
            return None
        roles = {
            r["community_id"]: r["role"]
            for r in self._db.execute(
                "SELECT community_id, role FROM console_roles WHERE name=?", (name,)
            )
        }
        return Account(row["name"], row["password_hash"], row["created_at"], roles)

    async def save_account(  # noqa: D102
        self, name: str, password_hash: str, community_id: str, role: str
    ) -> bool:
        _check_role(role)
        with self._tx() as db:
            new = (
                db.execute("SELECT 1 FROM console_accounts WHERE name=?", (name,)).fetchone()
                is None
            )
            db.execute(
                "INSERT INTO console_accounts(name, password_hash, created_at) VALUES (?,?,?)"
                " ON CONFLICT(name) DO UPDATE SET password_hash=excluded.password_hash",
                (name, password_hash, self._now()),
            )
            db.execute(
                "INSERT INTO console_roles(name, community_id, role) VALUES (?,?,?)"
                " ON CONFLICT(name, community_id) DO UPDATE SET role=excluded.role",
                (name, community_id, role),
            )
        return new

    async def set_password_hash(self, name: str, password_hash: str) -> None:  # noqa: D102
        with self._tx() as db:
            db.execute(
                "UPDATE console_accounts SET password_hash=? WHERE name=?", (password_hash, name)
            )
