"""The PostgreSQL store's outbox, observations and settings.

Several bot processes share one outbox. :meth:`PostgresOutbox.claim` is a conditional
update (only a pending, due item is taken, and its next attempt moves to the end of the
lease), so two processes never send the same item at once and an item whose process died
mid-send is retried once its lease has run out. :meth:`PostgresOutbox.claim_due` takes a
whole batch with ``FOR UPDATE SKIP LOCKED``, so draining processes do not even wait on
each other's rows.
"""

from __future__ import annotations

import json
from typing import Any

from nudgeguard.cases.postgres_base import PostgresBase, affected
from nudgeguard.cases.rows import outbox_item_from_row, outbox_record_from_row
from nudgeguard.cases.store import Observation, OutboxItem, OutboxRecord

#: As in the SQLite store: an alert is claimed only while no other alert of its case and
#: target is in flight ($N is the claim time's parameter number, filled in by format).
_NONE_IN_FLIGHT = (
    " AND (kind<>'alert' OR case_id IS NULL OR NOT EXISTS (SELECT 1 FROM outbox o"
    " WHERE o.kind='alert' AND o.case_id=outbox.case_id AND o.target=outbox.target"
    " AND o.id<>outbox.id AND o.claimed_until>${n}))"
)


class PostgresOutbox(PostgresBase):
    """Outbox rows: stored before the first send, kept until delivered or given up.

    A newer alert of a case supersedes the older ones still pending for the same target
    (see :class:`~nudgeguard.cases.sqlite_outbox.SqliteOutbox`).
    """

    async def _queue(self, con: Any, item: OutboxItem) -> bool:
        """Insert an item and supersede older pending alerts of its case (in a transaction)."""
        now = self._now()
        status = await con.execute(
            "INSERT INTO outbox(id, case_id, target, kind, payload, status, attempts,"
            " next_at, created_at) VALUES ($1,$2,$3,$4,$5,'pending',$6,$7,$8)"
            " ON CONFLICT (id) DO NOTHING",
            item.id,
            item.case_id,
            item.target,
            item.kind,
            item.payload,
            item.attempts,
            item.next_at,
            now,
        )
        if affected(status) != 1:
            return False
        if item.kind == "alert" and item.case_id is not None:
            await con.execute(
                "UPDATE outbox SET status='superseded', payload='', done_at=$1"
                " WHERE kind='alert' AND case_id=$2 AND target=$3 AND id<>$4"
                " AND status='pending'",
                now,
                item.case_id,
                item.target,
                item.id,
            )
        return True

    async def enqueue(self, item: OutboxItem) -> bool:  # noqa: D102
        async with self._tx() as con:
            return await self._queue(con, item)

    async def due(self, now: float, limit: int = 50) -> list[OutboxItem]:  # noqa: D102
        async with self._con() as con:
            rows = await con.fetch(
                "SELECT * FROM outbox WHERE status='pending' AND next_at<=$1"
                " ORDER BY next_at, row_no LIMIT $2",
                now,
                limit,
            )
        return [outbox_item_from_row(r) for r in rows]

    async def claim(self, item_id: str, now: float, lease: float) -> bool:  # noqa: D102
        async with self._tx() as con:
            row = await con.fetchrow(
                "SELECT kind, case_id, target FROM outbox WHERE id=$1", item_id
            )
            if row is not None and row["kind"] == "alert" and row["case_id"] is not None:
                # Two processes claiming two alerts of one case at once would each miss the
                # other's lease (read committed): claims of one case's alerts take turns.
                await con.execute(
                    "SELECT pg_advisory_xact_lock(hashtext($1))",
                    f"alert:{row['case_id']}:{row['target']}",
                )
            status = await con.execute(
                "UPDATE outbox SET next_at=$1, claimed_until=$1 WHERE id=$2 AND status='pending'"
                " AND next_at<=$3" + _NONE_IN_FLIGHT.format(n=3),
                now + lease,
                item_id,
                now,
            )
        return affected(status) == 1

    async def claim_due(
        self, now: float, lease: float, limit: int = 50, owner: str = ""
    ) -> list[OutboxItem]:
        """Take up to ``limit`` due items for this process in one statement.

        Rows another process is claiming at this moment are skipped, not waited for. Each
        taken item's next attempt moves to ``now + lease``: if this process dies, another
        one retries the item after the lease.
        """
        async with self._con() as con:
            rows = await con.fetch(
                "UPDATE outbox SET next_at=$1, claimed_by=$2, claimed_until=$1 WHERE id IN ("
                " SELECT id FROM outbox WHERE status='pending' AND next_at<=$3"
                + _NONE_IN_FLIGHT.format(n=3)
                + " ORDER BY next_at, row_no LIMIT $4 FOR UPDATE SKIP LOCKED)"
                " RETURNING id, case_id, target, kind, payload, attempts, next_at",
                now + lease,
                owner,
                now,
                limit,
            )
        return [outbox_item_from_row(r) for r in rows]

    async def mark_sent(self, item_id: str, ref: str | None, now: float) -> None:  # noqa: D102
        async with self._con() as con:
            await con.execute(
                "UPDATE outbox SET status=CASE status WHEN 'pending' THEN 'sent' ELSE status END,"
                " payload='', ref=$1, done_at=$2, attempts=attempts+1, claimed_until=NULL"
                " WHERE id=$3",
                ref,
                now,
                item_id,
            )

    async def sent_ref(self, case_id: str, target: str) -> str | None:  # noqa: D102
        async with self._con() as con:
            ref = await con.fetchval(
                "SELECT ref FROM outbox WHERE case_id=$1 AND target=$2 AND kind='alert'"
                " AND status='sent' AND ref IS NOT NULL ORDER BY done_at DESC, row_no DESC"
                " LIMIT 1",
                case_id,
                target,
            )
        return None if ref is None else str(ref)

    async def mark_retry(  # noqa: D102
        self, item_id: str, attempts: int, next_at: float, error: str
    ) -> None:
        async with self._con() as con:
            await con.execute(
                "UPDATE outbox SET attempts=$1, next_at=$2, last_error=$3, claimed_until=NULL"
                " WHERE id=$4",
                attempts,
                next_at,
                error,
                item_id,
            )

    async def mark_failed(self, item_id: str, status: str, error: str, now: float) -> None:  # noqa: D102
        async with self._con() as con:
            await con.execute(
                "UPDATE outbox SET status=CASE status WHEN 'superseded' THEN status ELSE $1 END,"
                " payload='', last_error=$2, done_at=$3, attempts=attempts+1,"
                " claimed_until=NULL WHERE id=$4",
                status,
                error,
                now,
                item_id,
            )

    async def outbox_items(  # noqa: D102
        self, status: str | None = None, limit: int = 100
    ) -> list[OutboxRecord]:
        async with self._con() as con:
            if status is None:
                rows = await con.fetch(
                    "SELECT * FROM outbox ORDER BY created_at DESC, row_no DESC LIMIT $1", limit
                )
            else:
                rows = await con.fetch(
                    "SELECT * FROM outbox WHERE status=$1"
                    " ORDER BY created_at DESC, row_no DESC LIMIT $2",
                    status,
                    limit,
                )
        return [outbox_record_from_row(r) for r in rows]

    async def outbox_status(self) -> dict[str, int]:  # noqa: D102
        async with self._con() as con:
            rows = await con.fetch("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}

    # -- observations and settings ---------------------------------------------------------
    async def observe(self, obs: Observation) -> None:  # noqa: D102
        async with self._con() as con:
            await con.execute(
                "INSERT INTO observations(ts, platform, community_id, level, signals, actions,"
                " mode, family, detail) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                obs.ts,
                obs.platform,
                obs.community_id,
                obs.level,
                json.dumps(list(obs.signals)),
                json.dumps(list(obs.actions)),
                obs.mode,
                obs.family,
                obs.detail,
            )

    async def observations(  # noqa: D102
        self, since: float = 0.0, community_id: str | None = None
    ) -> list[Observation]:
        sql, args = "SELECT * FROM observations WHERE ts>=$1", list[object]([since])
        if community_id is not None:
            sql, args = sql + " AND community_id=$2", [since, community_id]
        async with self._con() as con:
            rows = await con.fetch(sql + " ORDER BY ts, id", *args)
        return [
            Observation(
                ts=r["ts"],
                platform=r["platform"],
                community_id=r["community_id"],
                level=r["level"],
                signals=tuple(json.loads(r["signals"])),
                actions=tuple(json.loads(r["actions"])),
                mode=r["mode"],
                family=r["family"],
                detail=r["detail"],
                id=int(r["id"]),
            )
            for r in rows
        ]

    async def get_setting(self, key: str) -> str | None:  # noqa: D102
        async with self._con() as con:
            value = await con.fetchval("SELECT value FROM meta WHERE key=$1", f"setting:{key}")
        return None if value is None else str(value)

    async def set_setting(self, key: str, value: str) -> None:  # noqa: D102
        async with self._con() as con:
            await con.execute(
                "INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET"
                " value=excluded.value",
                f"setting:{key}",
                value,
            )
