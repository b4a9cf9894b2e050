"""The outbox, observations and settings, written once for every database.

Several bot processes may share one outbox (PostgreSQL). :meth:`SqlOutbox.claim` is a
conditional update (only a pending, due item is taken, and its next attempt moves to the
end of the lease), so two processes never send the same item at once and an item whose
process died mid-send is retried once its lease has run out. :meth:`SqlOutbox.claim_due`
takes a whole batch in one statement; on PostgreSQL it skips rows another process is
claiming at that moment instead of waiting for them.
"""

from __future__ import annotations

from nudgeguard.cases.rows import (
    json_list,
    outbox_item_from_row,
    outbox_record_from_row,
    parse_list,
)
from nudgeguard.cases.sql import Conn
from nudgeguard.cases.sql_base import SqlBase
from nudgeguard.cases.store import Observation, OutboxItem, OutboxRecord

#: An alert may be claimed only while no other alert of its case and target is in flight:
#: alerts of one case reach a moderator channel in the order they were queued.
_NONE_IN_FLIGHT = (
    " AND (kind<>'alert' OR case_id IS NULL OR NOT EXISTS (SELECT 1 FROM outbox o"
    " WHERE o.kind='alert' AND o.case_id=outbox.case_id AND o.target=outbox.target"
    " AND o.id<>outbox.id AND o.claimed_until>?))"
)


