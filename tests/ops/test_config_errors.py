"""Config errors name the real line of every key, with a did-you-mean."""

from __future__ import annotations

from click.testing import CliRunner

from nudgeguard.cli import main

CONFIG = """\
# a comment
# another

policy: {policy}
country: GB

{metrics}: {{port: 9464}}
discord:
  guilds:
    "123456789012345678":
      moderator_channel_id: "not-a-number"
"""


def run(tmp_path, monkeypatch, **parts):
    cfg = tmp_path / "nudgeguard.yaml"
    cfg.write_text(CONFIG.format(**{"policy": "observe", "metrics": "metrics", **parts}))
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    result = CliRunner().invoke(main, ["run", "--config", str(cfg), "--store", str(tmp_path / "c")])
    assert result.exit_code == 2  # a config file problem, as main's one-line errors
    return result.output


def test_an_unknown_top_level_key_is_named_on_its_own_line(tmp_path, monkeypatch):
    out = run(tmp_path, monkeypatch, metrics="metrcs")
    assert "nudgeguard.yaml:7: metrcs: unknown setting 'metrcs'; did you mean 'metrics'?" in out


def test_a_misspelt_policy_is_named_on_its_line_with_a_suggestion(tmp_path, monkeypatch):
    out = run(tmp_path, monkeypatch, policy="obsrve")
    assert "nudgeguard.yaml:4: policy: unknown pack 'obsrve'; did you mean 'observe'?" in out
    assert "nudgeguard.yaml: policy" not in out  # no line-less variant


def test_an_adapter_section_error_names_its_line(tmp_path, monkeypatch):
    out = run(tmp_path, monkeypatch)
    assert "nudgeguard.yaml:11: discord.guilds.123456789012345678.moderator_channel_id:" in out


def test_keys_generate_prints_a_fresh_strong_key():
    first = CliRunner().invoke(main, ["keys", "generate"]).output.strip()
    second = CliRunner().invoke(main, ["keys", "generate", "--env"]).output.strip()
    assert len(first) >= 43 and first != second.split("=", 1)[1]
    assert second.startswith("NUDGEGUARD_PSEUDONYM_KEY=")


def test_unknown_fields_inside_core_sections_get_a_suggestion(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("policy: default\nstate:\n  backnd: redis\nmetrics:\n  prot: 9464\n")
    result = CliRunner().invoke(main, ["run", "--config", str(cfg)])
    out = result.output
    assert result.exit_code == 2
    assert "c.yaml:3: state.backnd: unknown field" in out and "did you mean 'backend'?" in out
    assert "c.yaml:5: metrics.prot: unknown field" in out and "did you mean 'port'?" in out


def test_an_empty_explicit_key_is_named_as_empty(tmp_path):
    """YAML's bare ``?`` makes a key with no name; the error still says what to fix."""
    from nudgeguard import ConfigError, load_config

    cfg = tmp_path / "nudgeguard.yaml"
    cfg.write_text("?\npolicy: default\n", encoding="utf-8")
    try:
        load_config(cfg)
    except ConfigError as exc:
        assert "line 1: (empty key): unknown setting ''" in str(exc)
    else:
        raise AssertionError("a key with no name was accepted")
