"""Engine: wires normalisation, detectors, RiskTracker, PolicyEngine and Dispatcher.

``await engine.handle(event)`` is the one entry point adapters use. Events of one
conversation are processed strictly in order; different conversations interleave freely.
Nothing a detector or a store does can make ``handle`` raise to the adapter: failures are
isolated, counted and logged without message text.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nudgeguard.adapter import Adapter
from nudgeguard.cases.accounts import AccountStore
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import CaseStore
from nudgeguard.delivery.dispatch import Dispatcher
from nudgeguard.delivery.helpline_country import HelplineCountries
from nudgeguard.delivery.last_action import console_accounts
from nudgeguard.delivery.nudges.catalog import warm as warm_nudge_catalog
from nudgeguard.delivery.outbound import Capabilities
from nudgeguard.delivery.outbox import AlertSink, Outbox
from nudgeguard.erasure import PersonErasure
from nudgeguard.inbox.events import (
    AgeSource,
    ConversationKind,
    EventType,
    MessageEvent,
    Participant,
)
from nudgeguard.inbox.queue import ConversationKey, Inbox, Replays
from nudgeguard.inbox.turns import Turns
from nudgeguard.locales import LanguageSettings
from nudgeguard.moderation import Moderation
from nudgeguard.pipeline import age_memory
from nudgeguard.pipeline.conversation import (
    answers_opening,
    mark_deleted,
    remember,
    target_of,
    words_before,
)
from nudgeguard.pipeline.detection import DetectAfter, Detection, DetectJoined
from nudgeguard.pipeline.detectors import Detector, default_detectors
from nudgeguard.pipeline.detectors.learned import split_evidence
from nudgeguard.pipeline.names import Names
from nudgeguard.pipeline.risk import RiskTracker
from nudgeguard.pipeline.scoring import Scoring
from nudgeguard.policy.engine import Decision, PolicyEngine
from nudgeguard.policy.model import PolicyPack
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.responses import NudgeResponses
from nudgeguard.state.store import AgeInference, EvidenceItem, MemoryStateStore, StateStore

log = logging.getLogger(__name__)


class Service(Protocol):
    """A background job that runs while the bot runs (for example the retention purge)."""

    async def start(self, store: CaseStore) -> None:
        """Start working on the case store."""
        ...

    async def stop(self) -> None:
        """Stop."""
        ...


@dataclass(slots=True)
class EngineStats:
    """Counters a status page or benchmark can read."""

    events: int = 0
    scored: int = 0
    ignored: int = 0
    duplicates: int = 0
    errors: int = 0
    detector_errors: dict[str, int] = field(default_factory=dict)


class Engine(Detection, Scoring, Moderation, NudgeResponses, PersonErasure):
    """The platform-neutral pipeline.

    Args:
        policy: The policy pack in force (community and channel overrides apply).
        cases: Case store; an in-memory SQLite store if omitted.
        state: Working-memory store; :class:`MemoryStateStore` if omitted.
        adapters: Platform adapters; each is bound and used for delivery.
        sinks: Extra moderator alert sinks (webhooks, recorders).
        detectors: Detectors to run; the built-in set if omitted.
        pseudonymizer: Keyed pseudonyms for stores; a random key if omitted.
        country: Helpline country per community id (older form of ``countries``).
        languages: Language settings per community and channel (config ``languages:``).
        countries: Helpline countries from the config (default ``GB``); see
            :mod:`nudgeguard.delivery.helpline_country`.
        clock: Wall clock for the outbox.
        services: Background jobs started and stopped with the engine (retention purge).
    """

    def __init__(
        self,
        policy: PolicyPack,
        *,
        cases: CaseStore | None = None,
        state: StateStore | None = None,
        adapters: Sequence[Adapter] = (),
        sinks: Sequence[AlertSink] = (),
        detectors: Sequence[Detector] | None = None,
        pseudonymizer: Pseudonymizer | None = None,
        country: Callable[[str], str] | None = None,
        languages: LanguageSettings | None = None,
        countries: HelplineCountries | None = None,
        clock: Callable[[], float] = time.time,
        services: Sequence[Service] = (),
    ) -> None:
        self.policy = policy
        self.services = list(services)
        self.cases: CaseStore = cases if cases is not None else SqliteCaseStore(":memory:")
        self.state: StateStore = state if state is not None else MemoryStateStore()
        self.detectors: list[Detector] = (
            list(detectors) if detectors is not None else default_detectors()
        )
        self.pseudonyms = pseudonymizer or Pseudonymizer(Pseudonymizer.new_key())
        self.adapters: dict[str, Adapter] = {}
        self.outbox = Outbox(self.cases, clock=clock)
        self.tracker = RiskTracker()
        self.policy_engine = PolicyEngine()
        self.countries = countries or HelplineCountries(community_of=country)
        self.dispatcher = Dispatcher(
            self.cases,
            self.outbox,
            self.pseudonyms,
            self.capabilities_of,
            self.countries,
            languages,
        )
        self.outbox.remembered = self.dispatcher.alerts.latest
        self.outbox.remember = self.dispatcher.alerts.remember
        self.outbox.decided = self.dispatcher.alerts.decision
        if isinstance(self.cases, AccountStore):  # names console accounts after a restart
            self.outbox.console_account = console_accounts(self.cases, self.pseudonyms.pseudonym)
        self.stats: EngineStats = EngineStats()
        #: Called with each event's handling time in seconds (the metrics endpoint's
        #: histogram); None, the default, costs nothing per message.
        self.latency_observer: Callable[[float], None] | None = None
        self._turns: Turns[tuple[str, str, str]] = Turns()
        #: Replayed events are dropped here, for every adapter and caller.
        self.replays = Replays()
        #: Display-name pieces of people seen lately, for lines that call someone by name.
        self.names = Names()
        #: Where adapters submit events without waiting for them to be handled.
        self.inbox = Inbox(self.handle)
        self._planned: list[Detector] = []
        self._plan: list[tuple[Detector, DetectAfter | None, bool]] = []
        self._joined: list[tuple[Detector, DetectJoined]] = []
        self._packs: dict[tuple[str, str], PolicyPack] = {}
        self._modes: dict[str, str | None] = {}
        self.erasure_watermark: int | None = None
        self._forgetting: asyncio.Task[None] | None = None
        for adapter in adapters:
            self.add_adapter(adapter)
        for sink in sinks:
            self.outbox.register_alert_sink(sink)

    # -- wiring ----------------------------------------------------------------------------
    def add_adapter(self, adapter: Adapter) -> None:
        """Bind an adapter: it feeds events in and delivers nudges and alerts out."""
        adapter.bind(self)
        self.adapters[adapter.name] = adapter
        self.countries.add_platform(adapter.name, adapter.helpline_countries())
        self.outbox.register_nudge_sender(adapter)
        self.outbox.register_alert_sink(adapter, post=True)

    def capabilities_of(self, platform: str) -> Capabilities | None:
        """Return a bound adapter's capabilities, None for non-adapter sinks."""
        adapter = self.adapters.get(platform)
        return adapter.capabilities if adapter is not None else None

    async def start(self, *, background: bool = True) -> None:
        """Start adapters and deliver anything left in the outbox by an earlier run.

        With ``background``, also start the outbox timer, the services and the look for
        erasures made by other processes (:mod:`nudgeguard.erasure`). The nudge wording is
        read here too, so the first nudge does not wait for it.
        """
        warm_nudge_catalog()
        for adapter in self.adapters.values():
            await adapter.start()
        await self.forget_erased()  # where the audit ends now: later erasures are news
        await self.outbox.drain()
        if background:
            self.outbox.start()
            self.start_forgetting()
            for service in self.services:
                await service.start(self.cases)

    async def stop(self) -> None:
        """Stop adapters, background services and the outbox timer."""
        for service in self.services:
            await service.stop()
        await self.stop_forgetting()
        await self.outbox.stop()
        for adapter in self.adapters.values():
            await adapter.stop()

    def scratch(self, *, contact_people: bool = True) -> Engine:
        """Return a sibling engine with fresh working memory and the same stores and sinks.

        Args:
            contact_people: False to open cases and alert moderators without sending any
                nudge or sender warning (the caller answers the person itself).
        """
        # Built through __init__ and then pointed at this engine's parts, so every attribute
        # a sibling needs is set explicitly here.
        clone = Engine(self.policy, cases=self.cases, pseudonymizer=self.pseudonyms, detectors=())
        clone.services = self.services
        clone.detectors = self.detectors
        clone.adapters = self.adapters  # shared, not bound again: they answer this engine
        clone.outbox = self.outbox
        clone.tracker = self.tracker
        clone.policy_engine = self.policy_engine
        clone._packs, clone._modes = self._packs, self._modes
        clone.dispatcher = copy.copy(self.dispatcher)
        clone.dispatcher.contact_people = contact_people
        return clone

    # -- the pipeline ----------------------------------------------------------------------
    async def handle(self, event: MessageEvent) -> Decision | None:
        """Process one event; return the decision for scored messages, else None.

        When the event is the second person's first in a direct chat, the opening messages
        are scored towards them first; if that planned an action and the event's own
        decision did not, the opening's decision is returned instead. Bot messages and
        replays (the same event again, see :class:`~nudgeguard.inbox.queue.Replays`) return None.
        Adapters whose reader must not wait submit to :attr:`inbox` instead.

        Never raises because of a detector, store or adapter failure.
        """
        self.stats.events += 1
        author = event.author
        if author.is_bot:
            self.stats.ignored += 1
            return None
        key = (event.platform, event.community_id, event.conversation_id)
        kind, message_id, text = event.type, event.message_id, event.text
        edit = kind is EventType.EDIT
        replay = Replays.key_of(key, kind, message_id, text if edit else None)
        if not self.replays.first_time_key(replay):
            self.stats.duplicates += 1
            return None
        observe = self.latency_observer
        started = time.perf_counter() if observe is not None else 0.0
        turns = self._turns
        if not turns.try_take(key):
            await turns.take(key)
        try:
            return await self._process(event, key, author, kind, edit, message_id, text)
        except Exception as exc:
            self.stats.errors += 1
            log.error("event %s in %s failed: %s", message_id, key[0], type(exc).__name__)
            return None
        finally:
            turns.give_back(key)
            if observe is not None:
                observe(time.perf_counter() - started)

    async def pack_for(self, community_id: str, conversation_id: str) -> PolicyPack:
        """Return the pack in force for a conversation (overrides and runtime mode applied)."""
        pack = self._packs.get((community_id, conversation_id))
        if pack is not None:
            return pack
        if community_id not in self._modes:
            self._modes[community_id] = await self.cases.get_setting(f"mode:{community_id}")
        pack = self.policy.scoped(community_id, conversation_id)
        mode = self._modes[community_id]
        if mode is not None:
            pack = pack.model_copy(update={"mode": mode})
        if len(self._packs) > 10_000:
            self._packs.clear()
        self._packs[(community_id, conversation_id)] = pack
        return pack

    async def _process(
        self,
        event: MessageEvent,
        ckey: ConversationKey,
        author: Participant,
        kind: EventType,
        edit: bool,
        message_id: str,
        text: str,
    ) -> Decision | None:
        """Handle one event in its conversation's turn.

        ``ckey`` (platform, community, conversation), ``author``, ``kind`` (its type, and
        ``edit`` whether that is an edit), ``message_id`` and ``text`` are its fields as
        :meth:`handle` read them: once each, since a pydantic model's field or an enum's
        member is a slow read on Python 3.11 (see docs/architecture.md).
        """
        now = event.ts
        me = author.id
        declared = author.age_source is not AgeSource.NONE
        state = self.state
        conv = state.cached_conversation(ckey, now) or await state.load_conversation(ckey, now)
        said = edit or kind is EventType.MESSAGE  # else a delete or a member join
        if not said and kind is EventType.DELETE:
            mark_deleted(conv, message_id)
            state.save_conversation(ckey, conv, now)
            return None
        direct = event.conversation_kind is ConversationKind.DIRECT
        answering = answers_opening(me, direct, conv)
        conv.participants.add(me)
        if declared:
            age_memory.remember_declared(state, ckey[0], author, now)
        opening = await self._score_opening(event, ckey, conv) if answering else None
        if not said or not text or text.isspace():
            state.save_conversation(ckey, conv, now)
            return opening
        # Whom it is aimed at (which decides the detectors that run) follows from earlier lines.
        reply_to, mentions = event.reply_to_author_id, event.mentions
        if not direct and not reply_to and not mentions:  # a call by name is a mention
            called = self.names.addressed(ckey[0], text, me, conv.speakers)
            mentions = (called,) if called is not None else mentions
        self.names.learn(ckey[0], me, author.display_name)
        target, sticky = target_of(conv, me, now, direct, reply_to, mentions)
        before = None if edit else words_before(conv, me, now, target, text)
        found = self.detect(event, aimed=target is not None, text=text, before=before)
        evidence, signals = split_evidence(found) if found else (None, found)
        actor_key = (ckey[0], me)
        actor_age: AgeInference | None = None
        if signals or declared:  # what the message tells of its author's age is learnt
            actor_age = await age_memory.actor_age(state, actor_key, author, signals, now)
        to = target if sticky else None
        item = EvidenceItem(message_id, me, now, text, (), event.attachment_count, edit, to=to)
        remember(conv, item, signals)
        state.save_conversation(ckey, conv, now)
        if target is None:
            return opening
        if actor_age is None:  # most messages: nothing to learn, just what is known
            actor_age = state.cached_age(actor_key, now) or await state.load_age(actor_key, now)
        decision = await self._score(event, ckey, item, conv, signals, actor_age, target, evidence)
        if opening is not None and opening.actions and not decision.actions:
            return opening
        return decision
