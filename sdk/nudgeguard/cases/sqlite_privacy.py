"""The SQLite store's privacy operations: feedback, retention purges and erasure."""

from __future__ import annotations

import json
from collections.abc import Sequence

from nudgeguard.cases.audit import ERASED_ACTOR, ERASURE_KIND, STORE_WIDE
from nudgeguard.cases.integrity import EMPTY, commitments, fold, state_digest
from nudgeguard.cases.rows import scrub_id
from nudgeguard.cases.sqlite_base import SqliteBase
from nudgeguard.cases.store import Erasure, Feedback

_FINISHED = ("sent", "undeliverable", "dead", "erased")


class SqlitePrivacy(SqliteBase):
    """Moderator feedback, retention and data-subject erasure."""

    def _write_feedback(self, case_id: str, verdict: str) -> None:
        """Record one verdict per signal of a case (inside a transaction)."""
        row = self._db.execute(
            "SELECT community_id, signals FROM cases WHERE id=?", (case_id,)
        ).fetchone()
        if row is None:
            return
        now = self._now()
        for signal in json.loads(row["signals"]):
            self._db.execute(
                "INSERT INTO feedback(case_id, community_id, signal, verdict, ts)"
                " VALUES (?,?,?,?,?) ON CONFLICT(case_id, signal) DO UPDATE SET"
                " verdict=excluded.verdict, ts=excluded.ts",
                (case_id, row["community_id"], signal, verdict, now),
            )

    async def feedback(  # noqa: D102
        self, since: float = 0.0, community_id: str | None = None
    ) -> list[Feedback]:
        sql, args = "SELECT * FROM feedback WHERE ts>=?", list[object]([since])
        if community_id is not None:
            sql, args = sql + " AND community_id=?", [*args, community_id]
        return [
            Feedback(r["case_id"], r["community_id"], r["signal"], r["verdict"], r["ts"])
            for r in self._db.execute(sql + " ORDER BY ts, case_id, signal", args)
        ]

    async def purge_cases(self, case_ids: Sequence[str], actor: str, reason: str) -> int:  # noqa: D102
        purged = 0
        with self._tx() as db:
            for case_id in case_ids:
                cur = db.execute("DELETE FROM cases WHERE id=?", (case_id,))
                if cur.rowcount == 0:
                    continue
                n = db.execute("DELETE FROM evidence WHERE case_id=?", (case_id,)).rowcount
                db.execute("DELETE FROM outbox WHERE case_id=?", (case_id,))
                self._audit(case_id, "purged", actor, {"reason": reason, "messages": n})
                purged += 1
        if purged:
            self._compact()
        return purged

    async def purge_records(self, before: float) -> int:  # noqa: D102
        with self._tx() as db:
            n = db.execute("DELETE FROM observations WHERE ts<?", (before,)).rowcount
            marks = ",".join("?" * len(_FINISHED))
            n += db.execute(
                f"DELETE FROM outbox WHERE status IN ({marks}) AND COALESCE(done_at, created_at)<?",
                (*_FINISHED, before),
            ).rowcount
        if n:
            self._compact()
        return n

    async def erase_person(self, pseudonym: str, user_id: str, actor: str) -> Erasure:  # noqa: D102
        needle = json.dumps(user_id)
        with self._tx() as db:
            touched: dict[str, dict[str, int | str]] = {}
            for r in db.execute(
                "SELECT case_id, COUNT(*) AS n FROM evidence WHERE author=? GROUP BY case_id",
                (pseudonym,),
            ).fetchall():
                touched.setdefault(r["case_id"], {})["messages"] = r["n"]
            for role in ("subject", "target"):
                for r in db.execute(
                    f"SELECT id FROM cases WHERE {role}=?", (pseudonym,)
                ).fetchall():
                    touched.setdefault(r["id"], {})["role"] = role
                db.execute(f"UPDATE cases SET {role}=? WHERE {role}=?", (ERASED_ACTOR, pseudonym))
            messages = db.execute("DELETE FROM evidence WHERE author=?", (pseudonym,)).rowcount
            mentions = 0
            for r in db.execute(
                "SELECT case_id, message_id, text FROM evidence WHERE instr(text, ?) > 0",
                (user_id,),
            ).fetchall():
                text = scrub_id(r["text"], user_id)
                if text != r["text"]:
                    db.execute(
                        "UPDATE evidence SET text=? WHERE case_id=? AND message_id=?",
                        (text, r["case_id"], r["message_id"]),
                    )
                    what = touched.setdefault(r["case_id"], {})
                    what["mentions"] = int(what.get("mentions", 0)) + 1
                    mentions += 1
            redacted = [
                r["seq"]
                for r in db.execute(
                    "SELECT seq, actor FROM audit WHERE instr(actor, ?) > 0", (pseudonym,)
                ).fetchall()
            ]
            for seq in redacted:
                db.execute("UPDATE audit SET actor=?, salt='' WHERE seq=?", (ERASED_ACTOR, seq))
            outbox = 0
            for r in db.execute(
                "SELECT id, status, payload FROM outbox WHERE instr(payload, ?) > 0", (needle,)
            ).fetchall():
                status = "erased" if r["status"] == "pending" else r["status"]
                db.execute("UPDATE outbox SET payload='', status=? WHERE id=?", (status, r["id"]))
                outbox += 1
            # Stores written before nudge keys were hashed kept the recipient in the key.
            suffix = ":" + user_id
            outbox += db.execute(
                "DELETE FROM outbox WHERE substr(id, -?) = ?", (len(suffix), suffix)
            ).rowcount
            for case_id, what in sorted(touched.items()):
                detail: dict[str, object] = {"messages": what.get("messages", 0)}
                if what.get("mentions"):
                    detail["mentions"] = what["mentions"]
                row = db.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
                if row is not None:  # the case as erasure leaves it, committed to the chain
                    evidence = db.execute(
                        "SELECT * FROM evidence WHERE case_id=? ORDER BY pos", (case_id,)
                    )
                    detail |= commitments(state_digest(row), fold(EMPTY, evidence))
                self._audit(case_id, ERASURE_KIND, actor, detail)
            self._audit(
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
        self._compact()
        return Erasure(len(touched), messages, len(redacted), outbox, mentions)
