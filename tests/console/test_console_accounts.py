"""Accounts from the command line, and the console on a PostgreSQL store."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from nudgeguard.cli import main
from nudgeguard.console import create_app

from ..scale.services import POSTGRES_DSN, require
from .conftest import read, sign_in
from .world import SECRET_WORDS, seed

GOOD = "a long enough passphrase"


def _add(path, *args: str, password: str = GOOD):
    return CliRunner().invoke(
        main,
        ["console", "users", "add", *args, "--store", str(path)],
        input=password + "\n",
    )


def test_users_add_reads_the_password_from_stdin_and_stores_only_a_hash(store_path, world):
    result = _add(store_path, "dana", "--community", "c-alpha")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "added dana: moderator of c-alpha"
    account = read(store_path, lambda s: s.account("dana"))
    assert account.password_hash.startswith("$argon2id$") and GOOD not in account.password_hash
    assert account.roles == {"c-alpha": "moderator"}
    with sqlite3.connect(store_path) as db:
        dump = "\n".join(db.iterdump())
    assert GOOD not in dump
    again = _add(store_path, "dana", "--community", "c-beta", "--admin")
    assert again.output.strip() == "updated dana: admin of c-beta"
    assert read(store_path, lambda s: s.account("dana")).roles == {
        "c-alpha": "moderator",
        "c-beta": "admin",
    }
    audit = read(store_path, lambda s: s.events("*"))
    assert [e.detail["name"] for e in audit if e.kind == "console_account"] == ["dana", "dana"]
    assert read(store_path, lambda s: s.verify_chain()) is None


@pytest.mark.parametrize(
    ("args", "password", "says"),
    [
        (["dana", "--community", "c-alpha"], "short", "12 to 1024 characters"),
        (["dana", "--community", "c-alpha"], "", "12 to 1024 characters"),
        (["da na", "--community", "c-alpha"], GOOD, "NAME"),
        (["dana", "--community", "bad\x01id"], GOOD, "--community"),
    ],
)
def test_users_add_refuses_bad_input_in_one_line(store_path, world, args, password, says):
    result = _add(store_path, *args, password=password)
    assert result.exit_code != 0 and says in result.output
    assert "Traceback" not in result.output
    assert read(store_path, lambda s: s.account("dana")) is None


def test_serve_refuses_an_unusable_store_in_one_line(tmp_path):
    bad = tmp_path / "not-a-store"
    bad.write_text("plain text, not SQLite " * 100)
    result = CliRunner().invoke(main, ["console", "serve", "--store", str(bad), "--port", "0"])
    assert result.exit_code == 1 and "not a usable nudgeguard case store" in result.output
    assert "Traceback" not in result.output


def test_an_account_added_by_the_cli_signs_in(store_path, world, client):
    assert _add(store_path, "dana", "--community", "c-beta").exit_code == 0
    sign_in(client, "dana", GOOD)
    page = client.get("/").text
    assert "NG-BETA00003" in page and "NG-CRIT00001" not in page


def test_the_console_works_on_postgresql(monkeypatch):
    require(POSTGRES_DSN, 5432, "PostgreSQL")
    from nudgeguard.cases.postgres import PostgresCaseStore

    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "k" * 32)
    schema = f"console_{uuid.uuid4().hex[:10]}"

    async def seeded() -> None:
        store = PostgresCaseStore(POSTGRES_DSN, schema=schema)
        try:
            await seed(store)
        finally:
            await store.close()

    async def drop() -> None:
        import asyncpg

        con = await asyncpg.connect(POSTGRES_DSN)
        try:
            await con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await con.close()

    asyncio.run(seeded())
    try:
        app = create_app(
            lambda: PostgresCaseStore(POSTGRES_DSN, schema=schema), secure_cookies=False
        )
        with TestClient(app) as client:
            csrf = sign_in(client, "alice")
            queue = client.get("/").text
            assert "NG-CRIT00001" in queue and "NG-BETA00003" not in queue
            assert client.get("/cases/NG-BETA00003").status_code == 404
            shown = client.post(
                "/cases/NG-CRIT00001/evidence", data={"csrf": csrf, "show": "1"}
            ).text
            assert SECRET_WORDS[0] in shown and SECRET_WORDS[1] not in shown
            done = client.post(
                "/cases/NG-CRIT00001/action", data={"csrf": csrf, "action": "acknowledge"}
            )
            assert "Acknowledged." in done.text
            client.cookies.clear()  # one client: the store's pool lives on its event loop
            bobs = sign_in(client, "bob")
            audit = client.post("/audit", data={"csrf": bobs}).text
            assert "The audit chain is intact." in audit
            assert "evidence viewed" in audit and "acknowledged" in audit
    finally:
        asyncio.run(drop())
