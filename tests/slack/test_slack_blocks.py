"""Block Kit output: what the child and the moderators actually see."""

from __future__ import annotations

import json

from nudgeguard import (
    AgeBand,
    AgeSource,
    CaseStatus,
    ModeratorAction,
    ModeratorAlert,
    Nudge,
    NudgeAction,
    NudgeButton,
    Severity,
)
from nudgeguard.cases.model import EvidenceMessage
from nudgeguard.delivery.outbound import (
    AlertDecision,
    AlertParticipant,
    AlertSignal,
    TimelineEntry,
)
from nudgeguard_slack.alerts import alert_blocks, keeping_post, updated_alert_blocks
from nudgeguard_slack.blocks import evidence_blocks, nudge_blocks, parse_nudge_value


def make_alert(**kw: object) -> ModeratorAlert:
    base: dict[str, object] = dict(
        alert_id="al1",
        case_id="case-7",
        platform="slack",
        community_id="T0TEAM",
        conversation_id="C0GENERAL",
        severity=Severity.HIGH,
        status=CaseStatus.OPEN,
        score=7.5,
        reasons=("secrecy and a platform move within a few messages",),
        signals=(AlertSignal(id="secrecy_request", stages=("EX",), count=2),),
        stages=("EX", "ISO"),
        participants=(
            AlertParticipant(
                role="subject",
                user_id="U0ADULT",
                age_band=AgeBand.ADULT,
                age_source=AgeSource.SELF_DISCLOSURE,
                age_confidence=0.7,
            ),
            AlertParticipant(
                role="target", user_id="U0KID", age_band=AgeBand.MINOR, age_source=AgeSource.CONFIG
            ),
        ),
        timeline=(TimelineEntry(ts=1700000100, label="first contact"),),
        permalink="https://ws.slack.test/archives/C0GENERAL/p1",
        evidence_count=4,
    )
    base.update(kw)
    return ModeratorAlert.model_validate(base)


def texts(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks)


def test_alert_shows_facts_without_mentions_and_has_the_four_buttons() -> None:
    blocks = alert_blocks(make_alert())
    dumped = texts(blocks)
    for fact in (
        "HIGH",
        "secrecy_request",
        "EX",
        "ISO",
        "`U0ADULT`",
        "self_disclosure",
        "minor",
        "admin_config",
        "first contact",
        "open in Slack",
        "case-7",
    ):
        assert fact in dumped
    assert "<@U0" not in dumped  # nobody is pinged, nobody tipped off
    actions = next(b for b in blocks if b["type"] == "actions")
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert labels == [
        "Acknowledge",
        "Show evidence",
        "Dismiss as false positive",
        "Confirm and preserve",
    ]
    assert {e["value"] for e in actions["elements"]} == {"case-7"}


def test_timeout_is_not_offered_on_slack() -> None:
    blocks = alert_blocks(
        make_alert(actions=(ModeratorAction.TIMEOUT, ModeratorAction.ACKNOWLEDGE))
    )
    assert "timeout" not in texts(blocks)


def decided(key: str, ts: float) -> AlertDecision:
    """A press by U0MOD, as the core hands it over."""
    return AlertDecision(key=key, ts=ts, moderator_id="U0MOD")  # type: ignore[arg-type]


def test_update_replaces_status_and_drops_buttons_when_closed() -> None:
    blocks = alert_blocks(make_alert())
    acked = updated_alert_blocks(
        blocks, "case-7", CaseStatus.ACKNOWLEDGED, decided("acknowledged", 1700000200)
    )
    dumped = texts(acked)
    assert "Acknowledged" in dumped and "`U0MOD`" in dumped
    assert "ng_mod_acknowledge" not in dumped and "ng_mod_confirm" in dumped
    dismissed = updated_alert_blocks(
        acked, "case-7", CaseStatus.DISMISSED, decided("dismissed", 1700000300)
    )
    dumped = texts(dismissed)
    assert "Dismissed" in dumped
    assert "ng_mod_confirm" not in dumped and "ng_mod_show_evidence" in dumped
    assert dumped.count("Status:") == 1


