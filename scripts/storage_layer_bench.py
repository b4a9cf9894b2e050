"""Why the case store has its own dialect seam: SQLAlchemy Core against it, same statements.

Usage (SQLAlchemy is not a nudgeguard dependency; install it next to nudgeguard first)::

    pip install 'sqlalchemy[asyncio]' aiosqlite
    python scripts/storage_layer_bench.py seam [ROUNDS]
    python scripts/storage_layer_bench.py sqlalchemy-async [ROUNDS]   # Core + aiosqlite
    python scripts/storage_layer_bench.py sqlalchemy-thread [ROUNDS]  # Core, sync, one thread
    python scripts/storage_layer_bench.py sqlalchemy-thread-prebuilt [ROUNDS]
    python scripts/storage_layer_bench.py sqlalchemy-async-prebuilt [ROUNDS]

The plain SQLAlchemy layers build each statement per call, values inline, as most Core
code reads; the ``-prebuilt`` ones build every statement once with bind parameters
(Core's documented fast path), so only execution is timed.

Each round is the statement sequence of opening a case in one transaction (insert the
case, find the next evidence position, insert three messages, read the case and its
evidence back, read the audit head, append an audit row, move the head, queue an alert,
supersede older ones) on tables of its own (``b_*``) in an SQLite file with the store's
PRAGMAs (WAL, synchronous NORMAL). ``seam`` runs it through
:class:`nudgeguard.cases.sqlite.SqliteDatabase` exactly as the store does.
Prints one JSON line: ``{"layer", "rounds", "rounds_per_s"}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from nudgeguard.cases.sqlite import SqliteDatabase

_PRAGMAS = ("secure_delete=ON", "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000")
_DDL = (
    "CREATE TABLE b_cases (id TEXT PRIMARY KEY, severity TEXT, body TEXT)",
    "CREATE TABLE b_evidence (case_id TEXT, message_id TEXT, pos INTEGER, text TEXT,"
    " PRIMARY KEY (case_id, message_id))",
    "CREATE TABLE b_audit (seq INTEGER PRIMARY KEY, case_id TEXT, detail TEXT)",
    "CREATE TABLE b_meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE b_outbox (id TEXT PRIMARY KEY, case_id TEXT, status TEXT)",
)


async def _seam_round(db: SqliteDatabase, n: int) -> None:
    cid = f"NG-{n}"
    async with db.tx() as con:
        await con.execute("INSERT INTO b_cases VALUES (?,?,?)", cid, "medium", "x")
        first = await con.fetchval(
            "SELECT COALESCE(MAX(pos), -1) + 1 FROM b_evidence WHERE case_id=?", cid
        )
        await con.executemany(
            "INSERT INTO b_evidence(case_id, message_id, pos, text) VALUES (?,?,?,?)",
            [(cid, f"m{i}", first + i, "hello") for i in range(3)],
        )
        await con.fetchrow("SELECT * FROM b_cases WHERE id=?", cid)
        await con.fetch("SELECT * FROM b_evidence WHERE case_id=? ORDER BY pos", cid)
        seq = int(await con.fetchval("SELECT value FROM b_meta WHERE key='audit_head'") or 0) + 1
        await con.execute("INSERT INTO b_audit VALUES (?,?,?)", seq, cid, "{}")
        await con.execute(
            "INSERT INTO b_meta(key, value) VALUES ('audit_head', ?)"
            " ON CONFLICT (key) DO UPDATE SET value=excluded.value",
            str(seq),
        )
        await con.execute(
            "INSERT INTO b_outbox VALUES (?,?,'pending') ON CONFLICT (id) DO NOTHING",
            f"a:{cid}",
            cid,
        )
        await con.execute(
            "UPDATE b_outbox SET status='superseded' WHERE case_id=? AND id<>?"
            " AND status='pending'",
            cid,
            f"a:{cid}",
        )


async def seam(path: Path, rounds: int) -> float:
    """Time ``rounds`` through the store's own SQLite seam (worker thread, one hop a round)."""
    db = SqliteDatabase(path)
    for ddl in _DDL:
        db.raw.execute(ddl)
    start = time.perf_counter()
    for n in range(rounds):
        await db.call(_seam_round, db, n)
    seconds = time.perf_counter() - start
    await db.call(db.close)
    return seconds


