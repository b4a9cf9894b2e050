"""`nudgeguard cases verify`: tampering with the audit trail is detected and named."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from nudgeguard.cli import main


def verify(path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["cases", "verify", "--store", str(path)])
    return result.exit_code, result.output


def sql(path, statement: str, *args) -> None:
    db = sqlite3.connect(path)
    db.execute(statement, args)
    db.commit()
    db.close()


def rows(path) -> int:
    db = sqlite3.connect(path)
    (n,) = db.execute("SELECT COUNT(*) FROM audit").fetchone()
    db.close()
    return n


def test_intact_chain_passes_and_prints_the_head(populated):
    code, out = verify(populated.path)
    assert code == 0, out
    assert "intact" in out and f"{rows(populated.path)} rows" in out


def test_an_altered_detail_is_named(populated):
    sql(populated.path, 'UPDATE audit SET detail=\'{"severity":"low"}\' WHERE seq=1')
    code, out = verify(populated.path)
    assert code == 1
    assert "row 1" in out and "altered" in out


def test_an_altered_kind_is_named(populated):
    sql(populated.path, "UPDATE audit SET kind='dismissed' WHERE seq=3")
    code, out = verify(populated.path)
    assert code == 1 and "row 3" in out


def test_a_changed_actor_is_named(populated):
    n = rows(populated.path)
    sql(populated.path, "UPDATE audit SET actor='mod:someone-else' WHERE seq=?", n)
    code, out = verify(populated.path)
    assert code == 1 and f"row {n}" in out and "actor" in out


def test_a_blanked_actor_without_an_erasure_record_is_named(populated):
    n = rows(populated.path)
    sql(populated.path, "UPDATE audit SET actor='[erased]', salt='' WHERE seq=?", n)
    code, out = verify(populated.path)
    assert code == 1 and f"row {n}" in out and "erasure" in out


def test_a_deleted_middle_row_is_named(populated):
    sql(populated.path, "DELETE FROM audit WHERE seq=2")
    code, out = verify(populated.path)
    assert code == 1 and "row 2" in out and "missing" in out


def test_a_deleted_last_row_is_named(populated):
    n = rows(populated.path)
    sql(populated.path, "DELETE FROM audit WHERE seq=?", n)
    code, out = verify(populated.path)
    assert code == 1 and f"row {n}" in out and "removed" in out


def test_renumbered_rows_after_a_deletion_are_caught(populated):
    sql(populated.path, "DELETE FROM audit WHERE seq=2")
    sql(populated.path, "UPDATE audit SET seq=seq-1 WHERE seq>2")
    code, out = verify(populated.path)
    assert code == 1 and "row 2" in out


def test_a_deleted_head_record_is_caught(populated):
    sql(populated.path, "DELETE FROM meta WHERE key='audit_head'")
    code, out = verify(populated.path)
    assert code == 1 and "head" in out
