"""Feedback, retention purges, erasure and console accounts, written once for every database.

Space: after a purge or an erasure the database reclaims the deleted rows
(:meth:`~nudgeguard.cases.sql.Database.compact`): SQLite overwrites them (``secure_delete``,
then ``VACUUM``); PostgreSQL vacuums the touched tables so the freed rows are reused, and
may keep old row versions on disk (and in WAL) until they are overwritten. Operators who
need the bytes gone at once run ``VACUUM FULL`` in a maintenance window (docs/scale.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from nudgeguard.cases.accounts import ROLES, Account
from nudgeguard.cases.audit import ERASED_ACTOR, ERASURE_KIND, STORE_WIDE
from nudgeguard.cases.integrity import EMPTY, commitments, fold, state_digest
from nudgeguard.cases.rows import scrub_id
from nudgeguard.cases.sql import Conn, placeholders
from nudgeguard.cases.sql_base import SqlBase
from nudgeguard.cases.store import Erasure, ErasureNotice, Feedback

_FINISHED = ("sent", "undeliverable", "dead", "erased")
#: Rows updated per statement when an erasure redacts audit actors.
_CHUNK = 500


class SqlPrivacy(SqlBase):
    """Moderator feedback, retention, data-subject erasure and console accounts."""

    async def _write_feedback(self, con: Conn, case_id: str, verdict: str) -> None:
        """Record one verdict per signal of a case (inside a transaction)."""
        row = await con.fetchrow("SELECT community_id, signals FROM cases WHERE id=?", case_id)
        if row is None:
            return
        now = self._now()
        for signal in json.loads(row["signals"]):
            await con.execute(
                "INSERT INTO feedback(case_id, community_id, signal, verdict, ts)"
                " VALUES (?,?,?,?,?) ON CONFLICT (case_id, signal) DO UPDATE SET"
                " verdict=excluded.verdict, ts=excluded.ts",
                case_id,
                row["community_id"],
                signal,
                verdict,
                now,
            )

    async def feedback(  # noqa: D102
        self, since: float = 0.0, community_id: str | None = None
    ) -> list[Feedback]:
        sql, args = "SELECT * FROM feedback WHERE ts>=?", list[object]([since])
        if community_id is not None:
            sql, args = sql + " AND community_id=?", [since, community_id]
        async with self.db.con() as con:
            rows = await con.fetch(sql + " ORDER BY ts, case_id, signal", *args)
        return [
            Feedback(r["case_id"], r["community_id"], r["signal"], r["verdict"], r["ts"])
            for r in rows
        ]

    async def purge_cases(self, case_ids: Sequence[str], actor: str, reason: str) -> int:  # noqa: D102
        purged = 0
        async with self.db.tx() as con:
            for case_id in case_ids:
                n = await con.execute("DELETE FROM evidence WHERE case_id=?", case_id)
                if await con.execute("DELETE FROM cases WHERE id=?", case_id) == 0:
                    continue
                await con.execute("DELETE FROM outbox WHERE case_id=?", case_id)
                await self._audit(con, case_id, "purged", actor, {"reason": reason, "messages": n})
                purged += 1
        if purged:
            await self.db.compact("evidence", "cases", "outbox")
        return purged

    async def purge_records(self, before: float) -> int:  # noqa: D102
        async with self.db.tx() as con:
            n = await con.execute("DELETE FROM observations WHERE ts<?", before)
            n += await con.execute(
                f"DELETE FROM outbox WHERE status IN ({placeholders(len(_FINISHED))})"
                " AND COALESCE(done_at, created_at)<?",
                *_FINISHED,
                before,
            )
        if n:
            await self.db.compact("observations", "outbox")
        return n

    async def erase_person(  # noqa: D102
        self, pseudonym: str, user_id: str, actor: str, *, platform: str = "", token: str = ""
    ) -> Erasure:
        needle = json.dumps(user_id)
        async with self.db.tx() as con:
            touched: dict[str, dict[str, int | str]] = {}
            for r in await con.fetch(
                "SELECT case_id, COUNT(*) AS n FROM evidence WHERE author=? GROUP BY case_id",
                pseudonym,
            ):
                touched.setdefault(r["case_id"], {})["messages"] = int(r["n"])
            for role in ("subject", "target"):
                for r in await con.fetch(f"SELECT id FROM cases WHERE {role}=?", pseudonym):
                    touched.setdefault(r["id"], {})["role"] = role
                await con.execute(
                    f"UPDATE cases SET {role}=? WHERE {role}=?", ERASED_ACTOR, pseudonym
                )
            messages = await con.execute("DELETE FROM evidence WHERE author=?", pseudonym)
            # Recorded decisions name people by pseudonym only; those go too.
            await con.execute(
                "UPDATE observations SET detail=replace(detail, ?, ?) WHERE {find}(detail, ?) > 0",
                pseudonym,
                ERASED_ACTOR,
                pseudonym,
            )
            mentions = 0
            for r in await con.fetch(
                "SELECT case_id, message_id, text FROM evidence WHERE {find}(text, ?) > 0",
                user_id,
            ):
                text = scrub_id(r["text"], user_id)
                if text != r["text"]:
                    await con.execute(
                        "UPDATE evidence SET text=? WHERE case_id=? AND message_id=?",
                        text,
                        r["case_id"],
                        r["message_id"],
                    )
                    what = touched.setdefault(r["case_id"], {})
                    what["mentions"] = int(what.get("mentions", 0)) + 1
                    mentions += 1
            redacted = [
                int(r["seq"])
                for r in await con.fetch(
                    "SELECT seq FROM audit WHERE {find}(actor, ?) > 0 ORDER BY seq", pseudonym
                )
            ]
            for i in range(0, len(redacted), _CHUNK):
                chunk = redacted[i : i + _CHUNK]
                await con.execute(
                    f"UPDATE audit SET actor=?, salt='' WHERE seq IN ({placeholders(len(chunk))})",
                    ERASED_ACTOR,
                    *chunk,
                )
            outbox = 0
            for r in await con.fetch(
                "SELECT id, status FROM outbox WHERE {find}(payload, ?) > 0", needle
            ):
                status = "erased" if r["status"] == "pending" else r["status"]
                await con.execute(
                    "UPDATE outbox SET payload='', status=? WHERE id=?", status, r["id"]
                )
                outbox += 1
            # Stores written before nudge keys were hashed kept the recipient in the key.
            suffix = ":" + user_id
            outbox += await con.execute(
                "DELETE FROM outbox WHERE length(id) >= ? AND substr(id, length(id) - ?) = ?",
                len(suffix),
                len(suffix) - 1,
                suffix,
            )
            for case_id, what in sorted(touched.items()):
                detail: dict[str, object] = {"messages": what.get("messages", 0)}
                if what.get("mentions"):
                    detail["mentions"] = what["mentions"]
                row = await con.fetchrow("SELECT * FROM cases WHERE id=?", case_id)
                if row is not None:  # the case as erasure leaves it, committed to the chain
                    evidence = await con.fetch(
                        "SELECT * FROM evidence WHERE case_id=? ORDER BY pos", case_id
                    )
                    detail |= commitments(state_digest(row), fold(EMPTY, evidence))
                await self._audit(con, case_id, ERASURE_KIND, actor, detail)
            store_wide: dict[str, object] = {
                "cases": len(touched),
                "messages": messages,
                "outbox_items": outbox,
                "redacted_rows": ",".join(str(s) for s in redacted),
            }
            if token:  # for running bots to match (ErasureNotice); not the pseudonym
                store_wide |= {"platform": platform, "forget": token}
            await self._audit(con, STORE_WIDE, ERASURE_KIND, actor, store_wide)
        await self.db.compact("evidence", "cases", "audit", "outbox", "observations")
        return Erasure(len(touched), messages, len(redacted), outbox, mentions)

    async def erasures_after(self, seq: int, limit: int = 100) -> list[ErasureNotice]:  # noqa: D102
        async with self.db.con() as con:
            rows = await con.fetch(
                "SELECT seq, detail FROM audit WHERE case_id=? AND kind=? AND seq>?"
                " ORDER BY seq LIMIT ?",
                STORE_WIDE,
                ERASURE_KIND,
                seq,
                limit,
            )
        notices = []
        for r in rows:
            try:
                detail = json.loads(r["detail"])
            except ValueError:
                detail = {}
            if not isinstance(detail, dict):
                detail = {}
            platform, token = detail.get("platform", ""), detail.get("forget", "")
            notices.append(
                ErasureNotice(
                    int(r["seq"]),
                    platform if isinstance(platform, str) else "",
                    token if isinstance(token, str) else "",
                )
            )
        return notices

    # -- console accounts (see nudgeguard.cases.accounts) ----------------------------------
    async def account(self, name: str) -> Account | None:  # noqa: D102
        async with self.db.con() as con:
            row = await con.fetchrow("SELECT * FROM console_accounts WHERE name=?", name)
            if row is None:
                return None
            roles = await con.fetch(
                "SELECT community_id, role FROM console_roles WHERE name=?", name
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
        async with self.db.tx() as con:
            new = await con.fetchval("SELECT 1 FROM console_accounts WHERE name=?", name) is None
            await con.execute(
                "INSERT INTO console_accounts(name, password_hash, created_at) VALUES (?,?,?)"
                " ON CONFLICT (name) DO UPDATE SET password_hash=excluded.password_hash",
                name,
                password_hash,
                self._now(),
            )
            await con.execute(
                "INSERT INTO console_roles(name, community_id, role) VALUES (?,?,?)"
                " ON CONFLICT (name, community_id) DO UPDATE SET role=excluded.role",
                name,
                community_id,
                role,
            )
        return bool(new)

    async def set_password_hash(self, name: str, password_hash: str) -> None:  # noqa: D102
        async with self.db.tx() as con:
            await con.execute(
                "UPDATE console_accounts SET password_hash=? WHERE name=?", password_hash, name
            )

    async def account_names(self, community_id: str) -> list[str]:  # noqa: D102
        async with self.db.con() as con:
            rows = await con.fetch(
                "SELECT name FROM console_roles WHERE community_id=? ORDER BY name", community_id
            )
        return [str(r["name"]) for r in rows]
