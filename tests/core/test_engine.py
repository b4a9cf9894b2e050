"""Engine behaviour as a community would notice it."""

import asyncio
import dataclasses

import pytest
import yaml

from nudgeguard.cases.model import CaseStatus, Severity
from nudgeguard.delivery.outbound import Delivery
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, ConversationKind
from nudgeguard.pipeline.signals import Signal
from nudgeguard.policy import load_policy, parse_policy
from nudgeguard.policy.engine import Decision
from nudgeguard.policy.model import Level
from nudgeguard.state.store import MemoryStateStore
from nudgeguard.testing import FakeAdapter, Scenario, person

from .keyword_detector import BrokenDetector, KeywordDetector
from .slow_store import SlowStore, handled

GROOMER = person("stranger")
CHILD = person("kid", AgeBand.MINOR)

TRAJECTORY = [
    "how old are you",
    "are you alone at home",
    "keep this our secret",
    "add me on snapchat",
    "send me a photo",
]


async def groom(chat: Scenario, lines=TRAJECTORY):
    await chat.say(CHILD, "hello everyone")
    return [await chat.say(GROOMER, line, to=CHILD) for line in lines]


async def test_grooming_nudges_the_child_privately_and_opens_one_case(chat, adapter, engine):
    await groom(chat)
    assert adapter.nudges_to(CHILD.id), "the child got no nudge"
    assert all(ch in (Delivery.EPHEMERAL, Delivery.DIRECT_MESSAGE) for _, ch in adapter.nudges)
    cases = await engine.cases.list_cases()
    assert len(cases) == 1
    case = cases[0]
    assert case.subject == engine.pseudonyms.pseudonym("fake", GROOMER.id)
    assert case.target == engine.pseudonyms.pseudonym("fake", CHILD.id)
    assert adapter.alerts and adapter.alerts[0].case_id == case.id
    assert adapter.nudges_to(GROOMER.id) == [], "the suspect was contacted"


async def test_case_is_written_before_the_alert_is_sent(chat, adapter, engine):
    seen_in_store = []

    async def send_alert(alert):
        seen_in_store.append(await engine.cases.get(alert.case_id))
        return "ref"

    adapter.send_alert = send_alert  # type: ignore[method-assign]
    await groom(chat)
    assert seen_in_store and all(c is not None and c.evidence for c in seen_in_store)


async def test_stored_evidence_uses_pseudonyms_and_alerts_carry_no_text(chat, adapter, engine):
    await groom(chat)
    case = (await engine.cases.list_cases())[0]
    full = await engine.cases.get(case.id)
    assert {m.author for m in full.evidence} <= {case.subject, case.target}
    alert_json = adapter.alerts[0].model_dump_json()
    for line in TRAJECTORY:
        assert line not in alert_json


async def test_more_evidence_appends_and_realerts_only_on_higher_severity(adapter):
    pack = load_policy("default")
    pack = pack.model_copy(update={"thresholds": dataclasses.replace(pack.thresholds, urgent=500)})
    engine = Engine(pack, adapters=[adapter], detectors=[KeywordDetector()])
    chat = Scenario(engine)
    await groom(chat)
    assert (await engine.cases.list_cases())[0].severity is Severity.HIGH
    first = (await engine.cases.list_cases())[0]
    alerts_before = len(adapter.alerts)
    await chat.say(GROOMER, "keep it secret ok", to=CHILD)
    assert len(adapter.alerts) == alerts_before, "re-alerted at the same severity"
    await chat.say(GROOMER, "send more or i post your pics", to=CHILD)
    cases = await engine.cases.list_cases()
    assert len(cases) == 1 and cases[0].id == first.id
    assert cases[0].severity is Severity.CRITICAL
    assert len(adapter.alerts) == alerts_before + 1 and adapter.alerts[-1].is_update


