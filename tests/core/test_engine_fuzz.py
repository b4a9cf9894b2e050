"""Whatever arrives, in whatever order, the engine neither fails nor leaks.

Random streams of messages, edits, deletes and joins (odd Unicode, huge texts, out-of-order
timestamps, replies to and mentions of oneself, edits and deletes of unknown messages) go
through a real engine with the default policy and detectors.
"""

import asyncio
import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nudgeguard.delivery.outbound import Delivery
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import (
    AgeBand,
    AgeSource,
    ConversationKind,
    EventType,
    MessageEvent,
    Participant,
)
from nudgeguard.policy import load_policy
from nudgeguard.policy.engine import Decision
from nudgeguard.testing import FakeAdapter

USERS = ("u-one", "u-two", "u-three")
# Short paraphrases written for the test, so that streams also reach nudges and cases.
RISKY = (
    "how old r u",
    "ur so mature for ur age",
    "keep this between us ok",
    "add me on snap",
    "send me a pic of u",
    "lets meet saturday dont tell ur mom",
    "im 13",
    "i'm 34",
)
texts = st.one_of(
    st.text(max_size=200),
    st.sampled_from(RISKY),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(RISKY), st.text(max_size=40)),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["\u200b", "x\U0001f600", "\u202e9", "a "]),
        st.integers(1, 20_000),
    ),
)
events = st.fixed_dictionaries(
    {
        "type": st.sampled_from(list(EventType)),
        "conversation": st.sampled_from(["c-direct", "c-group", "c-thread"]),
        "author": st.sampled_from(USERS),
        "band": st.sampled_from(list(AgeBand)),
        "source": st.sampled_from(list(AgeSource)),
        "bot": st.integers(0, 9).map(lambda n: n == 0),  # one author in ten is a bot
        "message": st.integers(0, 12),
        "text": texts,
        "dt": st.floats(-600, 7200, allow_nan=False),
        "reply_to": st.none() | st.sampled_from(USERS),
        "mentions": st.lists(st.sampled_from(USERS), max_size=3),
        "attachments": st.integers(0, 3),
    }
)


KINDS = {
    "c-direct": ConversationKind.DIRECT,
    "c-group": ConversationKind.GROUP,
    "c-thread": ConversationKind.THREAD,
}


def _event(raw: dict, ts: float) -> MessageEvent:
    band = raw["band"]
    return MessageEvent(
        type=raw["type"],
        platform="fake",
        community_id="fuzz",
        conversation_id=raw["conversation"],
        conversation_kind=KINDS[raw["conversation"]],
        parent_conversation_id="c-group" if raw["conversation"] == "c-thread" else None,
        message_id=f"m{raw['message']}",
        author=Participant(
            id=raw["author"], age_band=band, age_source=raw["source"], is_bot=raw["bot"]
        ),
        text="" if raw["type"] in (EventType.DELETE, EventType.MEMBER_JOIN) else raw["text"],
        ts=ts,
        reply_to_author_id=raw["reply_to"],
        mentions=tuple(raw["mentions"]),
        attachment_count=raw["attachments"],
    )


async def _replay(stream: list[dict]) -> tuple[Engine, FakeAdapter, list[object]]:
    adapter = FakeAdapter()
    engine = Engine(load_policy("default"), adapters=[adapter])
    await engine.start(background=False)
    results: list[object] = []
    ts = 1_000_000.0
    for raw in stream:
        ts = max(0.0, ts + raw["dt"])  # sometimes earlier than the event before
        results.append(await engine.handle(_event(raw, ts)))
    await engine.outbox.drain()
    await engine.stop()
    return engine, adapter, results


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(stream=st.lists(events, min_size=1, max_size=40))
def test_any_event_stream_is_handled_without_failure_or_leaked_text(stream, caplog):
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        engine, adapter, results = asyncio.run(_replay(stream))
    assert engine.stats.errors == 0
    assert engine.stats.detector_errors == {}
    assert all(r is None or isinstance(r, Decision) for r in results)
    # Nudges are private; a warning to a sender never belongs to an open case (no tip-off).
    assert all(
        channel in (Delivery.EPHEMERAL, Delivery.DIRECT_MESSAGE) for _, channel in adapter.nudges
    )
    assert all(n.case_id is None for n, _ in adapter.nudges if n.audience == "sender")
    cases = asyncio.run(engine.cases.list_cases())
    held = {c.subject for c in cases} | {c.target for c in cases}
    assert not held & set(USERS), "a case store holds a raw user id"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for raw in stream:
        if len(raw["text"].strip()) >= 12:
            assert raw["text"] not in logged, "message text reached the log"
