"""Configuration files: a hostile policy pack, config or corpus gets one line and exit code.

Each file below is small; before these defences an alias bomb of 430 bytes took 13-170 s
to validate, and deep nesting, invalid UTF-8 and long integers ended in tracebacks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nudgeguard.cli import main

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}]\n"
    for i in range(8)
)

HOSTILE_YAML: dict[str, tuple[bytes, str, str]] = {
    # name: (file content, line named, words of the problem)
    "alias_bomb": (ALIAS_BOMB.encode(), ":2:", "alias"),
    "deep_nesting": (b"name: x\nrules: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", ":2:", "nested"),
    "invalid_utf8": (b"name: x\n# note\nversion: \xff\xfe1\n", ":3:", "UTF-8"),
    "huge_int": (b"name: x\nversion: " + b"9" * 5000 + b"\n", ":2:", "digits"),
}


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output[:500]
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize("case", sorted(HOSTILE_YAML))
def test_policy_validate_refuses_a_hostile_pack_in_one_line(tmp_path: Path, case: str) -> None:
    content, line, problem = HOSTILE_YAML[case]
    pack = tmp_path / f"{case}.yaml"
    pack.write_bytes(content)
    result = CliRunner().invoke(main, ["policy", "validate", str(pack)])
    assert result.exit_code == 2
    error = _one_error_line(result.output)
    assert f"{case}.yaml{line}" in error and problem in error


@pytest.mark.parametrize("case", sorted(HOSTILE_YAML))
def test_run_refuses_a_hostile_config_in_one_line(tmp_path: Path, case: str) -> None:
    content, line, problem = HOSTILE_YAML[case]
    config = tmp_path / f"{case}.yaml"
    config.write_bytes(content)
    result = CliRunner().invoke(main, ["run", "--config", str(config)])
    assert result.exit_code == 2
    error = _one_error_line(result.output)
    assert f"{case}.yaml{line}" in error and problem in error


def test_anchors_without_aliases_and_ordinary_packs_still_load(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    result = CliRunner().invoke(main, ["policy", "validate", str(root / "policies/default.yaml")])
    assert result.exit_code == 0, result.output


HOSTILE_LINES: dict[str, bytes] = {
    "deep": b'{"id": "x", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "utf8": b'{"id": "x\xff", "messages": []}',
    "bigint": b'{"id": "x", "n": ' + b"7" * 5000 + b', "messages": []}',
}


@pytest.mark.parametrize("case", sorted(HOSTILE_LINES))
def test_eval_names_the_corpus_line_it_cannot_read(tmp_path: Path, case: str) -> None:
    corpus = tmp_path / f"{case}.jsonl"
    good = b'{"id": "ok", "label": "normal", "kind": "direct", "participants": [], "messages": []}'
    corpus.write_bytes(good + b"\n" + HOSTILE_LINES[case] + b"\n")
    result = CliRunner().invoke(main, ["eval", str(corpus), "--json"])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    error = _one_error_line(result.output)
    assert f"{case}.jsonl:2:" in error
