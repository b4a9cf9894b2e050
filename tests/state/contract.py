"""The StateStore contract: what the engine relies on from any working-memory store.

Run against the in-process store (tests/state) and against Redis (tests/scale). A store
under test subclasses :class:`StateStoreContract` and provides two fixtures:

- ``store``: a fresh, empty store with a TTL of one hour of event time;
- ``reopen``: an async function that makes what was saved durable for the backend and
  returns a store to read it back from (the same one for an in-process store; a new
  connection, as another bot process would have, for a shared store).
"""

from __future__ import annotations

from nudgeguard.inbox.events import AgeBand, AgeSource
from nudgeguard.state.store import AgeInference, EvidenceItem

TTL = 3600.0
PAIR = ("fake", "g1", "c1", "adult1", "kid1")
OTHER_PAIR = ("fake", "g1", "c1", "kid2", "kid1")
CONV = ("fake", "g1", "c1")
KID = ("fake", "kid1")
ADULT = ("fake", "adult1")


class StateStoreContract:
    async def test_unknown_records_load_fresh(self, store) -> None:
        pair = await store.load_pair(PAIR, 10.0)
        assert pair.messages == 0 and pair.scores == {} and pair.case_id is None
        conv = await store.load_conversation(CONV, 10.0)
        assert list(conv.window) == [] and conv.speakers == []
        age = await store.load_age(KID, 10.0)
        assert age.band is AgeBand.UNKNOWN and age.source is AgeSource.NONE
        child = await store.load_child(KID, 10.0)
        assert child.nudge_times == [] and child.opted_out_until == 0.0

    async def test_what_is_saved_is_read_back(self, store, reopen) -> None:
        pair = await store.load_pair(PAIR, 100.0)
        pair.scores["trust"] = 1.25
        pair.signal_counts["age_probe"] = 2
        pair.messages, pair.questions, pair.case_id = 7, 3, "NG-1"
        pair.nudged["secrecy"] = 99.0
        store.save_pair(PAIR, pair, 100.0)
        conv = await store.load_conversation(CONV, 100.0)
        conv.speakers = ["kid1", "adult1"]
        conv.window.append(EvidenceItem("m1", "adult1", 100.5, "hello there", ("age_probe",)))
        store.save_conversation(CONV, conv, 100.0)
        store.save_age(KID, AgeInference(AgeBand.MINOR, AgeSource.PLATFORM, 1.0), 100.0)
        child = await store.load_child(KID, 100.0)
        child.nudge_times.append(99.5)
        child.opted_out_until = 500.0
        store.save_child(KID, child, 100.0)

        reader = await reopen()
        again = await reader.load_pair(PAIR, 101.0)
        assert (again.messages, again.questions, again.case_id) == (7, 3, "NG-1")
        assert again.scores == {"trust": 1.25} and again.signal_counts == {"age_probe": 2}
        assert again.nudged == {"secrecy": 99.0}
        conv2 = await reader.load_conversation(CONV, 101.0)
        assert conv2.speakers == ["kid1", "adult1"]
        assert [(i.message_id, i.author_id, i.text) for i in conv2.window] == [
            ("m1", "adult1", "hello there")
        ]
        age = await reader.load_age(KID, 101.0)
        assert (age.band, age.source) == (AgeBand.MINOR, AgeSource.PLATFORM)
        child2 = await reader.load_child(KID, 101.0)
        assert child2.nudge_times == [99.5] and child2.opted_out_until == 500.0

    async def test_cached_reads_agree_with_loads(self, store) -> None:
        pair = await store.load_pair(PAIR, 5.0)
        pair.messages = 4
        store.save_pair(PAIR, pair, 5.0)
        cached = store.cached_pair(PAIR, 6.0)
        assert cached is None or cached.messages == 4
        assert (await store.load_pair(PAIR, 6.0)).messages == 4
        cached_conv = store.cached_conversation(CONV, 6.0)
        loaded_conv = await store.load_conversation(CONV, 6.0)
        assert cached_conv is None or list(cached_conv.window) == list(loaded_conv.window)

    async def test_records_expire_in_event_time(self, store, reopen) -> None:
        pair = await store.load_pair(PAIR, 0.0)
        pair.messages = 5
        store.save_pair(PAIR, pair, 0.0)
        reader = await reopen()
        assert (await reader.load_pair(PAIR, TTL / 2)).messages == 5
        assert (await reader.load_pair(PAIR, TTL * 3)).messages == 0

    async def test_the_evidence_window_keeps_the_latest_messages_only(self, store, reopen) -> None:
        conv = await store.load_conversation(CONV, 1.0)
        for n in range(200):
            conv.window.append(EvidenceItem(f"m{n}", "adult1", 1.0 + n, f"line {n}"))
        store.save_conversation(CONV, conv, 1.0)
        reader = await reopen()
        window = list((await reader.load_conversation(CONV, 2.0)).window)
        assert 0 < len(window) <= 40
        assert window[-1].message_id == "m199"

    async def test_contacts_count_distinct_minors_within_the_window(self, store) -> None:
        assert await store.note_contact(ADULT, "kid1", 10.0, 100.0) == 1
        assert await store.note_contact(ADULT, "kid1", 20.0, 100.0) == 1
        assert await store.note_contact(ADULT, "kid2", 30.0, 100.0) == 2
        # kid1 and kid2 were last addressed more than 100 s before: only kid3 counts.
        assert await store.note_contact(ADULT, "kid3", 500.0, 100.0) == 1

    async def test_forgetting_a_user_erases_their_records(self, store, reopen) -> None:
        await _remember_an_adult_and_a_child(store)
        await store.note_contact(ADULT, "kid1", 1.0, 3600)

        assert await store.forget_user(ADULT) >= 3
        reader = await reopen()
        await _only_the_adult_is_forgotten(reader)
        assert await reader.note_contact(ADULT, "kid9", 3.0, 3600) == 1

    async def test_forgetting_the_users_that_match_erases_only_theirs(self, store, reopen) -> None:
        """An erasure made elsewhere: the store is asked by a predicate, not by an id."""
        await _remember_an_adult_and_a_child(store)
        asked: set[str] = set()

        def matches(user_id: str) -> bool:
            asked.add(user_id)
            return user_id == "adult1"

        assert await store.forget_matching("fake", matches) >= 3
        assert {"adult1", "kid1", "kid2"} <= asked, "someone it holds was never checked"
        assert await store.forget_matching("other-platform", matches) == 0
        reader = await reopen()
        await _only_the_adult_is_forgotten(reader)


