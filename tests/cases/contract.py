"""The CaseStore contract: every backend must pass these tests.

Use it by subclassing with a ``store`` async fixture that yields a fresh, empty store::

    class TestMyStore(CaseStoreContract):
        @pytest.fixture
        async def store(self):
            s = MyStore(...)
            yield s
            await s.close()

Backend-specific checks (tampering with raw rows, bytes left in files) live next to each
backend's own tests.
"""

from __future__ import annotations

import json

import pytest

from nudgeguard.cases.audit import ERASED_ACTOR
from nudgeguard.cases.model import Case, CaseStatus, EvidenceMessage, Outcome, Severity
from nudgeguard.cases.store import CaseClosedError, Observation, OutboxItem

T0 = 1_700_000_000.0


def make_case(
    case_id: str = "NG-1",
    *,
    subject: str = "p_subject",
    target: str = "p_target",
    community: str = "guild-1",
    conversation: str = "chan-1",
    severity: Severity = Severity.MEDIUM,
    signals: tuple[str, ...] = ("age_probe", "secrecy_request"),
    opened_at: float = T0,
) -> Case:
    return Case(
        id=case_id,
        platform="fake",
        community_id=community,
        conversation_id=conversation,
        subject=subject,
        target=target,
        severity=severity,
        score=3.5,
        signals=signals,
        stages=("RA",),
        reasons=("level high (score 3.50)",),
        opened_at=opened_at,
        updated_at=opened_at,
    )


def msg(
    mid: str, author: str = "p_subject", text: str = "hello there", ts: float = T0
) -> EvidenceMessage:
    return EvidenceMessage(message_id=mid, author=author, ts=ts, text=text)