async def test_a_resolved_case_stays_as_decided_and_new_risk_opens_a_new_one(chat, adapter, engine):
    await groom(chat)
    (first,) = await engine.cases.list_cases()
    await engine.cases.transition(first.id, CaseStatus.RESOLVED, "mod:p_mod")
    before = await engine.cases.get(first.id)
    await chat.say(GROOMER, "keep this our secret", to=CHILD)
    await chat.say(GROOMER, "send me a photo", to=CHILD)
    after = await engine.cases.get(first.id)
    assert after.evidence == before.evidence and after.severity is before.severity
    cases = await engine.cases.list_cases()
    assert len(cases) == 2 and {c.status for c in cases} == {CaseStatus.RESOLVED, CaseStatus.OPEN}
    (new,) = [c for c in cases if c.status is CaseStatus.OPEN]
    assert adapter.alerts[-1].case_id == new.id


async def test_sextortion_goes_straight_to_urgent(chat, engine):
    await chat.say(CHILD, "hi")
    decision = await chat.say(GROOMER, "pay me or i post the pictures", to=CHILD)
    assert decision.level.value == "urgent"
    assert (await engine.cases.list_cases())[0].severity is Severity.CRITICAL


async def test_meeting_after_secrecy_is_urgent_and_explained(chat):
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "this is our secret", to=CHILD)
    decision = await chat.say(GROOMER, "lets meet tomorrow", to=CHILD)
    assert decision.level.value == "urgent"
    assert "secrecy" in decision.explain()


async def test_no_sender_warning_once_a_case_is_open(adapter):
    engine = Engine(load_policy("default"), adapters=[adapter], detectors=[KeywordDetector()])
    chat = Scenario(engine)
    adult, kid = person("adult", AgeBand.ADULT), person("kid", AgeBand.MINOR)
    await chat.say(kid, "hi")
    await chat.say(adult, "add me on snapchat", to=kid)
    assert len(adapter.nudges_to(adult.id)) == 1, "an adult asking a minor to move got no warning"
    for line in TRAJECTORY:
        await chat.say(adult, line, to=kid)
    assert await engine.cases.list_cases()
    await chat.say(adult, "add me on snapchat", to=kid)
    assert len(adapter.nudges_to(adult.id)) == 1, "the suspect was warned after a case opened"


async def test_adults_are_not_scored_as_children(chat, engine, adapter):
    lee, rob = person("lee", AgeBand.ADULT), person("rob", AgeBand.ADULT)
    await chat.say(lee, "hi")
    for line in ["you are cute, send me a photo", "lets meet for dinner", "add me on snapchat"]:
        await chat.say(rob, line, to=lee)
    assert adapter.nudges == [] and await engine.cases.list_cases() == []


class InvalidDetector:
    """A plugin with a bug: what it returns is not a valid signal."""

    name = "invalid"

    def __init__(self, output):
        self.output = output

    def detect(self, text, event):
        return self.output


INVALID_OUTPUTS = [
    [Signal("secrecy_request", confidence=float("nan"))],
    [Signal("secrecy_request", confidence=-4.0)],
    [Signal("secrecy_request", confidence=float("inf"))],
    [Signal("learned_grooming", confidence=0.5, logit=float("nan"))],
    [Signal("learned_grooming", confidence=0.5, conversation_logit=float("inf"))],
    [Signal("no_such_signal")],
    ["secrecy_request"],
    None,
]


@pytest.mark.parametrize(
    "output",
    INVALID_OUTPUTS,
    ids=["nan", "negative", "inf", "nan-evidence", "inf-evidence", "id", "str", "none"],
)
async def test_invalid_signals_from_a_plugin_are_dropped_and_counted(adapter, output):
    # A NaN confidence once entered the pair's scores and kept it at level none for good.
    clean = Engine(load_policy("default"), adapters=[FakeAdapter()], detectors=[KeywordDetector()])
    engine = Engine(
        load_policy("default"),
        adapters=[adapter],
        detectors=[KeywordDetector(), InvalidDetector(output)],
    )
    expected = [d.level for d in await groom(Scenario(clean))]
    assert [d.level for d in await groom(Scenario(engine))] == expected
    assert engine.stats.detector_errors["invalid"] == len(TRAJECTORY) + 1
    assert engine.stats.errors == 0


