"""`nudgeguard assess`: projected nudges and cases per 1,000 messages and per child."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from nudgeguard.cli import main
from nudgeguard.evaluation.assessment import assess, mask, render_html, render_markdown
from nudgeguard.policy import load_policy

from ..core.keyword_detector import KeywordDetector

GROOMING = [
    "hey",
    "how old are you",
    "are you alone at home",
    "keep this our secret",
    "add me on snapchat",
    "send me a photo",
]
CHAT = ["did you finish the homework", "almost, question four is hard", "see you tomorrow"]


def corpus(tmp_path, name="c.jsonl", ages=("minor", "unknown")):
    lines = [
        {
            "id": "g1",
            "kind": "direct",
            "label": "grooming",
            "participants": [
                {"id": "kid", "truth": "child", "declared_age_band": ages[0]},
                {"id": "stranger", "truth": "suspect", "declared_age_band": ages[1]},
            ],
            "messages": [
                {"author": "kid" if i == 0 else "stranger", "ts": i * 30, "text": t}
                for i, t in enumerate(GROOMING)
            ],
        },
        {
            "id": "n1",
            "kind": "group",
            "participants": [{"id": "a"}, {"id": "b"}],
            "messages": [
                {"author": "ab"[i % 2], "ts": None, "text": t} for i, t in enumerate(CHAT)
            ],
        },
    ]
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def test_mask_keeps_only_first_letters():
    assert mask("are u home alone?") == "a** u h*** a****?"
    assert mask("  spaced\n\tout  ") == "s***** o**"
    assert len(mask("word " * 100)) <= 60


async def test_projection_per_thousand_messages_and_per_child(tmp_path):
    report = await assess(
        [corpus(tmp_path)], load_policy("default"), "declared", detectors=[KeywordDetector()]
    )
    assert report.conversations == 2 and report.messages == len(GROOMING) + len(CHAT)
    assert report.active_children == 1, "the declared minor"
    assert report.cases == 1 and report.nudges >= 1
    assert report.per_1k(report.cases) == 1000 / report.messages
    assert report.per_child(report.nudges) == report.nudges
    assert report.signals["secrecy_request"].nudges >= 1
    assert report.signals["age_probe"].cases == 1
    assert report.signals["age_probe"].examples == ["h** o**"]


async def test_unknown_ages_hide_declared_bands(tmp_path):
    report = await assess(
        [corpus(tmp_path)], load_policy("default"), "unknown", detectors=[KeywordDetector()]
    )
    assert report.active_children == 0
    assert report.per_child(report.nudges) is None


async def test_observe_packs_are_projected_as_if_live(tmp_path):
    report = await assess(
        [corpus(tmp_path)], load_policy("observe"), "declared", detectors=[KeywordDetector()]
    )
    assert report.policy == "observe" and report.cases == 1


async def test_reports_hold_no_readable_text(tmp_path):
    report = await assess(
        [corpus(tmp_path)], load_policy("default"), "declared", detectors=[KeywordDetector()]
    )
    for text in (render_markdown(report), render_html(report)):
        for line in GROOMING[1:] + CHAT:
            assert line not in text
        assert "Nudges per active child" in text
    examples = [e for s in report.signals.values() for e in s.examples]
    assert examples and all(re.fullmatch(r"(\w\**\W*\s?)+", e) for e in examples)


def test_cli_writes_html_with_the_built_in_detectors(tmp_path):
    out = tmp_path / "impact.html"
    path = corpus(tmp_path)
    result = CliRunner().invoke(
        main, ["assess", str(path), "--policy", "default", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "per 1,000 messages" in page
    for line in GROOMING[1:]:
        assert line not in page


def test_cli_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    result = CliRunner().invoke(main, ["assess", str(bad), "--policy", "default"])
    assert result.exit_code == 1 and "bad.jsonl:1" in result.output
    result = CliRunner().invoke(main, ["assess", str(bad), "--policy", "no-such-pack"])
    assert result.exit_code == 1


def test_markdown_to_stdout(tmp_path):
    result = CliRunner().invoke(
        main, ["assess", str(corpus(tmp_path)), "--policy", "default", "--ages", "unknown"]
    )
    assert result.exit_code == 0
    assert result.output.startswith("# Impact assessment: policy default")
