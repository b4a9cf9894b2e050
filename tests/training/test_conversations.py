"""The conversation model: whole conversations, the child's side alone, both files, both heads."""

import json

from click.testing import CliRunner

from nudgeguard.pipeline.detectors import LearnedDetector
from nudgeguard.pipeline.detectors.scorer_model import load_model
from nudgeguard.pipeline.text import normalize
from nudgeguard.policy import load_policy
from nudgeguard.training import crossval
from nudgeguard.training.__main__ import main
from nudgeguard.training.data import fold_of, read_conversations

from . import test_training
from .test_training import CHILD, NORMAL, SUSPECT, _grooming, _normal

corpora = test_training.corpora  # the fixture: ten grooming and ten normal chats


def _norm(lines):
    return tuple(normalize(t).text for t in lines)


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_a_grooming_conversation_is_positive_and_the_childs_side_alone_negative(corpora):
    got = [s for s in read_conversations(corpora / "grooming_x.jsonl") if s.group.endswith("/g0")]
    assert [(s.role, s.label, s.weight, s.corpus) for s in got] == [
        ("conversation", 1, 1.0, "grooming_x"),
        ("alone", 0, 1.0, "grooming_x#alone"),
    ]
    whole, alone = got
    assert whole.group == alone.group == "grooming_x/g0"
    assert len(whole.texts) == 10 and whole.texts[:2] == _norm([SUSPECT[0], CHILD[0]])
    assert alone.texts == _norm(CHILD[:5])


def test_normal_chat_and_unnamed_suspects_give_one_conversation_each(corpora, tmp_path):
    normal = list(read_conversations(corpora / "normal_x.jsonl"))
    assert [(s.role, s.label) for s in normal] == [("conversation", 0)] * 10
    assert normal[0].texts == _norm(NORMAL) and normal[0].group == "normal_x/n0"
    unnamed = _grooming("u")
    for p in unnamed["participants"]:
        p["truth"] = "other"
    only_suspect = _grooming("s")
    only_suspect["messages"] = [m for m in only_suspect["messages"] if m["author"] == "s"]
    path = _write(tmp_path / "ext_x.jsonl", [unnamed, only_suspect])
    assert [(s.group, s.role, s.label) for s in read_conversations(path)] == [
        ("ext_x/u", "conversation", 1),
        ("ext_x/s", "conversation", 1),
    ]


def test_replayed_channels_pair_lines_and_wordless_chats_are_skipped(tmp_path):
    pairs = {"id": "p", "suspect_lines": SUSPECT, "child_lines": CHILD}
    wordless = _normal("w")
    for m in wordless["messages"]:
        m["text"] = "..."
    for name, rows in (
        ("ext_normal_irc_ubuntu_channel", [_normal("c")]),
        ("suspect_lines_pj", [pairs]),
        ("pairs_elsewhere", [pairs]),
        ("normal_y", [wordless]),
    ):
        assert list(read_conversations(_write(tmp_path / f"{name}.jsonl", rows))) == [], name


def _fit(dev, *args):
    return CliRunner().invoke(main, ["fit", str(dev), "--bits", "12", "--no-team-chat", *args])


def test_fit_writes_both_models_reproducibly(corpora, tmp_path):
    outs = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        result = _fit(corpora, "--out", str(tmp_path / run / "side.bin"))
        assert result.exit_code == 0, result.output
        side, conv = tmp_path / run / "side.bin", tmp_path / run / "learned_conversation.bin"
        outs.append((side.read_bytes(), conv.read_bytes()))
    assert outs[0] == outs[1] and outs[0][0] != outs[0][1]
    conv = load_model(tmp_path / "a" / "learned_conversation.bin")
    assert conv.threshold == 0.88 and conv.meta["reads"].startswith("whole conversations")
    assert (conv.meta["conversations"], conv.meta["positives"]) == (20, 10)
    assert conv.meta["child_side_alone"] == 10
    assert b"mature" not in outs[0][1] and b"homework" not in outs[0][1]
    detector = LearnedDetector(conv)
    whole = detector.probability([t for pair in zip(SUSPECT, CHILD, strict=False) for t in pair])
    assert whole > detector.probability(CHILD[:5])
    assert whole > detector.probability(NORMAL)


def test_fit_takes_the_conversation_models_file_and_threshold(corpora, tmp_path):
    side, conv = tmp_path / "s.bin", tmp_path / "c.bin"
    args = ["--out", str(side), "--conversation-out", str(conv), "--conversation-threshold", "0.8"]
    result = _fit(corpora, *args)
    assert result.exit_code == 0, result.output
    assert load_model(conv).threshold == 0.8 and load_model(side).threshold == 0.9
    assert not (tmp_path / "learned_conversation.bin").exists()


def test_cross_validation_fits_and_caches_both_heads_out_of_fold(corpora, tmp_path, monkeypatch):
    built, fitted = [], []
    real_fit, real_detector = crossval.fit, crossval.LearnedDetector

    def detector(model, *, conversation):
        built.append((model, conversation))
        return real_detector(model)

    def recording_fit(sides, **kwargs):
        fitted.append({s.group for s in sides})
        return real_fit(sides, **kwargs)

    monkeypatch.setattr(crossval, "LearnedDetector", detector)
    monkeypatch.setattr(crossval, "fit", recording_fit)
    files, cache = sorted(corpora.glob("*.jsonl")), tmp_path / "folds"
    cache.mkdir()
    kwargs = {"folds": 3, "threshold": 0.9, "fit_kwargs": {"bits": 12}, "cache": cache}
    first = crossval.cross_validate(files, load_policy("default"), **kwargs)
    names = sorted(p.name.split("-")[0] for p in cache.iterdir())
    assert names == ["conv", "conv", "conv", "fold0of3", "fold1of3", "fold2of3"]
    assert len(fitted) == 6 and len(built) == 3
    for fold, (side, conv) in enumerate(built):
        assert (side.threshold, conv.threshold) == (0.9, 0.88)
        assert conv.meta == {"fold": fold, "reads": "whole conversations"}
        for groups in fitted[2 * fold : 2 * fold + 2]:  # the sides', then the conversations'
            assert groups and all(fold_of(g, 3) != fold for g in groups)
    built.clear()
    again = crossval.cross_validate(
        files, load_policy("default"), **kwargs, conversation_threshold=0.8
    )
    assert len(fitted) == 6 and [c.threshold for _, c in built] == [0.8] * 3
    assert again["child_side_alone"] == first["child_side_alone"]