def test_evidence_is_escaped_and_labelled_private() -> None:
    ev = (
        EvidenceMessage(
            message_id="1",
            author="p_ab12",
            ts=1700000100,
            text="a <b> & c",
            signals=("secrecy_request",),
            attachment_count=1,
        ),
        EvidenceMessage(message_id="2", author="p_cd34", ts=1700000101, text="gone", deleted=True),
    )
    dumped = texts(evidence_blocks("case-7", ev))
    assert "Only you can see this" in dumped
    assert "a &lt;b&gt; &amp; c" in dumped
    assert "deleted" in dumped and "1 attachment(s) withheld" in dumped


def test_evidence_is_capped_below_slack_block_limit() -> None:
    ev = tuple(
        EvidenceMessage(message_id=str(i), author="p", ts=1700000000 + i, text="x")
        for i in range(80)
    )
    blocks = evidence_blocks("c", ev)
    assert len(blocks) <= 50
    assert "60 more" in texts(blocks)


def test_nudge_buttons_have_equal_weight_and_carry_what_the_engine_needs() -> None:
    nudge = Nudge(
        nudge_id="n1",
        audience="child",
        recipient_id="U0KID",
        platform="slack",
        community_id="T0TEAM",
        conversation_id="C0GENERAL",
        delivery=(),
        text="Take care <3",
        buttons=(
            NudgeButton(action=NudgeAction.SAFETY_TIPS, label="Safety tips"),
            NudgeButton(action=NudgeAction.IM_OK, label="I'm OK"),
            NudgeButton(action=NudgeAction.HELPLINE, label="Helpline", url="https://help.test"),
        ),
        family="secrecy_request",
        case_id="NG-1",
        locale="de",
        followup={"safety_tips": "Tips: keep chats where friends are."},
    )
    blocks = nudge_blocks(nudge)
    assert blocks[0]["text"]["text"] == "Take care &lt;3"
    elements = blocks[1]["elements"]
    assert all("style" not in e for e in elements)
    assert elements[2]["url"] == "https://help.test"
    value = parse_nudge_value(elements[0]["value"])
    # No child-facing text rides along: the engine words the answer to a press.
    assert value == {
        "n": "n1",
        "a": "safety_tips",
        "c": "NG-1",
        "l": "de",
        "v": nudge.conversation_id,
    }
    assert len({e["action_id"] for e in elements}) == 3
    assert parse_nudge_value("not json") == {}


def test_confirmed_case_says_so_and_loses_the_confirm_button() -> None:
    from nudgeguard.cases.model import Outcome

    blocks = alert_blocks(make_alert())
    confirmed = updated_alert_blocks(
        blocks,
        "case-7",
        CaseStatus.ACKNOWLEDGED,
        decided("confirmed", 1700000200),
        outcome=Outcome.CONFIRMED,
    )
    dumped = texts(confirmed)
    assert "Confirmed by a moderator" in dumped
    assert "ng_mod_confirm" not in dumped and "ng_mod_dismiss" in dumped


def test_a_report_rebuilt_after_a_restart_keeps_the_posts_people_and_says_reported() -> None:
    """The restarted bot knows only the child who pressed Report; the post keeps the rest."""
    posted = alert_blocks(make_alert(nudge_status="dm"))
    child = AlertParticipant(
        role="target", user_id="U0KID", age_band=AgeBand.UNKNOWN, age_source=AgeSource.NONE
    )
    rebuilt = make_alert(
        participants=(child,),
        nudge_status="child_reported",
        timeline=(TimelineEntry(ts=1700000900, label="the child pressed Report"),),
        rebuilt=True,
    )
    kept = texts(keeping_post(alert_blocks(rebuilt), posted, rebuilt))

    assert "U0ADULT" in kept and "self_disclosure" in kept, "the post lost the subject"
    assert kept.count("*Participants:*") == 1
    assert "child_reported" in kept and "*Child nudge:*\\ndm" not in kept
    assert "first contact" in kept and "the child pressed Report" in kept