async def test_a_failing_detector_is_isolated_and_counted(adapter):
    engine = Engine(
        load_policy("default"), adapters=[adapter], detectors=[BrokenDetector(), KeywordDetector()]
    )
    chat = Scenario(engine)
    await groom(chat)
    assert engine.stats.detector_errors["broken"] == len(TRAJECTORY) + 1
    assert engine.stats.errors == 0
    assert await engine.cases.list_cases(), "other detectors stopped working"


async def test_a_failing_store_never_raises_to_the_adapter(adapter, engine, chat):
    async def broken(*_a, **_k):
        raise OSError("disk full")

    engine.cases.open_case = broken  # type: ignore[method-assign]
    await groom(chat)  # must not raise
    assert engine.stats.errors >= 1


async def test_events_of_one_conversation_are_processed_in_order(adapter):
    order: list[tuple[str, str]] = []
    store = SlowStore(order, slow={"c1"})
    engine = Engine(
        load_policy("default"), adapters=[adapter], detectors=[KeywordDetector()], state=store
    )
    chat = Scenario(engine, conversation_id="c1")
    events = [chat.event(CHILD, "hi"), chat.event(GROOMER, "how old are you", to=CHILD)]
    await asyncio.gather(*(handled(chat, store, e) for e in events))
    # The second message waits for the slow first one: its conversation is read only after.
    assert order == [("load", "c1"), ("end", "m1"), ("load", "c1"), ("end", "m2")]


async def test_observe_mode_sends_nothing_and_records_decisions(adapter):
    engine = Engine(load_policy("observe"), adapters=[adapter], detectors=[KeywordDetector()])
    chat = Scenario(engine)
    await groom(chat)
    assert adapter.nudges == [] and adapter.alerts == []
    assert await engine.cases.list_cases() == []
    assert engine.dispatcher.stats.observed > 0


async def test_set_mode_switches_a_community_and_survives_restart(adapter):
    engine = Engine(load_policy("default"), adapters=[adapter], detectors=[KeywordDetector()])
    await engine.set_mode("community-1", "observe")
    again = Engine(
        load_policy("default"),
        cases=engine.cases,
        detectors=[KeywordDetector()],
        adapters=[FakeAdapter()],
    )
    assert (await again.status("community-1")).mode == "observe"
    chat = Scenario(again)
    await groom(chat)
    assert await again.cases.list_cases() == []


async def test_fatigue_caps_hold_back_repeats_but_never_urgent(chat, adapter):
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "are you alone", to=CHILD)
    await chat.say(GROOMER, "are you alone now", to=CHILD)
    families = [n.family for n in adapter.nudges_to(CHILD.id)]
    assert families.count("probing") == 1
    await chat.say(GROOMER, "pay or i post it", to=CHILD)
    await chat.say(GROOMER, "last chance or i post it", to=CHILD)
    assert [n.family for n in adapter.nudges_to(CHILD.id)].count("sextortion") == 2


