"""Policy packs: loading, validation errors with line and field, explanation, overrides."""

import json
from pathlib import Path

import pytest
import yaml

from nudgeguard.policy import PolicyError, builtin_names, load_policy, parse_policy, schema_json
from nudgeguard.policy.explain import explain

ROOT = Path(__file__).resolve().parents[2]


def test_builtin_packs_load_by_name():
    assert {"default", "strict", "observe"} <= set(builtin_names())
    assert load_policy("observe").mode == "observe"
    assert load_policy("strict").thresholds.review < load_policy("default").thresholds.review
    assert load_policy("strict").nudges.copy_for == "under13"


def test_the_dry_run_pack_scores_exactly_like_default():
    # An admin watches `observe` before going live with `default`; if the two drifted
    # apart, the dry run would show other nudges and cases than going live produces.
    # (They did once: default's thresholds and rules were tuned and observe was not.)
    same = {"name", "description", "mode"}
    observe = load_policy("observe").model_dump(exclude=same)
    assert observe == load_policy("default").model_dump(exclude=same)
    assert load_policy("observe").mode == "observe"


def test_shipped_schema_matches_the_models():
    shipped = (ROOT / "policies" / "schema.json").read_text()
    assert json.loads(shipped) == json.loads(schema_json()), "run: nudgeguard policy schema"


BROKEN = """\
apiVersion: 1
name: mine
thresholds:
  nudge: 2
  review: 5
  urgent: 9
weights:
  secrecy_request: 2
  not_a_signal: 1
rules:
  - name: r1
    when: {min_level: nudge}
    do:
      - action: escalate
"""


def test_errors_name_line_and_field():
    with pytest.raises(PolicyError) as err:
        parse_policy(BROKEN, "mine.yaml")
    issues = {(i.line, i.field) for i in err.value.issues}
    assert (8, "weights") in issues or any(f == "weights" for _, f in issues)
    escalate = [i for i in err.value.issues if i.field.startswith("rules[0].do[0]")]
    assert escalate and escalate[0].line == 14
    assert "severity" in escalate[0].message
    weights = next(i for i in err.value.issues if i.field == "weights")
    assert "not_a_signal" in weights.message and weights.line == 7
    # The broken action is the one thing to fix in the rules: no "too short" echoes of it.
    assert [i.field for i in err.value.issues if i.field.startswith("rules")] == ["rules[0].do[0]"]


def test_a_misspelt_key_is_named_as_an_unknown_field_in_every_section():
    text = BROKEN.replace("  urgent: 9\n", "  urgent: 9\n  urgnet: 9\n").replace(
        "    when: {min_level: nudge}\n", "    when: {min_level: nudge, min_levle: review}\n"
    )
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "mine.yaml")
    unknown = {(i.line, i.field) for i in err.value.issues if "unknown field" in i.message}
    assert unknown == {(7, "thresholds.urgnet"), (13, "rules[0].when.min_levle")}


def test_yaml_syntax_error_names_its_line():
    with pytest.raises(PolicyError) as err:
        parse_policy("apiVersion: 1\nname: [unclosed\nrules: x\n")
    assert err.value.issues[0].line is not None and err.value.issues[0].field == "yaml"


@pytest.mark.parametrize(
    ("section", "values", "complaint"),
    [
        (
            "weights",
            {"secrecy_request": float("nan")},
            "weights.secrecy_request: Input should be a finite",
        ),
        ("weights", {"secrecy_request": -2}, "weights.secrecy_request: Input should be greater"),
        (
            "factors",
            {"half_life_hours": float("inf")},
            "factors.half_life_hours: Input should be a finite",
        ),
    ],
    ids=["nan-weight", "negative-weight", "infinite-half-life"],
)
def test_numbers_that_would_silence_scoring_are_refused(section, values, complaint):
    # A NaN weight compares false with every threshold: the pack loaded, and scored nothing.
    pack = yaml.safe_load((ROOT / "policies" / "default.yaml").read_text())
    pack[section] = {**(pack.get(section) or {}), **values}
    with pytest.raises(PolicyError) as err:
        parse_policy(yaml.safe_dump(pack), source="pack.yaml")
    assert complaint in str(err.value)


