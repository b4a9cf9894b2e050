"""A broken policy pack or config file gets a clear error, never a crash.

Random edits of the shipped default pack (lines dropped, repeated, re-indented, values
swapped for other scalars, stray characters) must either load or raise the loader's own
error, whose every issue names a line (or "line ?") and a field.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nudgeguard.config import ConfigError, load_config
from nudgeguard.policy.loader import PolicyError, builtin_dir, parse_policy

DEFAULT = (builtin_dir() / "default.yaml").read_text(encoding="utf-8").splitlines()
SCALARS = ["", "~", "-1", "0", "1e309", "nan", "yes", "[]", "{}", "'x'", "[1, [2]]", "&a 1", "*b"]

edits = st.lists(
    st.tuples(
        st.sampled_from(["drop", "repeat", "indent", "dedent", "value", "insert"]),
        st.integers(0, len(DEFAULT) - 1),
        st.sampled_from(SCALARS) | st.text(max_size=12),
    ),
    min_size=1,
    max_size=6,
)


def _apply(lines: list[str], ops: list[tuple[str, int, str]]) -> str:
    out = list(lines)
    for op, at, value in ops:
        at %= max(len(out), 1)
        if not out:
            out = [value]
        elif op == "drop":
            del out[at]
        elif op == "repeat":
            out.insert(at, out[at])
        elif op == "indent":
            out[at] = "  " + out[at]
        elif op == "dedent":
            out[at] = out[at][2:]
        elif op == "value":
            key, sep, _ = out[at].partition(":")
            out[at] = f"{key}: {value}" if sep else value
        else:
            out.insert(at, value)
    return "\n".join(out) + "\n"


def _assert_clear(error: Exception, source: str) -> None:
    text = str(error)
    assert text.startswith(f"{source}:")
    issues = getattr(error, "issues", [])
    assert issues, "an error without an issue says nothing to fix"
    for issue in issues:
        assert str(issue).startswith("line "), str(issue)
        assert issue.field and issue.message
        if issue.field == "yaml":  # a syntax error always has a place in the file
            assert issue.line is not None, str(issue)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=edits)
def test_an_edited_policy_pack_loads_or_names_what_is_wrong(ops):
    text = _apply(DEFAULT, ops)
    assert parse_policy("\n".join(DEFAULT)).name  # the pack before the edits
    try:
        parse_policy(text, source="edited.yaml")
    except PolicyError as exc:
        _assert_clear(exc, "edited.yaml")


CONFIG = [
    "policy: default",
    "country: GB",
    "countries:",
    "  guild-1: IE",
    "state:",
    "  backend: memory",
    "cases:",
    "  backend: sqlite",
    "  path: cases.sqlite3",
    "log_level: INFO",
    "discord:",
    "  token_env: DISCORD_TOKEN",
]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=edits.map(lambda ops: [(op, at % len(CONFIG), v) for op, at, v in ops]))
def test_an_edited_config_file_loads_or_names_what_is_wrong(ops, tmp_path):
    path = tmp_path / "nudgeguard.yaml"
    path.write_text("\n".join(CONFIG), encoding="utf-8")
    assert load_config(path).country_of("guild-1") == "IE"  # the file before the edits
    path.write_text(_apply(CONFIG, ops), encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        _assert_clear(exc, str(path))
