"""The PostgreSQL store's privacy operations: feedback, retention purges and erasure.

Space: after a purge or an erasure the touched tables are vacuumed so the freed rows are
reused; PostgreSQL may keep old row versions on disk (and in WAL) until they are
overwritten. Operators who need the bytes gone at once run ``VACUUM FULL`` in a
maintenance window (docs/scale.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from nudgeguard.cases.audit import ERASED_ACTOR, ERASURE_KIND, STORE_WIDE
from nudgeguard.cases.integrity import EMPTY, commitments, fold, state_digest
from nudgeguard.cases.postgres_base import PostgresBase, affected
from nudgeguard.cases.rows import scrub_id
from nudgeguard.cases.store import Erasure, Feedback

_FINISHED = ["sent", "undeliverable", "dead", "erased"]


class PostgresPrivacy(PostgresBase):
    """Moderator feedback, retention and data-subject erasure."""

    async def _write_feedback(self, con: Any, case_id: str, verdict: str) -> None:
        """Record one verdict per signal of a case (inside a transaction)."""
        row = await con.fetchrow("SELECT community_id, signals FROM cases WHERE id=$1", case_id)
        if row is None:
            return
        now = self._now()
        for signal in json.loads(row["signals"]):
            await con.execute(
                "INSERT INTO feedback(case_id, community_id, signal, verdict, ts)"
                " VALUES ($1,$2,$3,$4,$5) ON CONFLICT (case_id, signal) DO UPDATE SET"
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
        sql, args = "SELECT * FROM feedback WHERE ts>=$1", list[object]([since])
        if community_id is not None:
            sql, args = sql + " AND community_id=$2", [since, community_id]
        async with self._con() as con:
            rows = await con.fetch(sql + " ORDER BY ts, case_id, signal", *args)
        return [
            Feedback(r["case_id"], r["community_id"], r["signal"], r["verdict"], r["ts"])
            for r in rows
        ]

    async def _vacuum(self, *tables: str) -> None:
        async with self._con() as con:
            await con.execute("VACUUM " + ", ".join(tables))

    async def purge_cases(self, case_ids: Sequence[str], actor: str, reason: str) -> int:  # noqa: D102
        purged = 0
        async with self._tx() as con:
            for case_id in case_ids:
                n = affected(await con.execute("DELETE FROM evidence WHERE case_id=$1", case_id))
                if affected(await con.execute("DELETE FROM cases WHERE id=$1", case_id)) == 0:
                    continue
                await con.execute("DELETE FROM outbox WHERE case_id=$1", case_id)
                await self._audit(con, case_id, "purged", actor, {"reason": reason, "messages": n})
                purged += 1
        if purged:
            await self._vacuum("evidence", "cases", "outbox")
        return purged

    async def purge_records(self, before: float) -> int:  # noqa: D102
        async with self._tx() as con:
            n = affected(await con.execute("DELETE FROM observations WHERE ts<$1", before))
            n += affected(
                await con.execute(
                    "DELETE FROM outbox WHERE status = ANY($1::text[])"
                    " AND COALESCE(done_at, created_at)<$2",
                    _FINISHED,
                    before,
                )
            )
        if n:
            await self._vacuum("observations", "outbox")
        return n

    async def erase_person(self, pseudonym: str, user_id: str, actor: str) -> Erasure:  # noqa: D102
        needle = json.dumps(user_id)
        async with self._tx() as con:
            touched: dict[str, dict[str, int | str]] = {}
            for r in await con.fetch(
                "SELECT case_id, COUNT(*) AS n FROM evidence WHERE author=$1 GROUP BY case_id",
                pseudonym,
            ):
                touched.setdefault(r["case_id"], {})["messages"] = int(r["n"])
            for role in ("subject", "target"):
                for r in await con.fetch(f"SELECT id FROM cases WHERE {role}=$1", pseudonym):
                    touched.setdefault(r["id"], {})["role"] = role
                await con.execute(
                    f"UPDATE cases SET {role}=$1 WHERE {role}=$2", ERASED_ACTOR, pseudonym
                )
            messages = affected(
                await con.execute("DELETE FROM evidence WHERE author=$1", pseudonym)
            )
            mentions = 0
            for r in await con.fetch(
                "SELECT case_id, message_id, text FROM evidence WHERE strpos(text, $1) > 0",
                user_id,
            ):
                text = scrub_id(r["text"], user_id)
                if text != r["text"]:
                    await con.execute(
                        "UPDATE evidence SET text=$1 WHERE case_id=$2 AND message_id=$3",
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
                    "SELECT seq FROM audit WHERE strpos(actor, $1) > 0 ORDER BY seq", pseudonym
                )
            ]
            if redacted:
                await con.execute(
                    "UPDATE audit SET actor=$1, salt='' WHERE seq = ANY($2::bigint[])",
                    ERASED_ACTOR,
                    redacted,
                )
            outbox = 0
            for r in await con.fetch(
                "SELECT id, status FROM outbox WHERE strpos(payload, $1) > 0", needle
            ):
                status = "erased" if r["status"] == "pending" else r["status"]
                await con.execute(
                    "UPDATE outbox SET payload='', status=$1 WHERE id=$2", status, r["id"]
                )
                outbox += 1
            for case_id, what in sorted(touched.items()):
                detail: dict[str, object] = {"messages": what.get("messages", 0)}
                if what.get("mentions"):
                    detail["mentions"] = what["mentions"]
                row = await con.fetchrow("SELECT * FROM cases WHERE id=$1", case_id)
                if row is not None:  # the case as erasure leaves it, committed to the chain
                    evidence = await con.fetch(
                        "SELECT * FROM evidence WHERE case_id=$1 ORDER BY pos", case_id
                    )
                    detail |= commitments(state_digest(row), fold(EMPTY, evidence))
                await self._audit(con, case_id, ERASURE_KIND, actor, detail)
            await self._audit(
                con,
                STORE_WIDE,
                ERASURE_KIND,
                actor,
                {
                    "cases": len(touched),
                    "messages": messages,
                    "outbox_items": outbox,
                    "redacted_rows": ",".join(str(s) for s in redacted),
                },
            )
        await self._vacuum("evidence", "cases", "audit", "outbox")
        return Erasure(len(touched), messages, len(redacted), outbox, mentions)
