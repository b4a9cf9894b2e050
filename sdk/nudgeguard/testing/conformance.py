"""The adapter conformance suite.

An adapter proves it keeps the project's promises by running this suite against its
platform's wire protocol (a fake server on loopback, with the real SDK client). Subclass
:class:`AdapterConformance` in your tests and provide a ``harness`` fixture that yields a
:class:`ConformanceHarness` for your adapter; see ``docs/adapters.md``.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

import pytest

from nudgeguard.adapter import Adapter
from nudgeguard.cases.model import Case
from nudgeguard.delivery.nudges import catalog
from nudgeguard.delivery.outbound import Delivery, Nudge, UndeliverableError
from nudgeguard.engine import Engine
from nudgeguard.privacy.requests import erase_user
from nudgeguard.testing.alert_order import (
    held_update_lands_after_a_press,
    redraw_names_who_decided,
    settled,
)
from nudgeguard.testing.scenario import GROOMING_LINES

CHILD = "conformance-child"
STRANGER = "conformance-stranger"
BOT = "conformance-bot"


class ConformanceHarness(ABC):
    """What the suite needs from an adapter's test setup.

    Attributes:
        engine: A started engine with the adapter bound (default policy, live mode).
        adapter: The adapter under test.
    """

    engine: Engine
    adapter: Adapter

    @abstractmethod
    async def send(
        self,
        author: str,
        text: str,
        *,
        minor: bool = False,
        reply_to: str | None = None,
        bot: bool = False,
    ) -> None:
        """Make the platform deliver a group-channel message to the adapter over the wire.

        Args:
            author: User id of the sender.
            text: Message text.
            minor: The sender has the platform's minor role (or config mapping).
            reply_to: User id whose earlier message this one replies to.
            bot: The sender is a bot account.
        """

    @abstractmethod
    async def private_texts(self, user: str) -> list[str]:
        """Return texts the bot showed only to ``user`` (ephemeral or DM)."""

    @abstractmethod
    async def public_texts(self) -> list[str]:
        """Return texts the bot posted where other members could see them."""

    @abstractmethod
    async def alert_texts(self) -> list[str]:
        """Return the moderator channel as members see it: one text per post, latest edit.

        Text content of alerts and notices (channel posts, embeds, blocks); an alert
        updated in place is one entry with its new text, not two.
        """

    @abstractmethod
    async def close_private_channels(self, user: str) -> None:
        """Make every private channel to ``user`` fail (closed DMs, not in channel)."""

    @abstractmethod
    async def press(self, user: str, action: str) -> None:
        """Make the platform deliver ``user``'s press of a button on their latest nudge.

        Args:
            user: Who presses (the nudge's recipient).
            action: The button's :class:`~nudgeguard.adapter.NudgeAction` value
                (``report``, ``safety_tips``...). The answer must show up in
                :meth:`private_texts` of ``user``.
        """

    @abstractmethod
    async def resend(self) -> None:
        """Make the platform deliver the last message :meth:`send` sent once more.

        As a gateway replay or a webhook retry would: same ids, same content. Return once
        the adapter has taken it in (and handed it on or dropped it).
        """

    @abstractmethod
    async def check(self, user: str, author: str, text: str) -> None:
        """Post a group message by ``author``, then make ``user`` ask the bot to check it.

        The platform's "Check this message" (a context menu, a message shortcut, a
        command); the answer must show up in :meth:`private_texts` of ``user`` only.
        """

    def platform_id(self, name: str) -> str:
        """Return the platform user id the harness uses for a symbolic test user name."""
        return name

    async def wait_for(self, check: Callable[[], object], timeout: float = 10.0) -> None:
        """Poll an async or sync check until it is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.02)


async def _play_grooming(h: ConformanceHarness) -> None:
    await h.send(CHILD, "hey, anyone here like drawing?", minor=True)
    for line in GROOMING_LINES:
        await h.send(STRANGER, line, reply_to=CHILD)


async def _open_cases(h: ConformanceHarness) -> list[Case]:
    return [c for c in await h.engine.cases.list_cases() if c.status.value == "open"]