class SqlOutbox(SqlBase):
    """Outbox rows: stored before the first send, kept until delivered or given up.

    A newer alert of a case supersedes the older ones still pending for the same target
    (status ``superseded``, payload dropped): moderators get the latest state of a case,
    never an older one after a newer one. The update a moderator's decision queued (ids
    ``alert:<case>:moderated:...``) is never superseded: each decision reaches every
    target once (a webhook receiver gets each as its own delivery; a post is drawn from
    the record either way). :meth:`overtaken` tells the outbox when one would re-draw a
    post after a later update of its case (the outbox then drops it from that post).
    """

    async def _queue(self, con: Conn, item: OutboxItem) -> bool:
        """Insert an item and supersede older pending alerts of its case (in a transaction)."""
        now = self._now()
        inserted = await con.execute(
            "INSERT INTO outbox(id, case_id, target, kind, payload, status, attempts,"
            " next_at, created_at) VALUES (?,?,?,?,?,'pending',?,?,?)"
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
        if inserted != 1:
            return False
        if item.kind == "alert" and item.case_id is not None:
            await con.execute(
                "UPDATE outbox SET status='superseded', payload='', done_at=?"
                " WHERE kind='alert' AND case_id=? AND target=? AND id<>?"
                " AND status='pending' AND id NOT LIKE ?",
                now,
                item.case_id,
                item.target,
                item.id,
                f"alert:{item.case_id}:moderated:%",
            )
        return True

    async def enqueue(self, item: OutboxItem) -> bool:  # noqa: D102
        async with self.db.tx() as con:
            return await self._queue(con, item)

    async def due(self, now: float, limit: int = 50) -> list[OutboxItem]:  # noqa: D102
        async with self.db.con() as con:
            rows = await con.fetch(
                "SELECT * FROM outbox WHERE status='pending' AND next_at<=?"
                " ORDER BY next_at, {row_order} LIMIT ?",
                now,
                limit,
            )
        return [outbox_item_from_row(r) for r in rows]

    async def claim(self, item_id: str, now: float, lease: float) -> bool:  # noqa: D102
        async with self.db.tx() as con:
            row = await con.fetchrow("SELECT kind, case_id, target FROM outbox WHERE id=?", item_id)
            if row is not None and row["kind"] == "alert" and row["case_id"] is not None:
                # Two processes claiming two alerts of one case at once would each miss the
                # other's lease (read committed): claims of one case's alerts take turns.
                await self.db.lock(con, f"alert:{row['case_id']}:{row['target']}")
            taken = await con.execute(
                "UPDATE outbox SET next_at=?, claimed_until=? WHERE id=? AND status='pending'"
                " AND next_at<=?" + _NONE_IN_FLIGHT,
                now + lease,
                now + lease,
                item_id,
                now,
                now,
            )
        return taken == 1

    async def claim_due(
        self, now: float, lease: float, limit: int = 50, owner: str = ""
    ) -> list[OutboxItem]:
        """Take up to ``limit`` due items for this process in one statement.

        Each taken item's next attempt moves to ``now + lease``: if this process dies,
        another one retries the item after the lease.
        """
        async with self.db.con() as con:
            rows = await con.fetch(
                "UPDATE outbox SET next_at=?, claimed_by=?, claimed_until=? WHERE id IN ("
                " SELECT id FROM outbox WHERE status='pending' AND next_at<=?"
                + _NONE_IN_FLIGHT
                + " ORDER BY next_at, {row_order} LIMIT ?{skip_locked})"
                " RETURNING id, case_id, target, kind, payload, attempts, next_at",
                now + lease,
                owner,
                now + lease,
                now,
                now,
                limit,
            )
        return [outbox_item_from_row(r) for r in rows]

    async def mark_sent(self, item_id: str, ref: str | None, now: float) -> None:  # noqa: D102
        async with self.db.con() as con:
            await con.execute(
                "UPDATE outbox SET status=CASE status WHEN 'pending' THEN 'sent' ELSE status END,"
                " payload='', ref=?, done_at=?, attempts=attempts+1, claimed_until=NULL"
                " WHERE id=?",
                ref,
                now,
                item_id,
            )

    async def sent_ref(self, case_id: str, target: str) -> str | None:  # noqa: D102
        async with self.db.con() as con:
            ref = await con.fetchval(
                "SELECT ref FROM outbox WHERE case_id=? AND target=? AND kind='alert'"
                " AND status='sent' AND ref IS NOT NULL ORDER BY done_at DESC, {row_order} DESC"
                " LIMIT 1",
                case_id,
                target,
            )
        return None if ref is None else str(ref)

    async def overtaken(self, item_id: str) -> bool:  # noqa: D102
        async with self.db.con() as con:
            later = await con.fetchval(
                "SELECT 1 FROM outbox o JOIN outbox x ON o.case_id=x.case_id"
                " AND o.target=x.target WHERE x.id=? AND o.kind='alert'"
                " AND o.{row_order}>x.{row_order} AND o.status IN ('pending','sent') LIMIT 1",
                item_id,
            )
        return later is not None

    async def alert_targets(self, case_id: str) -> list[str]:  # noqa: D102
        async with self.db.con() as con:
            rows = await con.fetch(
                "SELECT DISTINCT target FROM outbox WHERE case_id=? AND kind='alert'"
                " ORDER BY target",
                case_id,
            )
        return [str(r["target"]) for r in rows]

    async def mark_retry(  # noqa: D102
        self, item_id: str, attempts: int, next_at: float, error: str
    ) -> None:
        async with self.db.con() as con:
            await con.execute(
                "UPDATE outbox SET attempts=?, next_at=?, last_error=?, claimed_until=NULL"
                " WHERE id=?",
                attempts,
                next_at,
                error,
                item_id,
            )

    async def mark_failed(self, item_id: str, status: str, error: str, now: float) -> None:  # noqa: D102
        async with self.db.con() as con:
            await con.execute(
                "UPDATE outbox SET status=CASE status WHEN 'superseded' THEN status ELSE ? END,"
                " payload='', last_error=?, done_at=?, attempts=attempts+1,"
                " claimed_until=NULL WHERE id=?",
                status,
                error,
                now,
                item_id,
            )

    async def outbox_items(  # noqa: D102
        self, status: str | None = None, limit: int = 100
    ) -> list[OutboxRecord]:
        sql, args = "SELECT * FROM outbox", list[object]()
        if status is not None:
            sql, args = sql + " WHERE status=?", [status]
        async with self.db.con() as con:
            rows = await con.fetch(
                sql + " ORDER BY created_at DESC, {row_order} DESC LIMIT ?", *args, limit
            )
        return [outbox_record_from_row(r) for r in rows]

    async def outbox_status(self) -> dict[str, int]:  # noqa: D102
        async with self.db.con() as con:
            rows = await con.fetch("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}

    # -- observations and settings ---------------------------------------------------------
    async def observe(self, obs: Observation) -> None:  # noqa: D102
        async with self.db.con() as con:
            await con.execute(
                "INSERT INTO observations(ts, platform, community_id, level, signals, actions,"
                " mode, family, detail) VALUES (?,?,?,?,?,?,?,?,?)",
                obs.ts,
                obs.platform,
                obs.community_id,
                obs.level,
                json_list(tuple(obs.signals)),
                json_list(tuple(obs.actions)),
                obs.mode,
                obs.family,
                obs.detail,
            )

    async def observations(  # noqa: D102
        self, since: float = 0.0, community_id: str | None = None
    ) -> list[Observation]:
        sql, args = "SELECT * FROM observations WHERE ts>=?", list[object]([since])
        if community_id is not None:
            sql, args = sql + " AND community_id=?", [since, community_id]
        async with self.db.con() as con:
            rows = await con.fetch(sql + " ORDER BY ts, id", *args)
        return [
            Observation(
                ts=r["ts"],
                platform=r["platform"],
                community_id=r["community_id"],
                level=r["level"],
                signals=parse_list(r["signals"]),
                actions=parse_list(r["actions"]),
                mode=r["mode"],
                family=r["family"],
                detail=r["detail"],
                id=int(r["id"]),
            )
            for r in rows
        ]

    async def get_setting(self, key: str) -> str | None:  # noqa: D102
        async with self.db.con() as con:
            value = await con.fetchval("SELECT value FROM meta WHERE key=?", f"setting:{key}")
        return None if value is None else str(value)

    async def set_setting(self, key: str, value: str) -> None:  # noqa: D102
        async with self.db.con() as con:
            await con.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET"
                " value=excluded.value",
                f"setting:{key}",
                value,
            )