async def test_a_pair_that_stays_urgent_does_not_repeat_the_same_nudge(chat, adapter):
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "how old are you", to=CHILD)
    await chat.say(GROOMER, "are you alone at home", to=CHILD)
    opened = await chat.say(GROOMER, "keep this our secret", to=CHILD)
    assert opened.level is Level.URGENT and opened.wants("nudge_child"), "setup: no urgent case"
    again = await chat.say(GROOMER, "are you alone now", to=CHILD)
    assert again.level is Level.URGENT and again.wants("nudge_child") is None
    assert any("already nudged about probing" in why for _, why in again.suppressed)
    gifts = await chat.say(GROOMER, "want some robux", to=CHILD)
    assert gifts.wants("nudge_child"), "a new kind of danger in an urgent pair was held back"
    moving = await chat.say(GROOMER, "add me on snapchat", to=CHILD)
    assert moving.wants("nudge_child") is None, "the daily cap did not hold a fourth nudge"
    assert any("daily nudge cap" in why for _, why in moving.suppressed)
    threat = await chat.say(GROOMER, "pay or i post it", to=CHILD)
    assert threat.wants("nudge_child"), "a threat was held back by the caps"
    families = [n.family for n in adapter.nudges_to(CHILD.id)]
    assert families.count("probing") == 1


async def test_an_adult_under_a_case_gets_no_nudge_but_a_child_under_one_does(adapter):
    # The default pack nudges no known adult; this one would (urgent-unknown-age also
    # towards adults), and the engine still holds the nudge back from a case's subject.
    pack = load_policy("default").model_dump(mode="json")
    for rule in pack["rules"]:
        if rule["name"] == "urgent-unknown-age":
            rule["when"]["target_age"] = ["unknown", "adult"]
    engine = Engine(
        parse_policy(yaml.safe_dump(pack)), adapters=[adapter], detectors=[KeywordDetector()]
    )
    await engine.start(background=False)
    try:
        await _adult_and_child_under_a_case(Scenario(engine), adapter)
    finally:
        await engine.stop()


async def _adult_and_child_under_a_case(chat, adapter):
    someone = person("someone")  # age unknown: they may be a child
    await chat.say(someone, "hello")
    await chat.say(GROOMER, "im 30", to=someone)
    for line in ("how old are you", "are you alone at home", "keep this our secret"):
        await chat.say(GROOMER, line, to=someone)
    await chat.say(someone, "keep this our secret", to=GROOMER)
    back = await chat.say(someone, "lets meet", to=GROOMER)
    assert back.level is Level.URGENT, "setup: the other side did not reach urgent"
    assert back.wants("nudge_child") is None
    assert any("tip them off" in why for _, why in back.suppressed)
    assert adapter.nudges_to(GROOMER.id) == [], "the subject of a case got a nudge"

    older, younger = person("older", AgeBand.MINOR), person("younger", AgeBand.MINOR)
    await chat.say(younger, "hello")
    # Between two minors only a grooming move at the urgent level opens a case.
    for line in ("how old are you", "are you alone at home", "lets meet", "keep this our secret"):
        opened = await chat.say(older, line, to=younger)
    assert opened.wants("escalate"), "setup: no case about the older child"
    await chat.say(younger, "how old are you", to=older)
    answer = await chat.say(younger, "are you alone at home", to=older)
    assert answer.wants("nudge_child"), "a child who is the subject of a case lost their nudges"


async def test_a_known_minor_is_never_the_subject_of_a_case_towards_an_adult(chat, engine):
    await chat.say(GROOMER, "im 30")
    for line in ("how old are you", "are you alone at home", "keep this our secret", "lets meet"):
        decision = await chat.say(CHILD, line, to=GROOMER)
    assert decision.level is Level.URGENT, "setup: the child's side did not reach urgent"
    assert decision.actions == ()
    assert await engine.cases.list_cases() == []


async def test_closed_dms_open_a_case_and_tell_moderators(chat, adapter, engine):
    adapter.dms_closed.add(CHILD.id)
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "are you alone at home", to=CHILD)
    await chat.say(GROOMER, "keep it secret", to=CHILD)
    cases = await engine.cases.list_cases()
    assert cases, "an undeliverable nudge did not reach moderators"
    events = {e.kind for e in await engine.cases.events(cases[0].id)}
    assert "nudge_undeliverable" in events
    assert any(a.nudge_status == "undeliverable" for a in adapter.alerts)