async def _remember_an_adult_and_a_child(store) -> None:
    """Two pairs, a window with both people's lines and the adult's age, all remembered."""
    pair = await store.load_pair(PAIR, 1.0)
    pair.messages = 1
    store.save_pair(PAIR, pair, 1.0)
    other = await store.load_pair(OTHER_PAIR, 1.0)
    other.messages = 2
    store.save_pair(OTHER_PAIR, other, 1.0)
    conv = await store.load_conversation(CONV, 1.0)
    conv.window.append(EvidenceItem("m1", "adult1", 1.0, "hi"))
    conv.window.append(EvidenceItem("m2", "kid1", 2.0, "hey"))
    store.save_conversation(CONV, conv, 1.0)
    store.save_age(ADULT, AgeInference(AgeBand.ADULT, AgeSource.SELF_DISCLOSURE, 0.8), 1.0)


async def _only_the_adult_is_forgotten(reader) -> None:
    """The adult's pair, lines and age are gone; the other pair and the child's line stay."""
    assert (await reader.load_pair(PAIR, 2.0)).messages == 0
    assert (await reader.load_pair(OTHER_PAIR, 2.0)).messages == 2  # not theirs: kept
    window = (await reader.load_conversation(CONV, 2.0)).window
    assert [i.author_id for i in window] == ["kid1"]
    assert (await reader.load_age(ADULT, 2.0)).band is AgeBand.UNKNOWN
