"""A child's press on a nudge button: the core answers, pauses nudges and tells moderators."""

import pytest

from nudgeguard import NudgeResponse
from nudgeguard.delivery.nudges import catalog
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario

from .grooming import CHILD, GROOMER, LINES, groom
from .keyword_detector import KeywordDetector


def with_case(adapter: FakeAdapter):
    return next(n for n in adapter.nudges_to(CHILD.id) if n.case_id is not None)


async def press(engine: Engine, nudge, action: str, user: str = CHILD.id) -> NudgeResponse:
    return await engine.respond_to_nudge(
        nudge.nudge_id,
        action,
        user,
        platform=nudge.platform,
        community_id=nudge.community_id,
        case_id=nudge.case_id,
        locale=nudge.locale,
    )


async def test_report_on_a_case_reaches_moderators_through_the_outbox(chat, adapter, engine):
    await groom(chat)
    nudge = with_case(adapter)
    alerts_before = len(adapter.alerts)
    response = await press(engine, nudge, "report")
    assert response.reported and response.accepted
    assert response.text == catalog("en").followups["report"]
    events = await engine.cases.events(nudge.case_id)
    reported = [e for e in events if e.kind == "child_reported"]
    assert len(reported) == 1
    assert reported[0].actor == "child:" + engine.pseudonyms.pseudonym("fake", CHILD.id)
    assert len(adapter.alerts) == alerts_before + 1
    alert = adapter.alerts[-1]
    assert alert.case_id == nudge.case_id and alert.nudge_status == "child_reported"
    assert alert.is_update
    # The case's own participants are kept (the subject too), and no message text.
    assert {p.role for p in alert.participants} == {"subject", "target"}
    for line in LINES:
        assert line not in alert.model_dump_json()
        assert line not in str(reported[0].detail)
    items = await engine.cases.outbox_items()
    assert any(
        i.id.startswith(f"alert:{nudge.case_id}:") and "child_reported" in i.id for i in items
    )
    assert await engine.cases.verify_chain() is None
    # Nothing reaches the other person.
    assert adapter.nudges_to(GROOMER.id) == []


async def test_a_moderators_press_after_a_report_keeps_the_report_on_the_alert(
    chat, adapter, engine
):
    await groom(chat)
    nudge = with_case(adapter)
    await press(engine, nudge, "report")
    result = await engine.moderate(nudge.case_id, "acknowledge", "mod-1", permitted=True)
    # Both adapters re-draw the moderators' post from this alert.
    assert result.alert is not None
    assert result.alert.nudge_status == "child_reported", "the press un-did the report"
    assert result.alert.status == "acknowledged"


async def test_report_pauses_further_nudges(chat, adapter, engine):
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "are you alone", to=CHILD)
    first = adapter.nudges_to(CHILD.id)[0]
    await press(engine, first, "report")
    await chat.say(GROOMER, "keep this our secret", to=CHILD)
    assert len(adapter.nudges_to(CHILD.id)) == 1


async def test_how_to_block_pauses_further_nudges(chat, adapter, engine):
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "are you alone", to=CHILD)
    first = adapter.nudges_to(CHILD.id)[0]
    response = await press(engine, first, "how_to_block")
    assert response.text == catalog("en").followups["how_to_block"]
    await chat.say(GROOMER, "keep this our secret", to=CHILD)
    assert len(adapter.nudges_to(CHILD.id)) == 1


async def test_im_ok_does_not_pause_nudges(chat, adapter, engine):
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "are you alone", to=CHILD)
    first = adapter.nudges_to(CHILD.id)[0]
    await press(engine, first, "im_ok")
    await chat.say(GROOMER, "keep this our secret", to=CHILD)
    assert len(adapter.nudges_to(CHILD.id)) == 2


@pytest.mark.parametrize("action", ["delete_everything", "", "x" * 5000, "report\udcff"])
async def test_an_unknown_button_gets_a_refusal_not_a_crash(chat, adapter, engine, action):
    await groom(chat)
    nudge = with_case(adapter)
    alerts = len(adapter.alerts)
    response = await press(engine, nudge, action)
    assert not response.accepted and not response.reported
    assert response.text == catalog("en").responses["unknown_button"]
    assert len(adapter.alerts) == alerts
    assert not [e for e in await engine.cases.events(nudge.case_id) if e.kind == "child_reported"]


async def test_report_without_a_case_reaches_moderators_as_a_notice(chat, adapter, engine):
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "are you alone", to=CHILD)
    nudge = adapter.nudges_to(CHILD.id)[0]
    assert nudge.case_id is None
    response = await press(engine, nudge, "report")
    assert response.reported
    assert response.text == catalog("en").followups["report"]
    assert await engine.cases.list_cases() == [], "no case is opened silently"
    [notice] = adapter.notices
    child = engine.pseudonyms.pseudonym("fake", CHILD.id)
    assert notice.title == catalog("en").moderator_text("report_notice_title")
    assert notice.reporter == child[:12] and notice.community_id == nudge.community_id
    shown = notice.model_dump_json()
    assert CHILD.id not in shown and GROOMER.id not in shown, "platform ids in a notice"
    [row] = [e for e in await engine.cases.events() if e.kind == "child_report_notice"]
    assert row.case_id == "*" and row.actor == "child:" + child
    # Pressing Report again on the same nudge does not tell the moderators twice.
    again = await press(engine, nudge, "report")
    assert again.reported and len(adapter.notices) == 1