async def test_transient_failures_are_retried_from_the_outbox(adapter):
    now = [1_800_000_000.0]
    engine = Engine(
        load_policy("default"),
        adapters=[adapter],
        detectors=[KeywordDetector()],
        clock=lambda: now[0],
    )
    adapter.transient_failures = 10_000  # the platform rate-limits every send for now
    await groom(Scenario(engine))
    assert adapter.alerts == [] and adapter.nudges == []
    assert (await engine.cases.outbox_status()).get("pending", 0) >= 2
    adapter.transient_failures = 0
    now[0] += 3600
    await engine.outbox.drain()
    assert len(adapter.alerts) == 1, "the stored alert was not delivered once on retry"
    assert adapter.nudges_to(CHILD.id), "the stored nudge was not delivered on retry"
    assert (await engine.cases.outbox_status()).get("pending", 0) == 0


async def test_target_is_reply_then_mention_then_last_other_speaker(chat):
    a, b, c = person("a"), person("b"), person("c")
    await chat.say(a, "hi")
    await chat.say(b, "hey")
    assert (await chat.say(c, "yo")).target_id == "b"
    assert (await chat.say(c, "yo", to=a)).target_id == "a"


async def test_self_disclosed_age_is_used_until_a_platform_band_says_otherwise(chat, engine):
    anon = person("anon")
    await chat.say(anon, "im 13 lol")
    decision = await chat.say(GROOMER, "how old are you", to=anon)
    assert decision.target_band is AgeBand.MINOR
    declared = person("anon", AgeBand.ADULT)
    await chat.say(declared, "im 13 lol")
    decision = await chat.say(GROOMER, "how old are you", to=anon)
    assert decision.target_band is AgeBand.ADULT


async def test_edits_are_rescored_and_deletes_kept_as_evidence(chat, engine):
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "nice day", to=CHILD)
    await chat.edit(GROOMER, "m2", "keep this our secret")
    await chat.delete(GROOMER, "m2")
    for line in TRAJECTORY:
        await chat.say(GROOMER, line, to=CHILD)
    case = (await engine.cases.list_cases())[0]
    stored = {m.message_id: m for m in (await engine.cases.get(case.id)).evidence}
    assert stored["m2"].edited and stored["m2"].deleted


async def test_state_is_bounded():
    store = MemoryStateStore(max_pairs=50, max_conversations=10, window=5)
    engine = Engine(load_policy("default"), state=store, detectors=[KeywordDetector()])
    for n in range(200):
        chat = Scenario(engine, conversation_id=f"room-{n}", kind=ConversationKind.DIRECT)
        await chat.say(person(f"a{n}"), "hi")
        for _ in range(8):
            await chat.say(person(f"b{n}"), "how old are you")
    assert len(store.pairs) <= 50 and len(store.conversations) <= 10
    assert all(len(c.window) <= 5 for c in store.conversations.values())


async def test_moderator_clicks_are_checked_and_recorded(chat, engine):
    await groom(chat)
    case = (await engine.cases.list_cases())[0]
    refused = await engine.moderate(case.id, "acknowledge", "random-user", permitted=False)
    assert not refused.accepted
    shown = await engine.moderate(case.id, "show_evidence", "mod-1", permitted=True)
    assert shown.accepted and shown.evidence
    acked = await engine.moderate(case.id, "acknowledge", "mod-1", permitted=True)
    assert acked.case.status is CaseStatus.ACKNOWLEDGED
    dismissed = await engine.moderate(case.id, "dismiss", "mod-1", permitted=True)
    assert dismissed.case.status is CaseStatus.DISMISSED
    kinds = [e.kind for e in await engine.cases.events(case.id)]
    assert kinds[0] == "opened"
    assert {"action_refused", "evidence_viewed", "acknowledged", "dismissed"} <= set(kinds)
    assert all("mod-1" not in e.actor for e in await engine.cases.events(case.id))


