"""The command line as users call it."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nudgeguard.cli import main
from tests.policy.test_policy import BROKEN


def nudgeguard(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nudgeguard", *args],
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    store = tmp_path_factory.mktemp("demo") / "cases.sqlite3"
    result = nudgeguard("demo", "--store", str(store))
    assert result.returncode == 0, result.stderr
    return store, result.stdout


def test_demo_nudges_the_child_and_opens_a_case_about_the_groomer(demo_run):
    _, out = demo_run
    grooming = next(part for part in out.split("\n== ") if part.startswith("grooming-trajectory"))
    assert "NUDGE to mia (child" in grooming
    assert "NUDGE to alex" not in out, "the suspect was contacted"
    assert "CASE" in grooming and "subject: alex" in grooming
    assert "grooming-trajectory: " in out and "case subject: alex" in out


def test_demo_stays_quiet_on_benign_chats(demo_run):
    _, out = demo_run
    assert "benign-teens: nothing fired" in out
    assert "benign-adult-flirt: nothing fired" in out


def test_cases_list_json_on_the_demo_store(demo_run):
    store, _ = demo_run
    result = nudgeguard("cases", "list", "--json", "--store", str(store))
    cases = json.loads(result.stdout)
    assert len(cases) == 1
    assert {"id", "status", "severity", "subject", "signals"} <= set(cases[0])
    assert cases[0]["status"] == "open" and cases[0]["signals"]


def test_store_comes_from_the_environment(demo_run, tmp_path):
    store, _ = demo_run
    result = CliRunner().invoke(
        main, ["cases", "list", "--json"], env={"NUDGEGUARD_STORE": str(store)}
    )
    assert len(json.loads(result.output)) == 1


def test_show_hides_evidence_unless_asked_and_resolve_closes(demo_run, tmp_path):
    store, _ = demo_run
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(store.read_bytes())
    case_id = json.loads(nudgeguard("cases", "list", "--json", "--store", str(copy)).stdout)[0][
        "id"
    ]
    runner = CliRunner()
    shown = runner.invoke(main, ["cases", "show", case_id, "--store", str(copy)])
    assert "add --evidence" in shown.output and "profile pic" not in shown.output
    full = runner.invoke(main, ["cases", "show", case_id, "--evidence", "--store", str(copy)])
    assert "profile pic" in full.output
    done = runner.invoke(
        main, ["cases", "resolve", case_id, "--outcome", "confirmed", "--store", str(copy)]
    )
    assert "resolved" in done.output
    bundle = tmp_path / "bundle.json"
    runner.invoke(main, ["cases", "export", case_id, "--out", str(bundle), "--store", str(copy)])
    assert json.loads(bundle.read_text())["case"]["id"] == case_id


def test_verify_detects_tampering(demo_run, tmp_path):
    store, _ = demo_run
    copy = tmp_path / "tampered.sqlite3"
    copy.write_bytes(store.read_bytes())
    runner = CliRunner()
    assert runner.invoke(main, ["cases", "verify", "--store", str(copy)]).exit_code == 0
    db = sqlite3.connect(copy)
    db.execute("UPDATE audit SET actor='someone-else' WHERE seq=1")
    db.commit()
    db.close()
    result = runner.invoke(main, ["cases", "verify", "--store", str(copy)])
    assert result.exit_code == 1 and "row 1" in result.output


def test_policy_validate_names_line_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    result = nudgeguard("policy", "validate", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "bad.yaml:14: rules[0].do[0]" in result.stderr
    assert "bad.yaml:7: weights" in result.stderr
    ok = nudgeguard(
        "policy", "validate", "policies/default.yaml", cwd=Path(__file__).resolve().parents[2]
    )
    assert ok.returncode == 0 and "ok" in ok.stdout


def test_policy_explain_by_name():
    result = CliRunner().invoke(main, ["policy", "explain", "strict"])
    assert result.exit_code == 0 and "sexual-talk-or-photos" in result.output


def test_init_writes_a_config_that_loads(tmp_path, monkeypatch):
    from nudgeguard.config import load_config

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0
    settings = load_config(tmp_path / "nudgeguard.yaml")
    assert settings.policy == "observe"
    again = CliRunner().invoke(main, ["init"])
    assert again.exit_code != 0 and "exists" in again.output


def test_bad_config_gets_a_clear_error(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("policy: default\nstate:\n  backend: floppy\n")
    result = CliRunner().invoke(main, ["run", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "bad.yaml:3: state.backend" in result.output
    cfg.write_text("policy: default\nmystery: {}\n")
    result = CliRunner().invoke(main, ["run", "--config", str(cfg)])
    assert result.exit_code != 0 and "unknown setting 'mystery'" in result.output


def test_a_store_that_is_not_a_case_store_is_a_clear_error(tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n")
    other_app = tmp_path / "other.db"
    db = sqlite3.connect(other_app)
    db.execute("CREATE TABLE meta(key TEXT, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('schema_version', 'v2-beta')")
    db.commit()
    db.close()
    cases = [(text_file, "not a usable nudgeguard case store"), (tmp_path, "cannot open")]
    cases.append((other_app, "not a usable nudgeguard case store"))
    for store, complaint in cases:
        for args in (["cases", "list"], ["cases", "verify"], ["demo"]):
            result = CliRunner().invoke(main, [*args, "--store", str(store)])
            assert result.exit_code == 1 and isinstance(result.exception, SystemExit), args
            assert f"Error: {store}: " in result.output and complaint in result.output
    assert text_file.read_text() == "not a database\n", "the file was changed"
    cfg = tmp_path / "nudgeguard.yaml"
    cfg.write_text(f"cases:\n  path: {text_file}\ndiscord:\n  token_env: NG_TEST_NO_TOKEN\n")
    result = CliRunner().invoke(main, ["run", "--config", str(cfg)])
    assert result.exit_code == 1 and "not a usable nudgeguard case store" in result.output


def test_an_output_path_that_cannot_be_written_is_a_clear_error(tmp_path):
    store = str(tmp_path / "c.sqlite3")
    assert CliRunner().invoke(main, ["demo", "--store", store]).exit_code == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    commands = [
        ["report", "--since", "2020-01-01", "--out", str(blocker / "r.html"), "--store", store],
        [
            "privacy",
            "export",
            "--user",
            "local:mia",
            "--out",
            str(blocker / "x.json"),
            "--store",
            store,
        ],
    ]
    for args in commands:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), args
        assert result.output.startswith("Error: ") and str(blocker) in result.output


def test_secrets_are_never_printed(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "super-secret-key-material-123")
    from nudgeguard.config import Secrets

    assert "super-secret" not in repr(Secrets()) and "super-secret" not in str(Secrets())