async def test_report_without_a_moderator_channel_says_moderators_were_not_reached(
    chat, adapter, engine
):
    adapter.no_moderator_channel = True
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "are you alone", to=CHILD)
    nudge = adapter.nudges_to(CHILD.id)[0]
    response = await press(engine, nudge, "report")
    assert not response.reported
    assert response.text == catalog("en").responses["report_not_sent"]
    observed = await engine.cases.observations()
    assert ("report", "moderators_not_reached") in [o.actions for o in observed]


async def test_a_notice_is_in_the_communitys_language(adapter):
    from nudgeguard.locales import LanguageSettings

    engine = Engine(
        load_policy("default"),
        adapters=[adapter],
        detectors=[KeywordDetector()],
        languages=LanguageSettings(communities={"guild": "fr"}),
    )
    await engine.start(background=False)
    response = await engine.respond_to_nudge(
        "nudge:fake:m1:" + CHILD.id,
        "report",
        CHILD.id,
        platform="fake",
        community_id="guild",
        conversation_id="general",
    )
    assert response.reported
    [notice] = adapter.notices
    assert notice.locale == "fr" and notice.conversation_id == "general"
    assert notice.title == catalog("fr").moderator_text("report_notice_title")
    await engine.stop()


async def test_a_forged_case_id_touches_no_case(chat, adapter, engine):
    await groom(chat)
    nudge = with_case(adapter)
    alerts = len(adapter.alerts)
    # Someone else pressing with the child's case, and the child from another community.
    other = await engine.respond_to_nudge(
        nudge.nudge_id,
        "report",
        GROOMER.id,
        platform="fake",
        community_id=nudge.community_id,
        case_id=nudge.case_id,
    )
    elsewhere = await engine.respond_to_nudge(
        nudge.nudge_id,
        "report",
        CHILD.id,
        platform="fake",
        community_id="another",
        case_id=nudge.case_id,
    )
    unknown = [
        await engine.respond_to_nudge(
            nudge.nudge_id,
            "report",
            CHILD.id,
            platform="fake",
            community_id=nudge.community_id,
            case_id=forged,
        )
        for forged in ("NG-" + "F" * 100, "\udcff" * 10, "NG-\x00", "' or 1=1 --")
    ]
    # Someone else's press reaches nobody; the child's own presses with a wrong case or
    # community touch no case, and reach moderators only as a case-less notice.
    assert not other.reported
    assert all(u.reported for u in [elsewhere, *unknown]) and adapter.notices
    assert len(adapter.alerts) == alerts
    assert not [e for e in await engine.cases.events(nudge.case_id) if e.kind == "child_reported"]


async def test_the_answer_is_in_the_nudges_language(chat, adapter, engine):
    await groom(chat)
    nudge = with_case(adapter).model_copy(update={"locale": "de"})
    response = await press(engine, nudge, "report")
    assert response.reported
    assert response.text == catalog("de").followups["report"]
    tips = await press(engine, nudge, "safety_tips")
    assert tips.text == catalog("de").followups["safety_tips"]


async def test_a_platform_gets_its_own_follow_up_where_its_tools_differ(engine):
    on_slack = await engine.respond_to_nudge(
        "nudge:slack:1:U1", "how_to_block", "U1", platform="slack", community_id="T1", locale="fr"
    )
    assert on_slack.text == catalog("fr").platform_followups["slack"]["how_to_block"]
    assert on_slack.text != catalog("fr").followups["how_to_block"]
    on_discord = await engine.respond_to_nudge(
        "nudge:discord:1:9", "how_to_block", "9", platform="discord", community_id="1", locale="fr"
    )
    assert on_discord.text == catalog("fr").followups["how_to_block"]


async def test_a_report_after_a_restart_still_reaches_moderators(adapter):
    # A fresh engine on the same store does not remember the alert: it is built from the case.
    first = Engine(load_policy("default"), adapters=[adapter], detectors=[KeywordDetector()])
    await first.start(background=False)
    await groom(Scenario(first))
    nudge = with_case(adapter)
    restarted = FakeAdapter()
    second = Engine(
        load_policy("default"),
        cases=first.cases,
        adapters=[restarted],
        detectors=[KeywordDetector()],
        pseudonymizer=first.pseudonyms,
    )
    response = await press(second, nudge, "report")
    assert response.reported
    [alert] = restarted.alerts
    assert alert.case_id == nudge.case_id and alert.nudge_status == "child_reported"
    assert [(p.role, p.user_id) for p in alert.participants] == [("target", CHILD.id)]
    await first.stop()
