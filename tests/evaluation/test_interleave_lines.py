"""scripts/interleave_lines: speaker-separated lines become replayable pseudo-transcripts."""

import json
import subprocess
import sys
from pathlib import Path

from nudgeguard.local.transcript import read_transcripts

from .conftest import GROOMING

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "interleave_lines"


def test_lines_alternate_suspect_first_and_eval_reads_the_result(tmp_path):
    suspect = [text for who, text in GROOMING if who == "u1"]
    child = [text for who, text in GROOMING if who == "u2"]
    src = tmp_path / "lines.jsonl"
    src.write_text(
        json.dumps({"id": "s-1", "suspect_lines": suspect, "child_lines": child}) + "\n\n",
        encoding="utf-8",
    )
    out = tmp_path / "pseudo.jsonl"
    subprocess.run([sys.executable, str(SCRIPT), str(src), str(out)], check=True)
    (t,) = read_transcripts(out)
    authors = [m.author for m in t.messages]
    assert authors[: 2 * len(child)] == ["u1", "u2"] * len(child)
    assert authors[2 * len(child) :] == ["u1"] * (len(suspect) - len(child))
    assert [m.text for m in t.messages if m.author == "u1"] == suspect
    assert [m.ts for m in t.messages] == sorted(m.ts for m in t.messages)
    truth = {p.id: (p.truth, p.declared_age_band) for p in t.participants}
    assert truth == {"u1": ("suspect", "unknown"), "u2": ("child", "minor")}


def test_wrong_arguments_print_the_usage(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert result.returncode == 2 and "Usage" in result.stderr


def test_a_malformed_row_is_named_by_line_and_nothing_is_written(tmp_path):
    src = tmp_path / "lines.jsonl"
    src.write_text('{"id": "s-1", "suspect_lines": ["hi"], "child_lines": []}\n{"id": "s-2"}\n')
    out = tmp_path / "pseudo.jsonl"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(src), str(out)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "lines.jsonl:2:" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
