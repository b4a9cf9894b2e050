"""The case and privacy commands on the PostgreSQL store the bot uses at scale."""

import json

from click.testing import CliRunner

from nudgeguard.cli import main


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
