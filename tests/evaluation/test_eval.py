"""`nudgeguard eval`: replay, metrics, ground truth kept out of the engine."""

import asyncio
import json

from click.testing import CliRunner

from nudgeguard.cli import main
from nudgeguard.evaluation import compute_metrics, replay_corpora
from nudgeguard.evaluation.metrics import KEYS
from nudgeguard.evaluation.replay import Outcome
from nudgeguard.policy import load_policy

from .conftest import GROOMING, transcript


def _run(*args):
    result = CliRunner().invoke(main, ["eval", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def test_json_has_the_design_keys_and_finds_the_grooming(corpus, grooming_row, normal_row):
    path = corpus("mixed", [grooming_row, normal_row])
    out = json.loads(_run(path, "--json").stdout)
    assert set(KEYS) <= set(out)
    assert out["conversations"] == 2
    assert out["grooming_conversations"] == 1 and out["normal_conversations"] == 1
    assert out["messages"] == len(grooming_row["messages"]) + len(normal_row["messages"])
    assert out["recall"] == 1.0
    assert out["escalated_normal"] == 0
    assert out["subject_correct"] == 1.0
    assert out["child_nudged_by_escalation"] == 1.0
    assert out["median_messages_to_escalation"] <= len(GROOMING)


def test_readable_table_without_json(corpus, grooming_row, normal_row):
    result = _run(corpus("a", [grooming_row]), corpus("b", [normal_row]))
    assert "recall" in result.stdout and "subject_correct" in result.stdout
    assert "corpus" in result.stdout  # per-corpus breakdown for several files
    assert "{" not in result.stdout


def test_no_message_text_is_printed(corpus, grooming_row):
    result = _run(corpus("g", [grooming_row]), "--json")
    for _, text in GROOMING:
        assert len(text) < 12 or text not in result.output


def test_ground_truth_never_reaches_the_engine(corpus, grooming_row):
    flipped = json.loads(json.dumps(grooming_row))
    for p in flipped["participants"]:
        p["truth"] = {"suspect": "child", "child": "suspect"}[p["truth"]]
    flipped["label"] = "normal"
    pack = load_policy("default")
    (a,) = asyncio.run(replay_corpora([corpus("a", [grooming_row])], pack))
    (b,) = asyncio.run(replay_corpora([corpus("b", [flipped])], pack))
    assert (a.escalated_at, a.subject, a.cases, a.nudges) == (
        b.escalated_at,
        b.subject,
        b.cases,
        b.nudges,
    )
    assert a.subject_truth == "suspect" and b.subject_truth == "child"


def test_declared_ages_reach_the_engine_only_when_asked(corpus):
    quiet_child = [(a, t) for a, t in GROOMING if t != "13 f"]
    row = transcript(
        "g2", "grooming", quiet_child, {"u1": "suspect", "u2": "child"}, declared={"u2": "minor"}
    )
    path = corpus("g", [row])
    unknown = json.loads(_run(path, "--json", "--ages", "unknown").stdout)
    declared = json.loads(_run(path, "--ages", "declared", "--json").stdout)
    assert declared["median_messages_to_child_nudge"] < unknown["median_messages_to_child_nudge"]


def test_null_timestamps_are_filled(corpus):
    row = transcript("g3", "grooming", GROOMING, {"u1": "suspect", "u2": "child"}, null_ts=True)
    out = json.loads(_run(corpus("g", [row]), "--json").stdout)
    assert out["errors"] == 0 and out["messages"] == len(GROOMING)


def test_policy_option_and_bad_input(corpus, grooming_row, tmp_path):
    path = corpus("g", [grooming_row])
    observe = json.loads(_run(path, "--policy", "observe", "--json").stdout)
    assert observe["policy"] == "observe"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "messages": [{"text": 5}]}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(bad)])
    assert result.exit_code != 0
    assert "bad.jsonl:1" in result.output


def test_ids_and_times_an_event_cannot_carry_are_named(corpus, grooming_row, tmp_path):
    no_id = {**grooming_row, "id": ""}
    nan_time = {**grooming_row, "messages": [{**grooming_row["messages"][0], "ts": float("nan")}]}
    no_author = {**grooming_row, "messages": [{**grooming_row["messages"][0], "author": ""}]}
    for row, field in (
        (no_id, "id"),
        (nan_time, "messages.0.ts"),
        (no_author, "messages.0.author"),
    ):
        path = corpus("odd", [grooming_row, row])
        result = CliRunner().invoke(main, ["eval", str(path), "--json"])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert f"odd.jsonl:2: invalid field(s) {field}" in result.output


def test_metrics_arithmetic():
    def o(label, esc=None, subject="suspect", nudge=None, messages=10, nudges=0, cases=0):
        return Outcome(
            "c", "x", label, "direct", messages, esc, None, subject if esc else None,
            cases, nudges, nudge,
        )  # fmt: skip

    outcomes = [
        o("grooming", esc=10, nudge=5, cases=1),
        o("grooming", esc=30, nudge=40, cases=1),
        o("grooming"),
        o("normal", esc=3, subject="other", messages=1000, nudges=2, cases=1),
        o("normal", messages=1000),
    ]
    m = compute_metrics(outcomes)
    assert m["recall"] == round(2 / 3, 4)
    assert m["precision"] == round(2 / 3, 4)
    assert m["f0_5"] == round(2 / 3, 4)
    assert m["median_messages_to_escalation"] == 20
    assert m["child_nudged_by_escalation"] == 0.5
    assert m["nudges_per_1k_normal_messages"] == 1.0
    assert m["cases_per_1k_normal_messages"] == 0.5
    assert m["subject_correct"] == 1.0
    empty = compute_metrics([])
    assert empty["recall"] is None and empty["precision"] is None
