"""`nudgeguard bench` and the synthetic corpus."""

import itertools
import json

from click.testing import CliRunner

from nudgeguard.cli import main
from nudgeguard.evaluation.synthetic import generate

from .conftest import GROOMING, transcript

BENCH_KEYS = {
    "messages",
    "baseline_msgs_per_s",
    "pipeline_msgs_per_s",
    "cost_ratio",
    "p50_us",
    "p99_us",
    "state_bytes_per_pair",
    "adversarial_max_us",
}


def test_synthetic_corpus_is_seeded_and_mixed():
    a, b = generate(3000, seed=3), generate(3000, seed=3)
    assert a == b
    assert generate(3000, seed=4) != a
    assert len(a) == 3000
    assert all(x.ts <= y.ts for x, y in itertools.pairwise(a))
    conversations = {r.conversation for r in a}
    assert len(conversations) > 10
    assert {r.kind for r in a} == {"direct", "group"}


def test_bench_json_keys_on_the_synthetic_corpus():
    result = CliRunner().invoke(main, ["bench", "--json", "--messages", "1500"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= BENCH_KEYS
    assert out["messages"] == 1500
    assert out["pipeline_msgs_per_s"] > 0 and out["baseline_msgs_per_s"] > 0
    assert out["cost_ratio"] > 1
    assert 0 < out["p50_us"] <= out["p99_us"]
    assert out["state_bytes_per_pair"] > 0
    assert out["adversarial_max_us"] > 0 and out["adversarial_messages"] > 300
    assert out["errors"] == 0


def test_bench_on_a_corpus_file(tmp_path):
    row = transcript("g", "grooming", GROOMING, {"u1": "suspect", "u2": "child"})
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["bench", "--corpus", str(path)])
    assert result.exit_code == 0, result.output
    assert "pipeline_msgs_per_s" in result.stdout
    for _, text in GROOMING:
        assert len(text) < 12 or text not in result.stdout


def test_bench_refuses_a_corpus_without_messages(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    silent = tmp_path / "silent.jsonl"
    silent.write_text(json.dumps(transcript("s", "normal", [], {})) + "\n", encoding="utf-8")
    for path in (empty, silent):
        result = CliRunner().invoke(main, ["bench", "--json", "--corpus", str(path)])
        assert result.exit_code == 1, result.output
        assert "no messages to time" in result.output
        assert "pipeline_msgs_per_s" not in result.stdout


async def test_baseline_and_pipeline_are_timed_in_turn_over_every_message():
    """Chunks smaller than the corpus: every message is timed once and handled once."""
    from nudgeguard.evaluation.bench import time_both
    from nudgeguard.policy import load_policy

    records = generate(250, seed=5)
    baseline, pipeline, latencies, engine = await time_both(
        records, load_policy("default"), chunk=100
    )
    assert baseline > 0 and pipeline > baseline
    assert len(latencies) == 250 and all(ns > 0 for ns in latencies)
    assert engine.stats.events == 250 and engine.stats.errors == 0
