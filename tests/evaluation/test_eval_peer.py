"""`nudgeguard eval`: per-language breakdown and the TF-IDF peer side by side."""

import json
import sys

from click.testing import CliRunner

from nudgeguard.cli import main
from nudgeguard.evaluation.metrics import KEYS

from .conftest import GROOMING, NORMAL, transcript

TRUTHS = {"u1": "suspect", "u2": "child"}
NORMAL_TRUTHS = {"u1": "other", "u2": "other"}


def _invoke(*args):
    return CliRunner().invoke(main, ["eval", *map(str, args)])


def _rows(n, lang=None):
    rows = []
    for i in range(n):
        g = transcript(f"g{i}", "grooming", GROOMING, TRUTHS)
        m = transcript(f"n{i}", "normal", NORMAL, NORMAL_TRUTHS)
        if lang:
            g["lang"] = m["lang"] = lang
        rows += [g, m]
    return rows


def test_metrics_per_language_default_to_english(corpus):
    out = json.loads(_invoke(corpus("en", _rows(1)), corpus("de", _rows(1, "de")), "--json").stdout)
    assert set(out["by_language"]) == {"en", "de"}
    assert set(out["by_corpus"]) == {"en", "de"}
    for lang in ("en", "de"):
        assert set(KEYS) <= set(out["by_language"][lang])
        assert out["by_language"][lang]["conversations"] == 2


def test_the_peer_is_trained_in_the_same_run_and_reported_beside(corpus):
    train = corpus("train", _rows(4))
    result = _invoke(corpus("test", _rows(2)), "--peer", "tfidf", "--peer-train", train, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    peer = out["peer"]
    assert set(KEYS) <= set(out) and set(KEYS) <= set(peer)
    assert peer["name"] == "tfidf" and peer["trained_on"] == ["train"]
    assert peer["conversations"] == 4 and peer["recall"] == 1.0
    assert peer["escalated_normal"] == 0
    assert "en" in peer["by_language"]


def test_the_readable_report_puts_the_peer_beside_nudgeguard(corpus):
    result = _invoke(
        corpus("test", _rows(1)), "--peer", "tfidf", "--peer-train", corpus("t", _rows(3))
    )
    assert result.exit_code == 0, result.output
    assert "tfidf peer" in result.stdout and "nudgeguard" in result.stdout


def test_the_peer_needs_training_data(corpus):
    result = _invoke(corpus("test", _rows(1)), "--peer", "tfidf")
    assert result.exit_code != 0
    assert "--peer-train" in result.output and "Traceback" not in result.output


def test_without_scikit_learn_the_peer_is_a_one_line_error(corpus, monkeypatch):
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    result = _invoke(
        corpus("test", _rows(1)), "--peer", "tfidf", "--peer-train", corpus("t", _rows(2))
    )
    assert result.exit_code == 1
    assert "nudgeguard[train]" in result.output
    assert len(result.output.strip().splitlines()) == 1