def _tables() -> Any:
    import sqlalchemy as sa

    md = sa.MetaData()
    t = {
        "cases": sa.Table(
            "b_cases",
            md,
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("severity", sa.Text),
            sa.Column("body", sa.Text),
        ),
        "evidence": sa.Table(
            "b_evidence",
            md,
            sa.Column("case_id", sa.Text, primary_key=True),
            sa.Column("message_id", sa.Text, primary_key=True),
            sa.Column("pos", sa.Integer),
            sa.Column("text", sa.Text),
        ),
        "audit": sa.Table(
            "b_audit",
            md,
            sa.Column("seq", sa.Integer, primary_key=True),
            sa.Column("case_id", sa.Text),
            sa.Column("detail", sa.Text),
        ),
        "meta": sa.Table(
            "b_meta", md, sa.Column("key", sa.Text, primary_key=True), sa.Column("value", sa.Text)
        ),
        "outbox": sa.Table(
            "b_outbox",
            md,
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("case_id", sa.Text),
            sa.Column("status", sa.Text),
        ),
    }
    return md, t


def _statements(t: Any, n: int) -> Any:
    """Yield the round's Core statements, built per call, as ``(statement, params, how)``.

    The generator is sent each result. This is how Core reads in most code: each call
    builds its statement with the values in it, and SQLAlchemy compiles it once per shape
    but still builds and cache-keys the expression every time.
    """
    import sqlalchemy as sa
    from sqlalchemy.dialects.sqlite import insert

    cid = f"NG-{n}"
    c, e, a, m, o = t["cases"], t["evidence"], t["audit"], t["meta"], t["outbox"]
    yield c.insert().values(id=cid, severity="medium", body="x"), None, None
    first = yield (
        sa.select(sa.func.coalesce(sa.func.max(e.c.pos), -1) + 1).where(e.c.case_id == cid),
        None,
        "scalar",
    )
    rows = [dict(case_id=cid, message_id=f"m{i}", pos=first + i, text="hello") for i in range(3)]
    yield e.insert(), rows, None
    yield sa.select(c).where(c.c.id == cid), None, "first"
    yield sa.select(e).where(e.c.case_id == cid).order_by(e.c.pos), None, "all"
    head = yield sa.select(m.c.value).where(m.c.key == "audit_head"), None, "scalar"
    seq = int(head or 0) + 1
    yield a.insert().values(seq=seq, case_id=cid, detail="{}"), None, None
    up = insert(m).values(key="audit_head", value=str(seq))
    yield (
        up.on_conflict_do_update(index_elements=[m.c.key], set_={"value": up.excluded.value}),
        None,
        None,
    )
    yield (
        insert(o).values(id=f"a:{cid}", case_id=cid, status="pending").on_conflict_do_nothing(),
        None,
        None,
    )
    yield (
        o.update()
        .where(o.c.case_id == cid, o.c.id != f"a:{cid}", o.c.status == "pending")
        .values(status="superseded"),
        None,
        None,
    )


def _prebuilt(t: Any) -> dict[str, Any]:
    """Build the round's statements once, values as bind parameters (Core's fast path)."""
    import sqlalchemy as sa
    from sqlalchemy.dialects.sqlite import insert

    c, e, a, m, o = t["cases"], t["evidence"], t["audit"], t["meta"], t["outbox"]
    bp = sa.bindparam
    up = insert(m).values(key="audit_head", value=bp("v"))
    return {
        "case": c.insert().values(id=bp("cid"), severity="medium", body="x"),
        "next": sa.select(sa.func.coalesce(sa.func.max(e.c.pos), -1) + 1).where(
            e.c.case_id == bp("cid")
        ),
        "evidence": e.insert(),
        "read_case": sa.select(c).where(c.c.id == bp("cid")),
        "read_evidence": sa.select(e).where(e.c.case_id == bp("cid")).order_by(e.c.pos),
        "head": sa.select(m.c.value).where(m.c.key == "audit_head"),
        "audit": a.insert().values(seq=bp("seq"), case_id=bp("cid"), detail="{}"),
        "move_head": up.on_conflict_do_update(
            index_elements=[m.c.key], set_={"value": up.excluded.value}
        ),
        "alert": insert(o)
        .values(id=bp("aid"), case_id=bp("cid"), status="pending")
        .on_conflict_do_nothing(),
        "supersede": o.update()
        .where(o.c.case_id == bp("cid"), o.c.id != bp("aid"), o.c.status == "pending")
        .values(status="superseded"),
    }


