"""`cases verify` covers what moderators rely on: case rows, evidence and the file itself.

Each test edits the store behind the bot's back (as someone with file access would, or as
a failing disk does) and checks that verify names the case and exits non-zero, and that
`show`/`export` give one clear line instead of a traceback.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid

import pytest
from click.testing import CliRunner

from nudgeguard.cases.model import Case, EvidenceMessage, Severity
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main

from ..scale.services import POSTGRES_DSN, require

T0 = 1_700_000_000.0


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def sql(path, statement: str, *args) -> None:
    db = sqlite3.connect(path)
    db.execute(statement, args)
    db.commit()
    db.close()


def verify(path):
    return cli("cases", "verify", "--store", str(path))


def test_an_untouched_store_verifies(populated):
    result = verify(populated.path)
    assert result.exit_code == 0, result.output
    assert "every case matches" in result.output


@pytest.mark.parametrize(
    "edit",
    [
        "DELETE FROM cases WHERE id=?",
        "UPDATE cases SET severity='low' WHERE id=?",
        "UPDATE cases SET status='dismissed', outcome='false_positive' WHERE id=?",
        "UPDATE cases SET subject='p_someone_else' WHERE id=?",
        "UPDATE evidence SET text='nothing to see here' WHERE case_id=? AND pos=1",
        "DELETE FROM evidence WHERE case_id=? AND pos=0",
    ],
    ids=[
        "case-deleted",
        "severity-lowered",
        "closed-behind-the-moderators-back",
        "subject-swapped",
        "evidence-rewritten",
        "evidence-removed",
    ],
)
def test_an_edited_case_is_named_and_verify_fails(populated, edit):
    sql(populated.path, edit, populated.case_id)

    result = verify(populated.path)

    assert result.exit_code == 1, result.output
    assert f"case {populated.case_id} damaged" in result.output
    assert "Traceback" not in result.output


def test_export_refuses_an_edited_case_in_one_line(populated, tmp_path):
    sql(populated.path, "UPDATE cases SET severity='low' WHERE id=?", populated.case_id)

    result = cli("cases", "export", populated.case_id, "--store", str(populated.path))

    assert result.exit_code == 1
    assert populated.case_id in result.output and "fails verification" in result.output
    assert len(result.output.strip().splitlines()) == 1


def _padded(n: int) -> str:
    # Distinct, page-sized evidence so each case's message sits on its own pages.
    return f"marker-{n:03d} " + ("talk about school and games " * 60)


async def _many_cases(path, count: int) -> list[str]:
    store = SqliteCaseStore(path)
    ids = []
    for n in range(count):
        case = Case(
            id=f"NG-{n:03d}",
            platform="fake",
            community_id="g",
            conversation_id=f"c{n}",
            subject=f"p_s{n}",
            target=f"p_t{n}",
            severity=Severity.HIGH,
            score=1.0,
            opened_at=T0 + n,
            updated_at=T0 + n,
        )
        message = EvidenceMessage(message_id=f"m{n}", author=f"p_s{n}", ts=T0 + n, text=_padded(n))
        await store.open_case(case, [message])
        ids.append(case.id)
    await store.close()
    return ids


async def test_damage_in_the_middle_of_the_file_is_found_and_named(tmp_path):
    path = tmp_path / "cases.sqlite3"
    ids = await _many_cases(path, 40)
    data = bytearray(path.read_bytes())
    at = data.find(b"marker-020 ")
    assert at > 0, "the evidence is not in the main file"
    page = 4096
    start = at // page * page
    data[start : start + page] = bytes([0xA5]) * page  # a garbled page, as a bad disk leaves
    path.write_bytes(bytes(data))

    result = await asyncio.to_thread(verify, path)

    assert result.exit_code == 1, result.output
    assert "store file damaged" in result.output
    assert "case NG-020 damaged" in result.output
    assert "Traceback" not in result.output
    damaged = {line.split()[1] for line in result.output.splitlines() if line.startswith("case ")}
    assert damaged < set(ids), "the damage report names cases that do not exist"
    listed = await asyncio.to_thread(cli, "cases", "list", "--json", "--store", str(path))
    assert listed.exit_code == 0, "one damaged case must not hide the others"
    assert {c["id"] for c in json.loads(listed.output)} == set(ids)
    for command in (["show", "NG-020", "--evidence"], ["export", "NG-020"]):
        out = await asyncio.to_thread(cli, "cases", *command, "--store", str(path))
        assert out.exit_code == 1, out.output
        assert "NG-020" in out.output and "Traceback" not in out.output
        assert len(out.output.strip().splitlines()) == 1, out.output


async def test_a_store_of_a_newer_schema_is_one_line(tmp_path):
    path = tmp_path / "cases.sqlite3"
    await SqliteCaseStore(path).close()
    sql(path, "INSERT INTO schema_version(version, name, applied_at) VALUES (99, 'future', 0)")

    result = await asyncio.to_thread(cli, "cases", "list", "--store", str(path))

    assert result.exit_code == 1
    assert "newer" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


async def test_postgres_names_a_lowered_severity_and_rewritten_evidence():
    require(POSTGRES_DSN, 5432, "PostgreSQL")
    import asyncpg

    from nudgeguard.cases.postgres import PostgresCaseStore

    schema = f"ngverify_{uuid.uuid4().hex[:10]}"
    store = await PostgresCaseStore(POSTGRES_DSN, schema=schema).open()
    con = await asyncpg.connect(POSTGRES_DSN, server_settings={"search_path": schema})
    try:
        for n in range(3):
            case = Case(
                id=f"NG-{n}",
                platform="fake",
                community_id="g",
                conversation_id=f"c{n}",
                subject="p_s",
                target="p_t",
                severity=Severity.MEDIUM,
                score=1.0,
                opened_at=T0,
                updated_at=T0,
            )
            msg = EvidenceMessage(message_id="m1", author="p_s", ts=T0, text="keep it secret")
            await store.open_case(case, [msg])
        await store.add_evidence("NG-1", [msg.model_copy(update={"message_id": "m2"})])
        await store.add_evidence("NG-2", [], severity=Severity.CRITICAL)
        assert await store.verify_cases() == []

        await con.execute("UPDATE cases SET severity='low' WHERE id='NG-2'")
        await con.execute("UPDATE evidence SET text='hello' WHERE case_id='NG-1' AND pos=1")
        await con.execute("DELETE FROM cases WHERE id='NG-0'")

        named = {d.case_id for d in await store.verify_cases()}
        assert named == {"NG-0", "NG-1", "NG-2"}
    finally:
        await store.close()
        await con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await con.close()


async def test_a_damaged_cases_table_is_one_line_for_every_command(tmp_path):
    path = tmp_path / "cases.sqlite3"
    await _many_cases(path, 40)
    data = bytearray(path.read_bytes())
    page, at = 4096, data.find(b"p_t30")
    while at >= 0:  # every page holding that case row (table and index pages)
        start = at // page * page
        data[start : start + page] = bytes([0xA5]) * page
        at = data.find(b"p_t30", start + page)
    path.write_bytes(bytes(data))

    checked = await asyncio.to_thread(verify, path)
    assert checked.exit_code == 1 and "Traceback" not in checked.output, checked.output
    for command in (["list"], ["list", "--json"], ["show", "NG-030"], ["outbox"]):
        out = await asyncio.to_thread(cli, "cases", *command, "--store", str(path))
        assert out.exception is None or isinstance(out.exception, SystemExit), (command, out)
        assert "Traceback" not in out.output
        if out.exit_code != 0:
            assert len(out.output.strip().splitlines()) == 1, (command, out.output)
