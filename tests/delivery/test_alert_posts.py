"""A case's alert is one post: updates carry the post's reference from the outbox."""

from nudgeguard import CaseStatus, ModeratorAction
from nudgeguard.delivery.case_alert import case_alert, change_status
from nudgeguard.engine import Engine
from nudgeguard.local import render
from nudgeguard.policy import load_policy
from nudgeguard.testing import Scenario

from ..core.grooming import CHILD, GROOMER, groom
from ..core.keyword_detector import KeywordDetector


async def test_a_report_edits_the_cases_post_in_place(chat, adapter, engine):
    await groom(chat)
    nudge = next(n for n in adapter.nudges_to(CHILD.id) if n.case_id)
    posts = dict(adapter.posts)
    response = await engine.respond_to_nudge(
        nudge.nudge_id,
        "report",
        CHILD.id,
        platform="fake",
        community_id=nudge.community_id,
        case_id=nudge.case_id,
    )
    assert response.reported
    update = adapter.alerts[-1]
    assert update.post_ref in posts, "the update names the post the outbox stored"
    assert set(adapter.posts) == set(posts), "no second post for the same case"
    assert adapter.posts[update.post_ref].nudge_status == "child_reported"


async def test_the_post_reference_survives_a_restart(adapter):
    first = Engine(load_policy("default"), adapters=[adapter], detectors=[KeywordDetector()])
    await first.start(background=False)
    await groom(Scenario(first))
    nudge = next(n for n in adapter.nudges_to(CHILD.id) if n.case_id)
    refs = set(adapter.posts)
    await first.stop()
    # Another process on the same store: nothing in memory, the reference is in the outbox.
    second = Engine(
        load_policy("default"),
        cases=first.cases,
        adapters=[adapter],
        detectors=[KeywordDetector()],
        pseudonymizer=first.pseudonyms,
    )
    await second.start(background=False)
    await second.respond_to_nudge(
        nudge.nudge_id,
        "report",
        CHILD.id,
        platform="fake",
        community_id=nudge.community_id,
        case_id=nudge.case_id,
    )
    assert adapter.alerts[-1].post_ref in refs and set(adapter.posts) == refs
    await second.stop()


async def test_a_moderator_action_returns_the_alert_to_redraw_with_every_action(
    chat, adapter, engine
):
    await groom(chat)
    case = (await engine.cases.list_cases())[0]
    result = await engine.moderate(
        case.id,
        ModeratorAction.ACKNOWLEDGE,
        "mod-1",
        permitted=True,
        community_id=case.community_id,
    )
    assert result.accepted and result.alert is not None
    assert result.alert.status.value == "acknowledged" and result.alert.case_id == case.id
    subject = [p.user_id for p in result.alert.participants if p.role == "subject"]
    assert subject == [GROOMER.id], "the subject's id rides on the alert for Timeout"
    # The next update (a report) builds on the new state, not the old one.
    assert engine.dispatcher.alerts.latest(case.id).status.value == "acknowledged"
    refused = await engine.moderate(case.id, ModeratorAction.DISMISS, "x", permitted=False)
    assert not refused.accepted and refused.alert is None


async def test_an_erased_moderator_is_no_longer_named_on_the_post(chat, adapter, engine):
    """Who pressed lives in memory only; erased before the update goes out, it is not named."""
    await groom(chat)
    await engine.outbox.drain()
    [case] = await engine.cases.list_cases()
    done = await engine.moderate(case.id, "acknowledge", "mod-77", permitted=True)
    assert done.decision is not None and done.decision.moderator_id == "mod-77"
    assert done.alert is not None and done.alert.decision == done.decision  # the press's re-draw

    await engine.erase_user("fake", "mod-77")  # before the queued update is sent
    await engine.outbox.drain()
    shown = adapter.posts[adapter.alerts[-1].post_ref]
    assert shown.decision is not None and shown.decision.key == "acknowledged"
    assert shown.decision.moderator_id is None, "an erased moderator is still named"


async def test_a_rebuilt_alert_says_where_to_see_the_people_it_cannot_name(chat, engine):
    """Drawn from the store alone, an alert names no one and says so, in the core's words."""
    await groom(chat)
    [case] = await engine.cases.list_cases()
    rebuilt = case_alert(case, None, "de")
    assert rebuilt.rebuilt and rebuilt.participants == ()
    assert rebuilt.participants_note is not None and case.id in rebuilt.participants_note
    assert "Konsole" in rebuilt.participants_note, "not in the moderators' language"
    shown = render.alert(rebuilt)  # the local simulator draws it as an adapter would
    assert rebuilt.participants_note in shown
    assert case.subject not in shown and case.target not in shown and GROOMER.id not in shown


async def test_a_bot_that_remembers_the_case_names_the_people_instead(chat, adapter, engine):
    """A change queued elsewhere (the CLI) is sent by the bot that drew the post: no note."""
    await groom(chat)
    await engine.outbox.drain()
    [case] = await engine.cases.list_cases()
    await change_status(engine.cases, case.id, CaseStatus.ACKNOWLEDGED, "ana", via="cli")
    await engine.outbox.drain()
    shown = adapter.posts[adapter.alerts[-1].post_ref]
    assert shown.status is CaseStatus.ACKNOWLEDGED and shown.decision is not None
    assert GROOMER.id in {p.user_id for p in shown.participants}
    assert shown.participants_note is None and not shown.rebuilt


async def test_a_report_after_a_console_decision_keeps_the_decision_on_the_post(
    chat, adapter, engine
):
    """The console (another process) decided; the bot's next alert still shows that."""
    await groom(chat)
    await engine.outbox.drain()
    [case] = await engine.cases.list_cases()
    await change_status(
        engine.cases, case.id, CaseStatus.ACKNOWLEDGED, "x", via="console", name="ana"
    )
    await engine.outbox.drain()
    decided = adapter.posts[adapter.alerts[-1].post_ref]
    assert decided.decision is not None and decided.decision.name == "ana"
    nudge = next(n for n in adapter.nudges_to(CHILD.id) if n.case_id)
    await engine.respond_to_nudge(
        nudge.nudge_id,
        "report",
        CHILD.id,
        platform="fake",
        community_id=nudge.community_id,
        case_id=nudge.case_id,
    )
    await engine.outbox.drain()

    shown = adapter.posts[adapter.alerts[-1].post_ref]
    assert shown.nudge_status == "child_reported"
    assert shown.decision == decided.decision, "the post lost its Last action line"
    labels = [e.label for e in shown.timeline]
    assert decided.timeline[-1].label in labels and "the child pressed Report" in labels
