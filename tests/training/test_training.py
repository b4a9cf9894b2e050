"""Training the learned scorer: labels by behaviour, grouped folds, the child's side alone."""

import json
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudgeguard.local.transcript import Transcript
from nudgeguard.pipeline.detectors import LearnedDetector
from nudgeguard.pipeline.detectors.scorer_model import load_model
from nudgeguard.pipeline.language import vote_words, voted
from nudgeguard.pipeline.text import normalize
from nudgeguard.policy import load_policy
from nudgeguard.training.__main__ import main
from nudgeguard.training.crossval import child_side, cross_validate
from nudgeguard.training.data import fold_of, grooming_languages, read_sides
from nudgeguard.training.groups import conversation_groups
from tests.pipeline.messages import message

# Short paraphrases written for these tests.
SUSPECT = [
    "dont tell your mom we talk",
    "delete our chat after ok",
    "send me a pic just for me",
    "you are so mature for your age",
    "lets meet where nobody sees us",
]
CHILD = ["ok", "why", "idk", "im at home", "my mom is at work", "lol"]
NORMAL = [
    "did you finish the homework",
    "the bus is late again",
    "see you at practice",
    "my mom made pasta",
    "ok lol",
    "which chapter is on the test",
]


def _chat(cid, label, lines, truths, **extra):
    return {
        "id": cid,
        "kind": "direct",
        "label": label,
        "participants": [{"id": p, "truth": t} for p, t in truths.items()],
        "messages": [{"author": a, "ts": i * 20, "text": t} for i, (a, t) in enumerate(lines)],
        **extra,
    }


def _grooming(cid):
    lines = [
        x for pair in zip(SUSPECT, CHILD, strict=False) for x in (("s", pair[0]), ("c", pair[1]))
    ]
    return _chat(cid, "grooming", lines, {"s": "suspect", "c": "child"})


def _normal(cid, **extra):
    lines = [("a" if i % 2 else "b", t) for i, t in enumerate(NORMAL)]
    return _chat(cid, "normal", lines, {"a": "other", "b": "other"}, **extra)


@pytest.fixture
def corpora(tmp_path):
    d = tmp_path / "dev"
    d.mkdir()
    rows = {
        "grooming_x": [_grooming(f"g{i}") for i in range(10)],
        "normal_x": [_normal(f"n{i}") for i in range(10)],
    }
    for name, items in rows.items():
        (d / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in items) + "\n")
    return d


def test_the_suspects_side_is_positive_and_the_childs_side_negative(corpora):
    sides = [s for s in read_sides(corpora / "grooming_x.jsonl") if s.group.endswith("/g0")]
    by_role = {s.role: s for s in sides}
    assert set(by_role) == {"suspect", "child"}
    assert by_role["suspect"].label == 1 and by_role["child"].label == 0
    assert len(by_role["suspect"].texts) == 5 and "im at home" in by_role["child"].texts


def test_segments_that_name_no_suspect_count_with_reduced_weight(tmp_path):
    row = _grooming("x")
    for p in row["participants"]:
        p["truth"] = "other"
    path = tmp_path / "ext.jsonl"
    path.write_text(json.dumps(row) + "\n")
    assert {(s.label, s.weight, s.role) for s in read_sides(path, 0.5)} == {(1, 0.5, "mixed")}
    assert list(read_sides(path, 0.0)) == []


def test_translations_share_a_fold_with_their_english_segment(tmp_path):
    (tmp_path / "ext_vtpan_en_proxy.jsonl").write_text(json.dumps(_normal("vtpan-en-7")) + "\n")
    (tmp_path / "ext_vtpan_de.jsonl").write_text(
        json.dumps(_normal("vtpan-de-1", en_twin="vtpan-en-7")) + "\n"
    )
    groups = conversation_groups(sorted(tmp_path.glob("*.jsonl")))
    assert groups[("ext_vtpan_de", "vtpan-de-1")] == groups[("ext_vtpan_en_proxy", "vtpan-en-7")]
    assert fold_of("vtpan/vtpan-en-7", 5) == fold_of("vtpan/vtpan-en-7", 5)


def test_the_childs_side_keeps_every_line_but_the_suspects():
    t = Transcript.model_validate(_grooming("g"))
    side = child_side(t)
    assert side is not None and {m.author for m in side.messages} == {"c"}
    assert child_side(Transcript.model_validate(_normal("n"))) is None


def test_cross_validation_scores_every_conversation_once_and_replays_the_childs_side(corpora):
    result = cross_validate(
        sorted(corpora.glob("*.jsonl")),
        load_policy("default"),
        folds=3,
        fit_kwargs={"bits": 12},
    )
    assert result["conversations"] == 20 and result["grooming_conversations"] == 10
    assert result["child_side_alone"]["conversations"] == 10
    assert set(result["by_corpus"]) == {"grooming_x", "normal_x"}
    assert result["by_language"]["en"]["conversations"] == 20


def test_fit_writes_a_model_the_detector_loads_and_is_reproducible(corpora, tmp_path):
    from click.testing import CliRunner

    outs = []
    for name in ("a.bin", "b.bin"):
        out = tmp_path / name
        result = CliRunner().invoke(
            main, ["fit", str(corpora), "--bits", "12", "--no-team-chat", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    model = load_model(tmp_path / "a.bin")
    assert model.meta["trained_on"] == ["grooming_x", "normal_x"]
    assert model.meta["languages"] == ["en"]  # grooming seen in English only
    assert b"mature" not in outs[0] and b"homework" not in outs[0]
    detector = LearnedDetector(model)
    risky = detector.probability(["delete our chat after", "dont tell your mom we talk"])
    assert risky > detector.probability(["the bus is late", "see you at practice"])


def test_a_model_reads_only_the_languages_it_saw_grooming_in(corpora):
    # Ordinary chat alone in a language teaches a model that the language reads as
    # ordinary: those lines give no evidence, rather than evidence of the language.
    spanish = [_normal(f"es{i}", lang="es") for i in range(3)]
    (corpora / "normal_es.jsonl").write_text("\n".join(json.dumps(r) for r in spanish) + "\n")
    assert grooming_languages(sorted(corpora.glob("*.jsonl"))) == ["en"]
    shipped = LearnedDetector()
    assert shipped.languages == {"de", "en", "nl", "pt"}
    spanish_line = "no le digas nada a tu madre de esto, vale"
    assert shipped.detect(normalize(spanish_line), message("a", spanish_line)) == []
    english_line = "dont tell your mom about this ok"
    assert shipped.detect(normalize(english_line), message("a", english_line))


_SPANISH_FRENCH = sorted(vote_words(["es", "fr"]))
_MARKS = ["", ",", "!", "?", "¿", "¡", "...", "'", '"']


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_SPANISH_FRENCH), min_size=1, max_size=6),
    st.lists(st.sampled_from(_MARKS), min_size=12, max_size=12),
    st.booleans(),
)
def test_every_line_voted_spanish_or_french_gives_no_evidence(words, marks, upper):
    # The scorer asks for the vote only when a token of the line is one that a Spanish
    # or French vote word normalises to: no such line may slip past that check.
    line = " ".join(f"{marks[2 * i]}{w}{marks[2 * i + 1]}" for i, w in enumerate(words))
    line = line.upper() if upper else line
    shipped = _shipped()
    if voted(line) in {"es", "fr"}:
        assert shipped.detect(normalize(line), message("a", line)) == []


@lru_cache(maxsize=1)
def _shipped() -> LearnedDetector:
    return LearnedDetector()
