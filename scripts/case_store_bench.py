"""Case-store throughput: cases opened per second (open + one append + one queued nudge).

Usage::

    python scripts/case_store_bench.py sqlite [N]          # a file store in a temp dir
    python scripts/case_store_bench.py postgresql://...  [N] # a fresh schema, dropped after

Each of the N rounds opens a case with three evidence messages and its alert (one
transaction), appends one message that raises the severity (one transaction, with a new
alert superseding the first), and queues one nudge: the writes a case costs the bot.
Prints one JSON line: ``{"backend", "rounds", "seconds", "cases_per_s"}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from nudgeguard.cases.model import Case, EvidenceMessage, Severity
from nudgeguard.cases.store import OutboxItem

T0 = 1_700_000_000.0


def _case(n: int) -> Case:
    return Case(
        id=f"NG-{n}",
        platform="bench",
        community_id="guild-1",
        conversation_id=f"chan-{n % 50}",
        subject=f"p_s{n}",
        target=f"p_t{n}",
        severity=Severity.MEDIUM,
        score=3.5,
        signals=("age_probe",),
        stages=("RA",),
        reasons=("level medium",),
        opened_at=T0 + n,
        updated_at=T0 + n,
    )


def _msg(n: int, i: int) -> EvidenceMessage:
    return EvidenceMessage(
        message_id=f"m{n}-{i}", author=f"p_s{n}", ts=T0 + n + i, text=f"message {i} of {n}"
    )


def _alert(case: Case) -> list[OutboxItem]:
    item_id = f"alert:{case.id}:{case.severity.value}"
    return [OutboxItem(item_id, case.id, "mods", "alert", "{}")]


async def _rounds(store: Any, rounds: int) -> float:
    start = time.perf_counter()
    for n in range(rounds):
        case = await store.open_case(_case(n), [_msg(n, i) for i in range(3)], announce=_alert)
        await store.add_evidence(
            case.id, [_msg(n, 3)], severity=Severity.HIGH, signals=("threat",), announce=_alert
        )
        await store.enqueue(OutboxItem(f"nudge:{n}", case.id, "bench", "nudge", "{}"))
    return time.perf_counter() - start


async def main(target: str, rounds: int) -> dict[str, Any]:
    """Run the rounds against ``target`` (``sqlite`` or a PostgreSQL DSN)."""
    if target == "sqlite":
        from nudgeguard.cases.sqlite import SqliteCaseStore

        with tempfile.TemporaryDirectory() as tmp:
            store: Any = SqliteCaseStore(Path(tmp) / "bench.sqlite3")
            seconds = await _rounds(store, rounds)
            assert await store.verify_chain() is None
            await store.close()
    else:
        import asyncpg  # type: ignore[import-untyped]

        from nudgeguard.cases.postgres import PostgresCaseStore

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        store = await PostgresCaseStore(target, schema=schema).open()
        try:
            seconds = await _rounds(store, rounds)
            assert await store.verify_chain() is None
        finally:
            await store.close()
            con = await asyncpg.connect(target)
            await con.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await con.close()
    backend = "sqlite" if target == "sqlite" else "postgres"
    return {
        "backend": backend,
        "rounds": rounds,
        "seconds": round(seconds, 3),
        "cases_per_s": round(rounds / seconds, 1),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    print(json.dumps(asyncio.run(main(args[0], int(args[1]) if len(args) > 1 else 500))))