async def _nudged_without_a_case(h: ConformanceHarness) -> None:
    """Play the first grooming line only: the child is nudged, no case opens yet."""
    await h.send(CHILD, "hey, anyone here like drawing?", minor=True)
    await h.send(STRANGER, GROOMING_LINES[0], reply_to=CHILD)
    await h.wait_for(lambda: h.private_texts(CHILD))
    assert await h.engine.cases.list_cases() == [], "the first line alone should open no case"


def _showing(h: ConformanceHarness, user: str, text: str) -> Callable[[], Awaitable[bool]]:
    """Return a check that ``user`` was shown ``text`` privately (its start, as rendered)."""

    async def shown() -> bool:
        return any(text[:40] in t for t in await h.private_texts(user))

    return shown


class AdapterConformance:
    """Subclass in your adapter's tests and provide a ``harness`` fixture."""

    @pytest.mark.asyncio
    async def test_declares_a_private_channel(self, harness: ConformanceHarness) -> None:
        """An adapter must offer at least one private channel."""
        caps = harness.adapter.capabilities
        assert caps.ephemeral or caps.direct_message

    @pytest.mark.asyncio
    async def test_grooming_nudges_the_child_privately(self, harness: ConformanceHarness) -> None:
        """A grooming trajectory nudges the child, privately only."""
        await _play_grooming(harness)
        await harness.wait_for(lambda: harness.private_texts(CHILD))
        private = await harness.private_texts(CHILD)
        public = "\n".join(await harness.public_texts())
        assert private, "the child received no private nudge"
        for text in private:
            assert text[:40] not in public, "a nudge was posted publicly"

    @pytest.mark.asyncio
    async def test_case_subject_is_the_sender(self, harness: ConformanceHarness) -> None:
        """The case is about the sender and the child, as pseudonyms."""
        await _play_grooming(harness)
        await harness.wait_for(lambda: _open_cases(harness))
        case = (await _open_cases(harness))[0]
        platform = harness.adapter.name
        pseudonym = harness.engine.pseudonyms.pseudonym
        assert case.subject == pseudonym(platform, harness.platform_id(STRANGER))
        assert case.target == pseudonym(platform, harness.platform_id(CHILD))

    @pytest.mark.asyncio
    async def test_alerts_hide_message_text(self, harness: ConformanceHarness) -> None:
        """Alerts carry no message text until a moderator asks."""
        await _play_grooming(harness)
        await harness.wait_for(lambda: harness.alert_texts())
        alerts = "\n".join(await harness.alert_texts())
        for line in GROOMING_LINES:
            assert line not in alerts, "an alert showed message text before it was asked for"

    @pytest.mark.asyncio
    async def test_bot_messages_are_ignored(self, harness: ConformanceHarness) -> None:
        """Messages from bots never score or open cases."""
        await harness.send(CHILD, "hi", minor=True)
        for line in GROOMING_LINES:
            await harness.send(BOT, line, reply_to=CHILD, bot=True)
        await harness.send(CHILD, "ok bye", minor=True)
        await asyncio.sleep(0.2)
        assert await harness.engine.cases.list_cases() == []
        assert await harness.private_texts(CHILD) == []

    @pytest.mark.asyncio
    async def test_odd_input_does_not_break_the_bot(self, harness: ConformanceHarness) -> None:
        """Huge, empty and odd Unicode text is handled safely."""
        odd = "\u202e\u200b" + "\U0001f600" * 500 + "a\u0301" * 2000 + "\x00\ud7ff" + "x" * 50_000
        await harness.send(STRANGER, odd)
        await harness.send(STRANGER, "")
        await _play_grooming(harness)
        await harness.wait_for(lambda: _open_cases(harness))
        assert harness.engine.stats.errors == 0

    @pytest.mark.asyncio
    async def test_closed_private_channels_never_go_public(
        self, harness: ConformanceHarness
    ) -> None:
        """Closed DMs: recorded as undeliverable, never posted publicly."""
        await harness.close_private_channels(CHILD)
        await _play_grooming(harness)
        await harness.wait_for(lambda: _open_cases(harness))
        case = (await _open_cases(harness))[0]

        async def undeliverable_recorded() -> bool:
            kinds = {e.kind for e in await harness.engine.cases.events(case.id)}
            return "nudge_undeliverable" in kinds

        await harness.wait_for(undeliverable_recorded)
        public = "\n".join(await harness.public_texts())
        from nudgeguard.delivery.nudges import catalog

        for family in catalog().families():
            assert catalog().child_text(family, "teen", 0)[:40] not in public
            assert catalog().child_text(family, "under13", 0)[:40] not in public

    @pytest.mark.asyncio
    async def test_send_nudge_without_private_channel_is_refused(
        self, harness: ConformanceHarness
    ) -> None:
        """A nudge with no private channel is refused, not posted."""
        nudge = Nudge(
            nudge_id="conformance-empty",
            audience="child",
            recipient_id=CHILD,
            platform=harness.adapter.name,
            community_id="c",
            conversation_id="c",
            delivery=(),
            text="test",
            family="generic",
        )
        with pytest.raises(UndeliverableError):
            await harness.adapter.send_nudge(nudge)
        assert Delivery.EPHEMERAL.value == "ephemeral"

    @pytest.mark.asyncio
    async def test_a_nudge_button_is_answered_privately(self, harness: ConformanceHarness) -> None:
        """A press on a nudge's button gets the core's answer, shown to the child only."""
        await _nudged_without_a_case(harness)
        answer = catalog().followup("safety_tips", harness.adapter.name) or ""
        await harness.press(CHILD, "safety_tips")
        await harness.wait_for(_showing(harness, CHILD, answer))
        assert answer[:40] not in "\n".join(await harness.public_texts())
        assert await harness.private_texts(STRANGER) == [], "the other person was told"

    @pytest.mark.asyncio
    async def test_report_without_a_case_reaches_moderators(
        self, harness: ConformanceHarness
    ) -> None:
        """Report with no case behind it: an audited notice, and the child is told so."""
        await _nudged_without_a_case(harness)
        posts = len(await harness.alert_texts())
        await harness.press(CHILD, "report")
        told = catalog().followup("report", harness.adapter.name) or ""
        await harness.wait_for(_showing(harness, CHILD, told))
        await harness.wait_for(lambda: _more_posts(harness, posts))
        title = catalog().moderator_text("report_notice_title")
        notices = [t for t in await harness.alert_texts() if title in t]
        assert notices, "the moderators' notice is not in their channel"
        assert GROOMING_LINES[0] not in "\n".join(notices), "a notice showed message text"
        assert harness.platform_id(CHILD) not in "\n".join(notices), "a notice named the child"
        kinds = [e.kind for e in await harness.engine.cases.events()]
        assert "child_report_notice" in kinds and await harness.engine.cases.list_cases() == []
        assert await harness.private_texts(STRANGER) == [], "the other person was told"

    @pytest.mark.asyncio
    async def test_report_on_a_case_updates_its_alert_in_place(
        self, harness: ConformanceHarness
    ) -> None:
        """Report on a case's nudge: the case's alert post is edited, not posted again."""
        await _play_grooming(harness)
        await harness.wait_for(lambda: _open_cases(harness))
        case = (await _open_cases(harness))[0]
        await harness.wait_for(lambda: settled(harness))
        before = await harness.alert_texts()
        await harness.press(CHILD, "report")

        async def reported() -> bool:
            kinds = {e.kind for e in await harness.engine.cases.events(case.id)}
            return "child_reported" in kinds

        await harness.wait_for(reported)
        await harness.wait_for(lambda: settled(harness))
        await harness.wait_for(lambda: _changed(harness, before))
        after = await harness.alert_texts()
        assert len(after) == len(before), "the update was posted anew, not edited in place"
        told = catalog().followup("report", harness.adapter.name) or ""
        await harness.wait_for(_showing(harness, CHILD, told))
        assert await harness.private_texts(STRANGER) == [], "the suspect was tipped off"

    @pytest.mark.asyncio
    async def test_alert_update_after_a_press_shows_the_press(
        self, harness: ConformanceHarness
    ) -> None:
        """An alert update queued before a moderator's press but delivered after it."""
        await held_update_lands_after_a_press(harness, _play_grooming, len(GROOMING_LINES))

    @pytest.mark.asyncio
    async def test_the_post_says_who_decided(self, harness: ConformanceHarness) -> None:
        """After the outbox re-draws a decided case's post, it still names who decided."""
        await redraw_names_who_decided(harness, _play_grooming, len(GROOMING_LINES))

    @pytest.mark.asyncio
    async def test_duplicate_events_are_dropped(self, harness: ConformanceHarness) -> None:
        """Every message delivered twice (a replay, a retry) is scored and kept once."""
        await harness.send(CHILD, "hey, anyone here like drawing?", minor=True)
        await harness.resend()
        for line in GROOMING_LINES:
            await harness.send(STRANGER, line, reply_to=CHILD)
            await harness.resend()
        await harness.wait_for(lambda: _open_cases(harness))
        assert harness.engine.stats.scored == len(GROOMING_LINES), "a replay was scored"
        case = await harness.engine.cases.get((await _open_cases(harness))[0].id)
        assert case is not None
        ids = [m.message_id for m in case.evidence]
        assert len(ids) == len(set(ids)), "a replayed message is in the evidence twice"

    @pytest.mark.asyncio
    async def test_check_this_message_answers_only_the_child(
        self, harness: ConformanceHarness
    ) -> None:
        """Check this message: a private answer to the child; the author hears nothing."""
        # The child has not written in the channel, so only the checks can answer them.
        fine = catalog().checks["nothing_found"]
        await harness.check(CHILD, STRANGER, "what time does the art club start tonight?")
        await harness.wait_for(_showing(harness, CHILD, fine))
        await harness.check(CHILD, STRANGER, " ".join(GROOMING_LINES[1:3]))
        await harness.wait_for(lambda: _answers(harness, 2))
        answer = (await harness.private_texts(CHILD))[-1]
        assert fine[:40] not in answer, "a risky message was called fine"
        public = "\n".join(await harness.public_texts())
        assert fine[:40] not in public and answer[:40] not in public
        assert await harness.private_texts(STRANGER) == [], "the author was told"

    @pytest.mark.asyncio
    async def test_an_erasure_made_elsewhere_reaches_the_adapter(
        self, harness: ConformanceHarness
    ) -> None:
        """``privacy erase`` in another process: the running adapter forgets the child."""
        adapter, engine = harness.adapter, harness.engine
        if type(adapter).forget_user is not Adapter.forget_user:
            assert type(adapter).remembered_users is not Adapter.remembered_users, (
                "the adapter forgets people but cannot list whom it remembers, so erasures"
                " made by another process never reach it (implement remembered_users)"
            )
        await _play_grooming(harness)
        await harness.wait_for(lambda: harness.private_texts(CHILD))
        # Every line handled and every delivery made: no nudge reaches the child afterwards.
        await harness.wait_for(lambda: _all_seen(harness, 1 + len(GROOMING_LINES)))
        await engine.inbox.drain()
        await harness.wait_for(lambda: settled(harness))
        child = harness.platform_id(CHILD)
        await engine.forget_erased()  # the running bot's look before the erasure
        # What the command line does, on the store only: the engine is not told.
        await erase_user(engine.cases, engine.pseudonyms, adapter.name, child, actor="cli")
        await engine.forget_erased()
        assert child not in set(adapter.remembered_users()), "the erased child is remembered"


async def _all_seen(h: ConformanceHarness, events: int) -> bool:
    return h.engine.stats.events >= events


async def _more_posts(h: ConformanceHarness, posts: int) -> bool:
    return len(await h.alert_texts()) > posts


async def _changed(h: ConformanceHarness, before: list[str]) -> bool:
    return await h.alert_texts() != before


async def _answers(h: ConformanceHarness, count: int) -> bool:
    return len(await h.private_texts(CHILD)) >= count
