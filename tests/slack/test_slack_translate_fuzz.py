"""Whatever Slack sends, translation yields an event or nothing, never an exception.

Each recorded payload is mutated at random (a value anywhere replaced by JSON of another
shape, keys dropped, text swapped for odd Unicode) and translated with the real code.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nudgeguard import MessageEvent
from nudgeguard_slack.translate import Identity, translate_event
from tests.slack.payloads import FIXTURES, load

ME = Identity(bot_user_id="U0BOT", bot_id="B0BOT", team_id="T0TEAM")
NAMES = sorted(p.stem for p in FIXTURES.glob("*.json"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _mutate(body: dict[str, Any], draw: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(body)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values | st.sampled_from(["\u202e\u200b", "x" * 50_000]))
    return body


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(NAMES), data=st.data())
def test_a_mutated_payload_translates_to_an_event_or_to_nothing(
    name: str, data: st.DataObject
) -> None:
    body = _mutate(load(name), data.draw)
    result = translate_event(body, identity=ME)
    assert result is None or isinstance(result, MessageEvent)
