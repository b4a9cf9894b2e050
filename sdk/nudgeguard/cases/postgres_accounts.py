"""Web console accounts in the PostgreSQL store (see :mod:`nudgeguard.cases.accounts`)."""

from __future__ import annotations

from nudgeguard.cases.accounts import ROLES, Account
from nudgeguard.cases.postgres_base import PostgresBase


class PostgresAccounts(PostgresBase):
    """Console accounts in the PostgreSQL store."""

    async def account(self, name: str) -> Account | None:  # noqa: D102
        async with self._con() as con:
            row = await con.fetchrow("SELECT * FROM console_accounts WHERE name=$1", name)
            if row is None:
                return None
            roles = await con.fetch(
                "SELECT community_id, role FROM console_roles WHERE name=$1", name
            )
        return Account(
            row["name"],
            row["password_hash"],
            float(row["created_at"]),
            {r["community_id"]: r["role"] for r in roles},
        )

    async def save_account(  # noqa: D102
        self, name: str, password_hash: str, community_id: str, role: str
    ) -> bool:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        async with self._tx() as con:
            new = await con.fetchval("SELECT 1 FROM console_accounts WHERE name=$1", name) is None
            await con.execute(
                "INSERT INTO console_accounts(name, password_hash, created_at)"
                " VALUES ($1,$2,$3) ON CONFLICT (name)"
                " DO UPDATE SET password_hash=excluded.password_hash",
                name,
                password_hash,
                self._now(),
            )
            await con.execute(
                "INSERT INTO console_roles(name, community_id, role) VALUES ($1,$2,$3)"
                " ON CONFLICT (name, community_id) DO UPDATE SET role=excluded.role",
                name,
                community_id,
                role,
            )
        return bool(new)

    async def set_password_hash(self, name: str, password_hash: str) -> None:  # noqa: D102
        async with self._tx() as con:
            await con.execute(
                "UPDATE console_accounts SET password_hash=$1 WHERE name=$2", password_hash, name
            )