async def test_check_this_message_answers_the_child(engine):
    chat = Scenario(engine, conversation_id="dm-1")
    ctx = [chat.event(GROOMER, "how old are you"), chat.event(GROOMER, "are you alone")]
    target = chat.event(GROOMER, "keep this our secret and add me on snapchat")
    result = await engine.check_message(target, ctx, requester_id=CHILD.id)
    assert result.nudge is not None and result.nudge.recipient_id == CHILD.id
    assert result.level in {"nudge", "review", "urgent"}
    harmless = await engine.check_message(chat.event(GROOMER, "gg well played"), [], CHILD.id)
    assert harmless.nudge is None


async def test_check_this_message_never_sends_a_second_nudge(engine, adapter):
    chat = Scenario(engine, conversation_id="dm-2")
    ctx = [chat.event(GROOMER, line) for line in TRAJECTORY]
    target = chat.event(GROOMER, "pay me or i post the pictures")
    result = await engine.check_message(target, ctx, requester_id=CHILD.id)
    assert result.case_id is not None, "a serious check should open a case"
    assert adapter.nudges == [], "the adapter answers the child; the engine must not nudge too"
    assert adapter.alerts, "moderators should hear about the case"


async def test_a_child_who_reports_is_not_nagged_again(chat, adapter, engine):
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "are you alone", to=CHILD)
    first = adapter.nudges_to(CHILD.id)[0]
    await engine.respond_to_nudge(
        first.nudge_id, "report", CHILD.id, platform="fake", community_id=chat.community_id
    )
    await chat.say(GROOMER, "send me a photo", to=CHILD)
    assert len(adapter.nudges_to(CHILD.id)) == 1


async def test_a_changed_detector_list_takes_effect_at_the_next_message(adapter):
    engine = Engine(load_policy("default"), adapters=[adapter], detectors=[])
    chat = Scenario(engine, platform="fake")
    kid, stranger = person("kid", AgeBand.MINOR), person("stranger")
    await chat.say(kid, "hi")
    assert engine.detect(chat.event(stranger, "keep it a secret", to=kid)) == []
    engine.detectors.append(KeywordDetector())  # changed in place
    found = engine.detect(chat.event(stranger, "keep it a secret", to=kid))
    assert [s.id for s in found] == ["secrecy_request"]
    engine.detectors = [BrokenDetector()]  # replaced
    assert engine.detect(chat.event(stranger, "keep it a secret", to=kid)) == []
    assert engine.stats.detector_errors == {"broken": 1}


async def test_an_ordinary_message_gets_a_complete_quiet_decision(chat):
    await chat.say(CHILD, "hello everyone")
    decision = await chat.say(GROOMER, "nice weather today", to=CHILD)
    # Built positionally on the hot path: every field must be there, in its place.
    assert len(decision) == len(Decision._fields)
    assert decision == Decision(**decision._asdict())
    assert decision.level is Level.NONE and decision.signals == ()
    assert (decision.actions, decision.suppressed, decision.family, decision.reasons) == (
        (),
        (),
        None,
        (),
    )
    assert decision.actor_id == GROOMER.id and decision.target_id == CHILD.id
    assert decision.target_band is AgeBand.MINOR
    assert decision.explain().startswith("level none")


def _level_alone_pack():
    """The default pack, but a stated minor's case opens on the level alone (as in strict)."""
    pack = load_policy("default")
    rules = tuple(
        dataclasses.replace(r, when=dataclasses.replace(r.when, signals_any=()))
        if r.name == "review"
        else r
        for r in pack.rules
    )
    return pack.model_copy(update={"rules": rules})