def _prebuilt_statements(s: dict[str, Any], n: int) -> Any:
    """Yield the round's prebuilt statements with their parameters, as :func:`_statements`."""
    cid = f"NG-{n}"
    key = {"cid": cid}
    yield s["case"], key, None
    first = yield s["next"], key, "scalar"
    rows = [dict(case_id=cid, message_id=f"m{i}", pos=first + i, text="hello") for i in range(3)]
    yield s["evidence"], rows, None
    yield s["read_case"], key, "first"
    yield s["read_evidence"], key, "all"
    seq = int((yield s["head"], None, "scalar") or 0) + 1
    yield s["audit"], {"seq": seq, "cid": cid}, None
    yield s["move_head"], {"v": str(seq)}, None
    yield s["alert"], {"aid": f"a:{cid}", "cid": cid}, None
    yield s["supersede"], {"aid": f"a:{cid}", "cid": cid}, None


def _read(result: Any, how: Any) -> Any:
    if how == "scalar":
        return result.scalar()
    if how == "first":
        return result.first()
    if how == "all":
        return result.all()
    return None


def _pragmas(dbapi_con: Any, _record: Any) -> None:
    cur = dbapi_con.cursor()
    for pragma in _PRAGMAS:
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _round(t: Any, prebuilt: dict[str, Any] | None, n: int) -> Any:
    return _prebuilt_statements(prebuilt, n) if prebuilt is not None else _statements(t, n)


async def sqlalchemy_async(path: Path, rounds: int, prebuild: bool = False) -> float:
    """Time ``rounds`` through SQLAlchemy Core async on aiosqlite."""
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    md, t = _tables()
    prebuilt = _prebuilt(t) if prebuild else None
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    sa.event.listen(engine.sync_engine, "connect", _pragmas)
    async with engine.begin() as con:
        await con.run_sync(md.create_all)
    async with engine.connect() as con:
        start = time.perf_counter()
        for n in range(rounds):
            async with con.begin():
                steps, value = _round(t, prebuilt, n), None
                try:
                    while True:
                        stmt, params, how = steps.send(value)
                        value = _read(await con.execute(stmt, params), how)
                except StopIteration:
                    pass
        seconds = time.perf_counter() - start
    await engine.dispose()
    return seconds


async def sqlalchemy_thread(path: Path, rounds: int, prebuild: bool = False) -> float:
    """Time ``rounds`` through SQLAlchemy Core (sync pysqlite), a round per worker-thread hop."""
    import sqlalchemy as sa

    md, t = _tables()
    prebuilt = _prebuilt(t) if prebuild else None
    engine = sa.create_engine(f"sqlite:///{path}")
    sa.event.listen(engine, "connect", _pragmas)
    md.create_all(engine)
    worker = ThreadPoolExecutor(1)
    loop = asyncio.get_running_loop()
    con = await loop.run_in_executor(worker, engine.connect)

    def one(n: int) -> None:
        with con.begin():
            steps, value = _round(t, prebuilt, n), None
            try:
                while True:
                    stmt, params, how = steps.send(value)
                    value = _read(con.execute(stmt, params), how)
            except StopIteration:
                pass

    start = time.perf_counter()
    for n in range(rounds):
        await loop.run_in_executor(worker, one, n)
    seconds = time.perf_counter() - start
    await loop.run_in_executor(worker, con.close)
    worker.shutdown()
    return seconds


async def main(layer: str, rounds: int) -> dict[str, Any]:
    """Time ``rounds`` rounds through ``layer`` on a fresh file."""
    runs = {
        "seam": seam,
        "sqlalchemy-async": sqlalchemy_async,
        "sqlalchemy-thread": sqlalchemy_thread,
        "sqlalchemy-async-prebuilt": lambda p, r: sqlalchemy_async(p, r, prebuild=True),
        "sqlalchemy-thread-prebuilt": lambda p, r: sqlalchemy_thread(p, r, prebuild=True),
    }
    if layer not in runs:
        sys.exit(f"unknown layer {layer!r}; one of: {', '.join(runs)}")
    with tempfile.TemporaryDirectory() as tmp:
        seconds = await runs[layer](Path(tmp) / "bench.sqlite3", rounds)
    return {"layer": layer, "rounds": rounds, "rounds_per_s": round(rounds / seconds, 1)}


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    print(json.dumps(asyncio.run(main(args[0], int(args[1]) if len(args) > 1 else 1000))))