class CaseStoreContract:
    """Behaviour every :class:`~nudgeguard.cases.store.CaseStore` must show."""

    # -- cases -----------------------------------------------------------------------------
    async def test_open_and_get_round_trip(self, store) -> None:
        evidence = [
            msg("m1", "p_target", "hi", T0),
            EvidenceMessage(
                message_id="m2",
                author="p_subject",
                ts=T0 + 1,
                text="unicode \u00e9\u4e2d\U0001f600",
                signals=("age_probe",),
                attachment_count=2,
                edited=True,
            ),
        ]
        opened = await store.open_case(make_case(), evidence)
        assert opened.id == "NG-1"
        got = await store.get("NG-1")
        assert got is not None
        assert got.subject == "p_subject" and got.target == "p_target"
        assert got.severity is Severity.MEDIUM and got.status is CaseStatus.OPEN
        assert got.signals == ("age_probe", "secrecy_request")
        assert got.reasons == ("level high (score 3.50)",)
        assert [m.message_id for m in got.evidence] == ["m1", "m2"]
        assert got.evidence[1].text == "unicode \u00e9\u4e2d\U0001f600"
        assert got.evidence[1].attachment_count == 2 and got.evidence[1].edited
        assert got.evidence[1].signals == ("age_probe",)
        assert await store.get("NG-404") is None

    async def test_find_open_is_per_directed_pair(self, store) -> None:
        await store.open_case(make_case(), [msg("m1")])
        found = await store.find_open("fake", "guild-1", "chan-1", "p_subject", "p_target")
        assert found is not None and found.id == "NG-1"
        assert await store.find_open("fake", "guild-1", "chan-1", "p_target", "p_subject") is None
        assert await store.find_open("fake", "guild-1", "chan-2", "p_subject", "p_target") is None

    async def test_acknowledged_case_is_still_open_but_closed_is_not(self, store) -> None:
        await store.open_case(make_case(), [msg("m1")])
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_mod")
        pair = ("fake", "guild-1", "chan-1", "p_subject", "p_target")
        assert (await store.find_open(*pair)) is not None
        await store.transition("NG-1", CaseStatus.DISMISSED, "mod:p_mod", Outcome.FALSE_POSITIVE)
        assert await store.find_open(*pair) is None

    async def test_add_evidence_dedupes_and_severity_only_rises(self, store) -> None:
        await store.open_case(make_case(), [msg("m1"), msg("m2")])
        case = await store.add_evidence(
            "NG-1", [msg("m2"), msg("m3")], severity=Severity.HIGH, signals=["meet_request"]
        )
        full = await store.get("NG-1")
        assert [m.message_id for m in full.evidence] == ["m1", "m2", "m3"]
        assert case.severity is Severity.HIGH
        assert set(case.signals) == {"age_probe", "secrecy_request", "meet_request"}
        case = await store.add_evidence("NG-1", [msg("m4")], severity=Severity.LOW)
        assert case.severity is Severity.HIGH
        kinds = [e.kind for e in await store.events("NG-1")]
        assert kinds == ["opened", "evidence_added", "severity_raised", "evidence_added"]

    async def test_add_evidence_keeps_edit_and_delete_flags(self, store) -> None:
        await store.open_case(make_case(), [msg("m1")])
        flagged = EvidenceMessage(
            message_id="m1", author="p_subject", ts=T0, text="hello there", deleted=True
        )
        await store.add_evidence("NG-1", [flagged])
        assert (await store.get("NG-1")).evidence[0].deleted
        await store.add_evidence("NG-1", [msg("m1")])
        assert (await store.get("NG-1")).evidence[0].deleted, "a later copy must not undo it"

    async def test_add_evidence_to_unknown_case_raises(self, store) -> None:
        with pytest.raises(KeyError):
            await store.add_evidence("NG-404", [msg("m1")])

    async def test_returned_case_is_what_a_fresh_read_gives(self, store) -> None:
        await store.open_case(make_case(), [msg("m1")])
        case = await store.add_evidence(
            "NG-1", [msg("m2")], severity=Severity.CRITICAL, score=99.5, stages=["APP"]
        )
        stored = (await store.list_cases())[0]
        assert case == stored
        assert case.severity is Severity.CRITICAL and case.score == 99.5 and "APP" in case.stages

    async def test_open_only_leaves_a_closed_case_untouched(self, store) -> None:
        await store.open_case(make_case(), [msg("m1")])
        await store.add_evidence("NG-1", [msg("m2")], open_only=True)  # open: appended
        await store.transition("NG-1", CaseStatus.RESOLVED, "mod:p_mod", Outcome.CONFIRMED)
        events = len(await store.events("NG-1"))
        with pytest.raises(CaseClosedError):
            await store.add_evidence(
                "NG-1", [msg("m3")], severity=Severity.CRITICAL, open_only=True
            )
        closed = await store.get("NG-1")
        assert [m.message_id for m in closed.evidence] == ["m1", "m2"]
        assert closed.severity is not Severity.CRITICAL
        assert len(await store.events("NG-1")) == events, "nothing audited either"

    async def test_list_cases_filters_and_orders_newest_first(self, store) -> None:
        await store.open_case(make_case("NG-1", opened_at=T0), [])
        await store.open_case(make_case("NG-2", community="guild-2", opened_at=T0 + 5), [])
        await store.open_case(make_case("NG-3", opened_at=T0 + 10), [])
        await store.transition("NG-3", CaseStatus.RESOLVED, "cli", Outcome.NO_ACTION)
        assert [c.id for c in await store.list_cases()] == ["NG-3", "NG-2", "NG-1"]
        assert [c.id for c in await store.list_cases(CaseStatus.OPEN)] == ["NG-2", "NG-1"]
        assert [c.id for c in await store.list_cases(community_id="guild-2")] == ["NG-2"]
        assert all(c.evidence == () for c in await store.list_cases())

    async def test_transition_audit_kinds(self, store) -> None:
        for cid in ("NG-1", "NG-2", "NG-3"):
            await store.open_case(make_case(cid, conversation=cid), [])
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_a")
        await store.transition(
            "NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_a", Outcome.CONFIRMED, "evidence preserved"
        )
        await store.transition("NG-2", CaseStatus.DISMISSED, "mod:p_b", Outcome.FALSE_POSITIVE)
        case = await store.transition("NG-3", CaseStatus.RESOLVED, "cli", Outcome.NO_ACTION)
        assert case.status is CaseStatus.RESOLVED and case.outcome is Outcome.NO_ACTION
        assert [e.kind for e in await store.events("NG-1")] == [
            "opened",
            "acknowledged",
            "confirmed",
        ]
        confirmed = (await store.events("NG-1"))[-1]
        assert confirmed.actor == "mod:p_a"
        assert confirmed.detail["note"] == "evidence preserved"
        assert [e.kind for e in await store.events("NG-2")][-1] == "dismissed"
        assert [e.kind for e in await store.events("NG-3")][-1] == "resolved"

    async def test_transition_unknown_case_raises(self, store) -> None:
        with pytest.raises(KeyError):
            await store.transition("NG-404", CaseStatus.ACKNOWLEDGED, "cli")

    # -- feedback --------------------------------------------------------------------------
    async def test_decisions_are_recorded_per_signal(self, store) -> None:
        await store.open_case(make_case("NG-1", signals=("age_probe", "meet_request")), [])
        await store.open_case(make_case("NG-2", conversation="c2", signals=("age_probe",)), [])
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_a", Outcome.CONFIRMED)
        await store.transition("NG-2", CaseStatus.DISMISSED, "mod:p_a", Outcome.FALSE_POSITIVE)
        got = {(f.case_id, f.signal, f.verdict) for f in await store.feedback()}
        assert got == {
            ("NG-1", "age_probe", "confirmed"),
            ("NG-1", "meet_request", "confirmed"),
            ("NG-2", "age_probe", "false_positive"),
        }
        assert all(f.community_id == "guild-1" for f in await store.feedback())
        assert await store.feedback(community_id="guild-9") == []

    async def test_a_later_decision_replaces_the_earlier_one(self, store) -> None:
        await store.open_case(make_case("NG-1", signals=("age_probe",)), [])
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_a", Outcome.CONFIRMED)
        await store.transition("NG-1", CaseStatus.RESOLVED, "cli", Outcome.CONFIRMED)
        await store.transition("NG-1", CaseStatus.DISMISSED, "cli", Outcome.FALSE_POSITIVE)
        feedback = await store.feedback()
        assert [(f.signal, f.verdict) for f in feedback] == [("age_probe", "false_positive")]

    async def test_acknowledging_gives_no_feedback(self, store) -> None:
        await store.open_case(make_case(), [])
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_a")
        await store.transition("NG-1", CaseStatus.RESOLVED, "cli", Outcome.NO_ACTION)
        assert await store.feedback() == []

    # -- audit chain -----------------------------------------------------------------------
    async def test_record_and_events_in_order(self, store) -> None:
        await store.open_case(make_case(), [])
        await store.record("NG-1", "alerted", "system", {"target": "fake", "n": 1, "ok": True})
        events = await store.events()
        assert [e.seq for e in events] == [1, 2]
        assert events[1].kind == "alerted"
        assert events[1].detail == {"target": "fake", "n": 1, "ok": True}
        assert events[0].hash != events[1].hash and len(events[1].hash) == 64

    async def test_last_event_is_a_cases_newest_row_of_the_kinds_asked(self, store) -> None:
        await store.open_case(make_case(), [])
        await store.open_case(make_case("NG-2", conversation="chan-2"), [])
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_a")
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "ana", Outcome.CONFIRMED)
        await store.record("NG-1", "evidence_viewed", "mod:p_b", {"messages": 1})
        await store.transition("NG-2", CaseStatus.ACKNOWLEDGED, "mod:p_c")
        kinds = ("acknowledged", "confirmed", "dismissed", "resolved")
        last = await store.last_event("NG-1", kinds)
        assert last is not None and (last.kind, last.actor) == ("confirmed", "ana")
        assert last == next(e for e in await store.events("NG-1") if e.kind == "confirmed")
        assert (await store.last_event("NG-1", ("opened",))).kind == "opened"
        assert await store.last_event("NG-1", ("dismissed",)) is None
        assert await store.last_event("NG-404", kinds) is None
        assert await store.last_event("NG-1", ()) is None

    async def test_account_names_are_those_with_a_role_in_the_community(self, store) -> None:
        await store.save_account("bo", "h", "guild-1", "admin")
        await store.save_account("ana", "h", "guild-1", "moderator")
        await store.save_account("cy", "h", "guild-2", "moderator")
        assert await store.account_names("guild-1") == ["ana", "bo"]
        assert await store.account_names("guild-3") == []

    async def test_chain_verifies_after_every_kind_of_write(self, store) -> None:
        assert await store.verify_chain() is None
        await store.open_case(make_case(), [msg("m1")])
        await store.add_evidence("NG-1", [msg("m2")], severity=Severity.CRITICAL)
        await store.record("NG-1", "alerted", "system", {"target": "fake"})
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_mod")
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_mod", Outcome.CONFIRMED)
        await store.record("NG-1", "exported", "cli", {"bundle_sha256": "ab" * 32})
        assert await store.verify_chain() is None
        head = await store.audit_head()
        last = (await store.events())[-1]
        assert head == f"{last.seq}:{last.hash}"

    # -- outbox ----------------------------------------------------------------------------
    async def test_enqueue_is_idempotent_by_id(self, store) -> None:
        item = OutboxItem("alert:NG-1:high", "NG-1", "fake", "alert", '{"a": 1}')
        assert await store.enqueue(item) is True
        assert await store.enqueue(item) is False
        assert [i.id for i in await store.due(T0)] == ["alert:NG-1:high"]
        assert (await store.due(T0))[0].payload == '{"a": 1}'

    async def test_due_respects_next_at(self, store) -> None:
        await store.enqueue(OutboxItem("a", None, "fake", "alert", "{}", next_at=T0 + 100))
        await store.enqueue(OutboxItem("b", None, "fake", "nudge", "{}", next_at=T0))
        assert [i.id for i in await store.due(T0)] == ["b"]
        assert [i.id for i in await store.due(T0 + 100)] == ["b", "a"]

    async def test_claim_is_exclusive_until_the_lease_ends(self, store) -> None:
        await store.enqueue(OutboxItem("a", None, "fake", "alert", "{}"))
        assert await store.claim("a", T0, 30.0) is True
        assert await store.claim("a", T0 + 1, 30.0) is False
        assert await store.due(T0 + 1) == []
        assert await store.claim("a", T0 + 31, 30.0) is True, "a dead worker's lease expires"

    async def test_sent_ref_is_the_latest_delivered_alert_post_of_a_case(self, store) -> None:
        assert await store.sent_ref("NG-1", "fake") is None
        await store.enqueue(OutboxItem("a1", "NG-1", "fake", "alert", "{}"))
        await store.enqueue(OutboxItem("n1", "NG-1", "fake", "nudge", "{}"))
        await store.enqueue(OutboxItem("b1", "NG-2", "fake", "alert", "{}"))
        await store.mark_sent("a1", "post-1", T0)
        await store.mark_sent("n1", "direct_message", T0 + 1)
        await store.mark_sent("b1", "post-2", T0 + 2)
        assert await store.sent_ref("NG-1", "fake") == "post-1", "nudges and other cases differ"
        assert await store.sent_ref("NG-1", "webhook") is None
        await store.enqueue(OutboxItem("a2", "NG-1", "fake", "alert", "{}"))
        await store.mark_sent("a2", "post-1b", T0 + 3)
        assert await store.sent_ref("NG-1", "fake") == "post-1b"

    async def test_claim_due_takes_a_leased_batch(self, store) -> None:
        for n in range(3):
            await store.enqueue(OutboxItem(f"i{n}", None, "hook", "nudge", "{}"))
        first = {i.id for i in await store.claim_due(T0, 30.0, 2, "p1")}
        rest = {i.id for i in await store.claim_due(T0 + 1, 30.0, 10, "p2")}
        assert len(first) == 2 and first | rest == {"i0", "i1", "i2"} and not first & rest
        assert await store.claim_due(T0 + 2, 30.0) == [], "leased items wait for the lease"
        assert len(await store.claim_due(T0 + 32, 30.0)) == 3, "a dead worker's items come back"

    async def test_sent_items_leave_the_queue_and_drop_the_payload(self, store) -> None:
        await store.enqueue(OutboxItem("a", "NG-1", "fake", "alert", '{"user_id": "u1"}'))
        await store.mark_sent("a", "ref-1", T0)
        assert await store.due(T0 + 10_000) == []
        assert await store.claim("a", T0 + 10_000, 30.0) is False
        [rec] = await store.outbox_items()
        assert rec.status == "sent" and rec.attempts == 1 and rec.done_at == T0
        assert await store.outbox_status() == {"sent": 1}

    async def test_retry_then_give_up(self, store) -> None:
        await store.enqueue(OutboxItem("a", None, "hook", "alert", "{}"))
        await store.mark_retry("a", 1, T0 + 60, "TransientDeliveryError")
        assert await store.due(T0) == []
        [item] = await store.due(T0 + 60)
        assert item.attempts == 1
        [rec] = await store.outbox_items(status="pending")
        assert rec.last_error == "TransientDeliveryError" and rec.next_at == T0 + 60
        await store.mark_failed("a", "dead", "TransientDeliveryError", T0 + 61)
        assert await store.due(T0 + 10_000) == []
        [rec] = await store.outbox_items()
        assert rec.status == "dead" and rec.attempts == 2
        assert await store.outbox_status() == {"dead": 1}

    # -- observations and settings ---------------------------------------------------------
    async def test_observations_round_trip(self, store) -> None:
        for i, community in enumerate(["g1", "g2", "g1"]):
            await store.observe(
                Observation(
                    T0 + i,
                    "fake",
                    community,
                    "high",
                    ("age_probe",),
                    ("nudge_child",),
                    "live",
                    family="probing",
                )
            )
        assert len(await store.observations()) == 3
        got = await store.observations(since=T0 + 1, community_id="g1")
        assert [(o.ts, o.signals, o.actions, o.family) for o in got] == [
            (T0 + 2, ("age_probe",), ("nudge_child",), "probing")
        ]

    async def test_settings(self, store) -> None:
        assert await store.get_setting("mode:g1") is None
        await store.set_setting("mode:g1", "observe")
        await store.set_setting("mode:g1", "live")
        assert await store.get_setting("mode:g1") == "live"

    # -- privacy ---------------------------------------------------------------------------
    async def test_cases_of_a_person(self, store) -> None:
        await store.open_case(make_case("NG-1"), [msg("m1")])
        await store.open_case(
            make_case("NG-2", subject="p_other", target="p_third", conversation="c2"),
            [msg("m9", author="p_target")],
        )
        await store.open_case(make_case("NG-3", subject="p_x", target="p_y", conversation="c3"), [])
        assert [c.id for c in await store.cases_of("p_target")] == ["NG-1", "NG-2"]
        assert (await store.cases_of("p_subject"))[0].evidence[0].message_id == "m1"
        assert await store.cases_of("p_nobody") == []

    async def test_purge_cases(self, store) -> None:
        await store.open_case(make_case("NG-1"), [msg("m1")])
        await store.open_case(make_case("NG-2", conversation="c2"), [msg("m2")])
        await store.enqueue(OutboxItem("alert:NG-1", "NG-1", "fake", "alert", "{}"))
        assert await store.purge_cases(["NG-1", "NG-404"], "retention", "dismissed after 30d") == 1
        assert await store.get("NG-1") is None
        assert await store.get("NG-2") is not None
        assert await store.due(T0 + 10_000) == []
        purged = (await store.events("NG-1"))[-1]
        assert purged.kind == "purged" and purged.detail["reason"] == "dismissed after 30d"
        assert await store.verify_chain() is None

    async def test_purge_records(self, store) -> None:
        await store.observe(Observation(T0, "fake", "g1", "low", (), ("nudge_child",), "live"))
        await store.observe(Observation(T0 + 50, "fake", "g1", "low", (), (), "live"))
        await store.enqueue(OutboxItem("a", None, "fake", "alert", "{}"))
        await store.enqueue(OutboxItem("b", None, "fake", "alert", "{}"))
        await store.mark_sent("a", None, T0)
        removed = await store.purge_records(before=T0 + 10)
        assert removed == 2
        assert [o.ts for o in await store.observations()] == [T0 + 50]
        assert [r.id for r in await store.outbox_items()] == ["b"], "pending items are kept"

    async def test_erase_person(self, store) -> None:
        await store.open_case(
            make_case("NG-1"),
            [msg("m1", "p_subject", "question one"), msg("m2", "p_target", "my own words")],
        )
        await store.transition("NG-1", CaseStatus.ACKNOWLEDGED, "mod:p_target")
        await store.open_case(make_case("NG-2", subject="p_x", target="p_y", conversation="c"), [])
        payload = json.dumps({"recipient_id": "U-42", "text": "a nudge"})
        await store.enqueue(OutboxItem("nudge:1", "NG-1", "fake", "nudge", payload))
        other = json.dumps({"recipient_id": "U-420"})
        await store.enqueue(OutboxItem("nudge:2", "NG-1", "fake", "nudge", other))

        erasure = await store.erase_person("p_target", "U-42", "cli")

        assert erasure.cases == 1 and erasure.messages == 1
        assert erasure.audit_rows == 1 and erasure.outbox_items == 1
        case = await store.get("NG-1")
        assert case is not None and case.target == ERASED_ACTOR
        assert [m.message_id for m in case.evidence] == ["m1"]
        assert await store.cases_of("p_target") == []
        events = await store.events()
        assert all("p_target" not in e.actor for e in events)
        assert all("p_target" not in json.dumps(e.detail) for e in events)
        assert all("U-42" not in json.dumps(e.detail) for e in events)
        assert {"erased"} <= {e.kind for e in await store.events("NG-1")}
        assert await store.verify_chain() is None, "erasure must not break the chain"
        assert [i.id for i in await store.due(T0 + 10_000)] == ["nudge:2"]
        statuses = {r.id: r.status for r in await store.outbox_items()}
        assert statuses == {"nudge:1": "erased", "nudge:2": "pending"}

    async def test_erasures_are_listed_after_a_row_with_their_token(self, store) -> None:
        await store.open_case(make_case(), [msg("m1", "p_target")])
        await store.erase_person("p_old", "U-1", "cli")  # as erasures before tokens were
        await store.erase_person("p_target", "U-42", "cli", platform="fake", token="e_42")
        await store.erase_person("p_other", "U-7", "cli", platform="fake", token="e_7")

        first, second, third = await store.erasures_after(0)
        assert (first.platform, first.token) == ("", ""), "no token: matches nobody"
        assert (second.platform, second.token) == ("fake", "e_42")
        assert [n.token for n in await store.erasures_after(second.seq)] == ["e_7"]
        assert [n.token for n in await store.erasures_after(0, limit=2)] == ["", "e_42"]
        assert await store.erasures_after(third.seq) == []
        assert await store.verify_chain() is None

    async def test_erasing_someone_unknown_changes_nothing_but_the_audit(self, store) -> None:
        await store.open_case(make_case(), [msg("m1")])
        erasure = await store.erase_person("p_nobody", "U-0", "cli")
        assert (erasure.cases, erasure.messages, erasure.audit_rows) == (0, 0, 0)
        assert len((await store.get("NG-1")).evidence) == 1
        assert (await store.events())[-1].kind == "erased"
        assert await store.verify_chain() is None
