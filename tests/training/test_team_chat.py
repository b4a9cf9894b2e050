"""The team's ordinary chat: trained on by default, in six languages, never the regression set."""

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from nudgeguard.local.transcript import read_transcripts
from nudgeguard.pipeline.detectors.scorer_model import load_model
from nudgeguard.policy import load_policy
from nudgeguard.training.__main__ import main
from nudgeguard.training.crossval import cross_validate
from nudgeguard.training.data import REGRESSION_DATA, TEAM_CHAT, corpus_files

from .test_training import _normal, corpora  # noqa: F401  (the fixture)

TEAM_FILES = sorted(TEAM_CHAT.glob("*.jsonl"))


def _lines(paths: list[Path]) -> set[str]:
    return {m.text.strip().lower() for p in paths for t in read_transcripts(p) for m in t.messages}


def test_the_team_chat_is_ordinary_chat_in_six_languages():
    chats = [t for p in TEAM_FILES for t in read_transcripts(p)]
    assert len(chats) >= 150
    assert {t.label for t in chats} == {"normal"}
    assert {t.kind for t in chats} == {"direct", "group"}
    by_lang = Counter(t.lang for t in chats)
    assert set(by_lang) == {"pt", "es", "fr", "de", "nl", "en"}
    assert min(by_lang["pt"], by_lang["es"], by_lang["fr"]) >= 30, by_lang


def test_no_team_chat_sentence_comes_from_the_regression_set():
    regression = _lines(sorted(REGRESSION_DATA.glob("*.jsonl")))
    shared = {line for line in _lines(TEAM_FILES) & regression if len(line) >= 20}
    assert not shared, f"{len(shared)} sentences shared with tests/evaluation/data"


def test_training_refuses_the_regression_set(tmp_path):
    with pytest.raises(ValueError, match="never trained on"):
        corpus_files([REGRESSION_DATA])
    out = tmp_path / "m.bin"
    result = CliRunner().invoke(main, ["fit", str(REGRESSION_DATA), "--out", str(out)])
    assert result.exit_code != 0 and "never trained on" in result.output
    assert not out.exists()


def test_fit_trains_on_the_team_chat_unless_told_not_to(corpora, tmp_path):  # noqa: F811
    trained_on = {}
    for flag in ("--team-chat", "--no-team-chat"):
        out = tmp_path / f"{flag}.bin"
        args = ["fit", str(corpora), "--bits", "12", flag, "--out", str(out)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        trained_on[flag] = load_model(out).meta["trained_on"]
    assert trained_on["--no-team-chat"] == ["grooming_x", "normal_x"]
    assert trained_on["--team-chat"] == ["grooming_x", "normal_x"] + [p.stem for p in TEAM_FILES]


def test_cross_validation_reports_the_original_conversations_apart(corpora):  # noqa: F811
    team = corpora / "team_normal_xx.jsonl"
    team.write_text("".join(json.dumps(_normal(f"t{i}")) + "\n" for i in range(6)))
    result = cross_validate(
        sorted(corpora.glob("*.jsonl")), load_policy("default"), folds=3, fit_kwargs={"bits": 12}
    )
    assert result["conversations"] == 26 and result["by_corpus"]["team_normal_xx"]
    assert result["original"]["conversations"] == 20
    assert result["original"]["grooming_conversations"] == 10