def test_a_section_written_twice_is_named_not_silently_dropped():
    text = (ROOT / "policies" / "default.yaml").read_text() + "weights:\n  secrecy_request: 2\n"
    lines = text.splitlines()
    first = next(n for n, line in enumerate(lines, start=1) if line.startswith("weights:"))
    with pytest.raises(PolicyError) as err:
        parse_policy(text, source="pack.yaml")
    [issue] = err.value.issues
    assert issue.field == "weights" and f"also on line {first}" in issue.message
    assert issue.line == len(lines) - 1


def test_a_control_character_is_named_with_its_line():
    with pytest.raises(PolicyError) as err:
        parse_policy("apiVersion: 1\nname: x\nmode: \x07live\n", source="pack.yaml")
    assert [str(i) for i in err.value.issues] == [
        "line 3: yaml: character U+0007 is not allowed in YAML (remove it)"
    ]


def test_wrong_api_version_and_unordered_thresholds():
    text = BROKEN.replace("apiVersion: 1", "apiVersion: 2").replace("urgent: 9", "urgent: 1")
    with pytest.raises(PolicyError) as err:
        parse_policy(text)
    fields = {i.field for i in err.value.issues}
    assert "apiVersion" in fields and "thresholds" in fields


def test_unknown_pack_name_lists_the_known_ones():
    with pytest.raises(PolicyError) as err:
        load_policy("nope")
    assert "default" in str(err.value)


def test_explain_describes_each_rule_in_words():
    text = explain(load_policy("default"))
    for rule in load_policy("default").rules:
        assert rule.name in text
    assert "privately" in text and "never" in text
    assert "moderator case" in text
    # A folded (>) YAML description ends in a newline; the bracket closes on its line.
    assert "\n)" not in text and "at least 2 grooming stages" in text
    assert "their age was declared by the platform or an admin" in text
    assert "their age was said in the chat" in text


def test_an_unknown_age_source_in_a_rule_is_refused_with_its_field():
    pack = load_policy("default").model_dump(mode="json")
    pack["rules"][1]["when"]["target_age_source"] = ["guessed"]
    with pytest.raises(PolicyError, match="target_age_source"):
        parse_policy(yaml.safe_dump(pack))


def test_community_and_channel_overrides_apply():
    text = (
        (ROOT / "policies" / "default.yaml").read_text()
        + """
overrides:
  communities:
    guild-1:
      mode: observe
      thresholds: {nudge: 1, review: 3, urgent: 6}
      channels:
        support:
          disabled_signals: [platform_migration]
"""
    )
    pack = parse_policy(text)
    assert pack.scoped("guild-2").mode == "live"
    assert pack.scoped("guild-1").mode == "observe"
    assert pack.scoped("guild-1").thresholds.review == 3
    assert "platform_migration" in pack.scoped("guild-1", "support").disabled_signals
    assert "platform_migration" not in pack.scoped("guild-1", "general").disabled_signals


def test_a_rule_without_level_or_signal_conditions_still_sees_quiet_messages():
    from nudgeguard.inbox.events import AgeBand, ConversationKind
    from nudgeguard.pipeline.risk import Assessment
    from nudgeguard.policy.engine import PolicyEngine
    from nudgeguard.policy.model import Level
    from nudgeguard.state.store import ChildState, PairState

    base = (ROOT / "policies" / "default.yaml").read_text()
    watch = (
        "  - name: watch-dms\n"
        "    when: {conversation_kind: [direct]}\n"
        "    do:\n"
        "      - action: observe\n"
    )
    quiet = Assessment(0.0, Level.NONE, (), (), {})
    ident = ("x",) * 6

    def decide(pack, kind):
        return PolicyEngine().decide(
            pack,
            quiet,
            pair=PairState(),
            child=ChildState(),
            actor_band=AgeBand.UNKNOWN,
            target_band=AgeBand.UNKNOWN,
            kind=kind,
            ident=ident,
            ts=0.0,
        )

    plain = parse_policy(base)
    watching = parse_policy(base.replace("\nrules:\n", "\nrules:\n" + watch, 1))
    assert decide(plain, ConversationKind.DIRECT).actions == ()
    assert [a.kind for a in decide(watching, ConversationKind.DIRECT).actions] == ["observe"]
    assert decide(watching, ConversationKind.GROUP).actions == ()
    # A copy of a pack that has decided a quiet message goes by its own rules, not the
    # quiet rules the original worked out.
    copied = plain.model_copy(update={"rules": watching.rules})
    assert [a.kind for a in decide(copied, ConversationKind.DIRECT).actions] == ["observe"]
    assert decide(plain, ConversationKind.DIRECT).actions == ()
