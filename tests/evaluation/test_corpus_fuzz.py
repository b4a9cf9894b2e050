"""A damaged corpus gets a clear error naming its line, or is replayed: never a traceback.

Valid transcript rows are damaged at random (values replaced by JSON of another shape, odd
or huge strings, NaN and infinite times, keys dropped) and given to ``nudgeguard eval`` and
``nudgeguard assess``.
"""

import json
import random

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nudgeguard.cli import main
from tests.payload_mutations import mutate

from .conftest import GROOMING, NORMAL, transcript

ROWS = [
    transcript("g1", "grooming", GROOMING[:6], {"u1": "suspect", "u2": "child"}, {"u2": "minor"}),
    transcript("n1", "normal", NORMAL, {"u1": "other", "u2": "other"}),
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rng=st.randoms(use_true_random=False), command=st.sampled_from(["eval", "assess"]))
def test_a_damaged_corpus_is_replayed_or_named_line_by_line(rng: random.Random, command, tmp_path):
    path = tmp_path / "damaged.jsonl"
    rows = [mutate(row, rng) for row in ROWS]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    args = [command, str(path), "--json"] if command == "eval" else [command, str(path)]
    if command == "assess":
        args += ["--policy", "default"]
    result = CliRunner().invoke(main, args)
    if result.exit_code == 0:
        return
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Error: " in result.output and f"{path}:" in result.output, result.output
