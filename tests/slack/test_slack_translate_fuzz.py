"""Whatever Slack sends, translation yields an event or nothing, never an exception.

Each recorded payload is damaged at random (values anywhere replaced by JSON of another
shape or odd Unicode, keys dropped) and translated with the real code.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from nudgeguard import MessageEvent
from nudgeguard_slack.translate import Identity, translate_event
from tests.payload_mutations import mutate
from tests.slack.payloads import FIXTURES, load

ME = Identity(bot_user_id="U0BOT", bot_id="B0BOT", team_id="T0TEAM")
NAMES = sorted(p.stem for p in FIXTURES.glob("*.json"))


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(NAMES), rng=st.randoms(use_true_random=False))
def test_a_damaged_payload_translates_to_an_event_or_to_nothing(
    name: str, rng: random.Random
) -> None:
    result = translate_event(mutate(load(name), rng), identity=ME)
    assert result is None or isinstance(result, MessageEvent)