async def test_a_case_opened_by_a_signal_free_message_still_nudges_the_child(adapter):
    # Risk built while the kid's age was unknown stays under review; once the kid says
    # they are 13 the age gap lifts it over the line on the stranger's next, harmless
    # message. The case opens there (in a pack whose rule for a stated minor asks for no
    # grooming move), and the kid must hear of it no later than moderators.
    engine = Engine(_level_alone_pack(), adapters=[adapter], detectors=[KeywordDetector()])
    await engine.start(background=False)
    try:
        await _signal_free_case(Scenario(engine), adapter, engine)
    finally:
        await engine.stop()


async def test_the_default_pack_opens_no_case_on_a_harmless_message_after_a_stated_age(chat):
    stranger, kid = person("stranger"), person("kid")
    await chat.say(kid, "hello")
    await chat.say(stranger, "add me on snapchat", to=kid)
    await chat.say(stranger, "are you alone", to=kid)
    await chat.say(kid, "im 13", to=stranger)
    opening = await chat.say(stranger, "ok cool", to=kid)
    assert opening is not None and opening.level is Level.REVIEW
    assert opening.wants("escalate") is None


async def _signal_free_case(chat: Scenario, adapter: FakeAdapter, engine: Engine) -> None:
    stranger, kid = person("stranger"), person("kid")
    await chat.say(kid, "hello")
    await chat.say(stranger, "add me on snapchat", to=kid)
    before = await chat.say(stranger, "are you alone", to=kid)
    assert before is not None and before.level is Level.NUDGE and not before.actions
    await chat.say(kid, "im 13", to=stranger)
    opening = await chat.say(stranger, "ok cool", to=kid)
    assert opening is not None and opening.signals == ()
    assert opening.wants("escalate") is not None, "the age gap did not open a case"
    assert opening.wants("nudge_child") is not None, "a case opened without nudging the kid"
    assert [(n.recipient_id, how) for n, how in adapter.nudges] == [(kid.id, Delivery.EPHEMERAL)]
    assert len(await engine.cases.list_cases()) == 1 and len(adapter.alerts) == 1
    # Later harmless messages add nothing: no second nudge without a new signal.
    await chat.say(stranger, "so what", to=kid)
    assert len(adapter.nudges) == 1


PICTURE_REQUESTS = [
    "send me a pic",
    "send me a pic of you",
    "i want a pic of u",
    "send a pic",
    "send me one more pic",
]


@pytest.mark.parametrize(
    ("opening", "opens_case"),
    [
        ([], False),  # one stage, nobody known to be a child: reads the same between adults
        # the same requests towards a self-disclosed 13-year-old: photo requests from
        # someone of unknown age are not a grooming move beyond sexual talk ...
        ([("kid", "im 13")], False),
        # ... but they are from someone who said they are an adult
        ([("kid", "im 13"), ("other", "im 30")], True),
        ([("other", "are you home alone")], True),  # a second stage: probing supervision
    ],
    ids=[
        "one-stage-unknown-ages",
        "stated-minor-unknown-sender",
        "stated-minor-adult-sender",
        "two-stages-unknown-ages",
    ],
)
async def test_one_stage_towards_unknown_age_nudges_but_the_case_waits(opening, opens_case):
    adapter = FakeAdapter()
    engine = Engine(load_policy("default"), adapters=[adapter])  # the real detectors
    chat = Scenario(engine, kind=ConversationKind.DIRECT)
    other, kid = person("other"), person("kid")
    await chat.say(kid, "hey")
    for who, line in opening:
        await chat.say(kid if who == "kid" else other, line, to=other if who == "kid" else kid)
    for line in PICTURE_REQUESTS:
        await chat.say(other, line, to=kid)
    levels = [d.level for d in chat.decisions if d is not None and d.actor_id == "other"]
    assert Level.REVIEW in levels, "the requests never added up to review"
    cases = await engine.cases.list_cases()
    assert bool(cases) is opens_case
    assert bool(adapter.alerts) is opens_case
    # Whoever is at risk hears of it privately, case or not: they may be a child.
    assert adapter.nudges_to(kid.id) and adapter.nudges_to(other.id) == []
