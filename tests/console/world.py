"""A case store with cases in two communities and three console accounts (paraphrased lines)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from nudgeguard.cases.model import Case, EvidenceMessage, Severity
from nudgeguard.cases.store import Observation
from nudgeguard.console.security import hash_password
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, ConversationKind
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario, person

PASSWORD = "correct horse battery"
#: Words that appear only in evidence text: they must never reach a log.
SECRET_WORDS = ("zebra-seventy-one", "walnut-quiet-forty", "marble-teal-nine")
HOSTILE = "<script>alert('x')</script> ostrich-eleven"


@dataclass
class World:
    critical: str
    medium: str
    other: str


def _case(
    cid: str, community: str, severity: Severity, signals: tuple[str, ...], age: float
) -> Case:
    now = time.time()
    return Case(
        id=cid,
        platform="discord",
        community_id=community,
        conversation_id="chan-1",
        subject="p-subject",
        target="p-target",
        severity=severity,
        score=7.5,
        signals=signals,
        stages=("EX", "SX"),
        reasons=("level high (score 7.50); signals secrecy_request",),
        opened_at=now - age,
        updated_at=now - age,
    )


def _msg(n: int, author: str, text: str, signals: tuple[str, ...] = ()) -> EvidenceMessage:
    return EvidenceMessage(
        message_id=f"m{n}", author=author, ts=time.time() - 3000 + n, text=text, signals=signals
    )


async def seed(store) -> World:
    """Fill a store: two cases in c-alpha, one in c-beta; alice, bob (admin) and carol."""
    await store.open_case(
        _case("NG-CRIT00001", "c-alpha", Severity.CRITICAL, ("secrecy_request",), 7200),
        [
            _msg(1, "p-target", "I am 12 and bored " + SECRET_WORDS[0], ("minor_self_disclosure",)),
            _msg(2, "p-subject", "keep it our secret ok " + SECRET_WORDS[1], ("secrecy_request",)),
            _msg(3, "p-subject", "rude talk " + SECRET_WORDS[2], ("sexual_desensitization",)),
            _msg(4, "p-subject", HOSTILE),
        ],
    )
    await store.open_case(
        _case("NG-MED000002", "c-alpha", Severity.MEDIUM, ("gift_offer",), 600),
        [_msg(1, "p-subject", "want some game credit", ("gift_offer",))],
    )
    await store.open_case(
        _case("NG-BETA00003", "c-beta", Severity.HIGH, ("meet_request",), 60),
        [_msg(1, "p-subject", "meet me at the park", ("meet_request",))],
    )
    now = time.time()
    for i, (signal, mode) in enumerate(
        [("secrecy_request", "live")] * 3
        + [("gift_offer", "live")] * 2
        + [("age_probe", "observe")] * 4
    ):
        actions = ("nudge_child",) if mode == "live" else ("nudge_child", "open_case")
        await store.observe(
            Observation(now - 60 * i, "discord", "c-alpha", "nudge", (signal,), actions, mode)
        )
    await _dry_run(store)
    hashed = hash_password(PASSWORD)
    await store.save_account("alice", hashed, "c-alpha", "moderator")
    await store.save_account("bob", hashed, "c-alpha", "admin")
    await store.save_account("carol", hashed, "c-beta", "moderator")
    return World("NG-CRIT00001", "NG-MED000002", "NG-BETA00003")


async def _dry_run(store) -> None:
    """A stranger probing a child in c-alpha, seen by an engine in observe mode."""
    pack = load_policy("default").model_copy(update={"mode": "observe"})
    engine = Engine(pack, cases=store, adapters=[FakeAdapter()])
    await engine.start(background=False)
    chat = Scenario(
        engine,
        community_id="c-alpha",
        conversation_id="dm-dry-run",
        kind=ConversationKind.DIRECT,
        start=time.time() - 900,
    )
    kid, stranger = person("kid-2046", AgeBand.MINOR), person("stranger-3131")
    await chat.say(kid, "hi")
    for line in ("how old r u", "keep this between us ok", "where do u live"):
        await chat.say(stranger, line, to=kid)
    await engine.stop()
