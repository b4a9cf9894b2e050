"""The case and privacy commands on the PostgreSQL store the bot uses at scale."""

import json

from click.testing import CliRunner

from nudgeguard.cli import main

from .services import closed_port


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_demo_then_list_resolve_and_verify_on_postgres(postgres_db):
    demo = _run("demo", "--store", postgres_db)
    assert demo.exit_code == 0, demo.output
    listed = _run("cases", "list", "--json", "--store", postgres_db)
    (case,) = json.loads(listed.output)
    assert case["status"] == "open" and case["subject"].startswith("p_")
    resolved = _run(
        "cases", "resolve", case["id"], "--outcome", "confirmed", "--store", postgres_db
    )
    assert resolved.exit_code == 0, resolved.output
    (after,) = json.loads(_run("cases", "list", "--json", "--store", postgres_db).output)
    assert after["status"] != "open"
    assert _run("cases", "verify", "--store", postgres_db).exit_code == 0


def test_a_password_in_the_store_url_is_refused_without_echoing_it(postgres_db):
    with_password = postgres_db.replace("://", "://someone:hunter2@", 1)
    result = CliRunner().invoke(main, ["cases", "list", "--store", with_password])
    assert result.exit_code != 0
    assert "PGPASSWORD" in result.output
    assert "hunter2" not in result.output


def test_a_store_url_the_server_refuses_or_cannot_parse_is_a_clear_error(postgres_db):
    base = postgres_db.rsplit("/", 1)[0]
    host = base.split("@")[-1]
    refused = [
        (f"{base}/ng_no_such_database", 'database "ng_no_such_database" does not exist'),
        (f"postgresql://ng_no_such_role@{host}/postgres", 'role "ng_no_such_role"'),
        (f"postgresql://127.0.0.1:{closed_port()}/x", "Connect call failed"),
        ("postgresql://[broken/x", "not a valid PostgreSQL URL"),
        ("postgresql://db.example:99999999/x", "not a valid PostgreSQL URL"),
    ]
    for url, complaint in refused:
        result = CliRunner().invoke(main, ["cases", "list", "--store", url])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), url
        assert complaint in result.output, result.output
