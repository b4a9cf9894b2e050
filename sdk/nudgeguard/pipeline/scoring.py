"""Scoring one message for the pair it is aimed at: risk, the policy's decision, dispatch.

Mixed into :class:`~nudgeguard.engine.Engine`, which finds a message's target and runs
the detectors; this part loads the pair, updates its risk, asks the policy and hands
the decision to the dispatcher. Most chat messages take the quiet path: no risk so far
and no signal about the author, so no tracker and no policy are needed.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Protocol

from nudgeguard.delivery.compose import DispatchContext
from nudgeguard.inbox.events import AgeBand, AgeSource, EventType, MessageEvent, Participant
from nudgeguard.pipeline import age_memory
from nudgeguard.pipeline.detectors.learned import (
    conversation_signal,
    fold_evidence,
    may_count_conversation,
    split_evidence,
)
from nudgeguard.pipeline.risk import Assessment, RiskContext
from nudgeguard.pipeline.signals import TAXONOMY, Signal
from nudgeguard.policy.decisions import worth_recording
from nudgeguard.policy.engine import Decision
from nudgeguard.policy.model import Level
from nudgeguard.state.store import AgeInference, ConversationKey, ConversationState, EvidenceItem

if TYPE_CHECKING:
    from nudgeguard.delivery.dispatch import Dispatcher
    from nudgeguard.pipeline.risk import RiskTracker
    from nudgeguard.policy.engine import PolicyEngine
    from nudgeguard.policy.model import PolicyPack
    from nudgeguard.state.store import StateStore

_ABOUT_ACTOR = {sid: spec.about_actor for sid, spec in TAXONOMY.items()}
_QUIET = Assessment(0.0, Level.NONE, (), (), {})
_CASE_LEVELS = frozenset({Level.REVIEW, Level.URGENT})
_AUTHOR_OF = operator.attrgetter("author_id")


class _Counters(Protocol):
    scored: int


class Scoring:
    """Per-pair scoring on top of the pipeline's parts."""

    if TYPE_CHECKING:
        state: StateStore
        stats: _Counters
        tracker: RiskTracker
        policy_engine: PolicyEngine
        dispatcher: Dispatcher
        _packs: dict[tuple[str, str], PolicyPack]

        def detect(self, event: MessageEvent) -> list[Signal]:
            """Run every detector on the event's text."""
            ...

        async def pack_for(self, community_id: str, conversation_id: str) -> PolicyPack:
            """Return the pack in force."""
            ...

    async def _score_opening(
        self, event: MessageEvent, ckey: ConversationKey, conv: ConversationState
    ) -> Decision | None:
        """Score a direct chat's opening messages towards the person who just arrived.

        Runs each earlier message with a signal through detection and scoring again, as if
        it had been addressed to ``event``'s author (so a cold open such as "hey cutie, asl?"
        counts and the person it was aimed at gets a nudge when they arrive). Returns the
        last decision that planned an action, if any. ``ckey`` is the event's (platform,
        community, conversation).
        """
        me = event.author.id
        found: Decision | None = None
        for item in [i for i in conv.window if i.signals and not i.deleted and i.author_id != me]:
            author = Participant(id=item.author_id)
            opener = event.model_copy(
                update={
                    "type": EventType.MESSAGE,
                    "message_id": item.message_id,
                    "author": author,
                    "text": item.text,
                    "ts": item.ts,
                    "reply_to_author_id": None,
                    "mentions": (),
                    "attachment_count": item.attachment_count,
                }
            )
            evidence, signals = split_evidence(self.detect(opener))
            actor_age = await age_memory.actor_age(
                self.state, (ckey[0], item.author_id), author, signals, item.ts
            )
            decision = await self._score(opener, ckey, item, conv, signals, actor_age, me, evidence)
            if decision.actions:
                found = decision
        return found

    async def _score(
        self,
        event: MessageEvent,
        ckey: ConversationKey,
        message: EvidenceItem,
        conv: ConversationState,
        signals: list[Signal],
        actor_age: AgeInference,
        target_id: str,
        evidence: Signal | None = None,
    ) -> Decision:
        """Score one message for the pair it is aimed at; return the decision.

        Args:
            event: The message's event (handed to the dispatcher when it acts).
            ckey: Its (platform, community, conversation).
            message: The message as the evidence window keeps it: its id, author, time
                and text are read from here, not from ``event`` (see
                :meth:`nudgeguard.engine.Engine.handle`).
            conv: The conversation.
            signals: The message's signals, learned evidence taken out.
            actor_age: What is known of its author's age.
            target_id: Whom it is aimed at.
            evidence: The learned scorer's evidence, if it ran.
        """
        platform, community, conversation = ckey
        now, author_id, text = message.ts, message.author_id, message.text
        pkey = (platform, community, conversation, author_id, target_id)
        state = self.state
        pair = state.cached_pair(pkey, now) or await state.load_pair(pkey, now)
        pack = self._packs.get((community, conversation)) or (
            await self.pack_for(community, conversation)
        )
        if evidence is not None:  # the learned scorer's running score of this pair
            learned = fold_evidence(pair, evidence)
            if learned is None and may_count_conversation(pair, evidence):  # the two together
                back = (platform, community, conversation, target_id, author_id)
                reverse = state.cached_pair(back, now) or await state.load_pair(back, now)
                learned = conversation_signal(pair, reverse, evidence)
            if learned is not None:
                signals = [*signals, learned]
        if not pair.scores and not (
            signals and any(_ABOUT_ACTOR.get(s.id, False) for s in signals)
        ):
            # Nothing to score: no risk so far and no signal about the author, so the level
            # is "none" whatever the factors. Keep the counters (one-sided questioning) and
            # skip the tracker and the policy; most chat messages take this path.
            pair.messages += 1
            if "?" in text:
                pair.questions += 1
            pair.last_ts = now
            state.save_pair(pkey, pair, now)
            target_key = (platform, target_id)
            target_age = state.cached_age(target_key, now) or await state.load_age(target_key, now)
            self.stats.scored += 1
            return Decision(
                platform,
                community,
                conversation,
                message.message_id,
                author_id,
                target_id,
                now,
                pack.mode,
                _QUIET,
                actor_age.band,
                target_age.band,
            )
        target_key = (platform, target_id)
        about_target = [s for s in signals if s.about_target] if signals else None
        if about_target:
            target_age = await age_memory.learn_age(
                state, target_key, about_target, AgeSource.STATED_BY_OTHER, now
            )
        else:
            target_age = state.cached_age(target_key, now) or await state.load_age(target_key, now)
        pair.replies = list(map(_AUTHOR_OF, conv.window)).count(target_id)
        fanout = 0
        if target_age.band is AgeBand.MINOR and actor_age.band is not AgeBand.MINOR:
            fanout = await state.note_contact(
                (platform, author_id), target_id, now, pack.factors.fanout_window_hours * 3600
            )
        ctx = RiskContext(now, actor_age.band, target_age.band, "?" in text, fanout)
        assessment = self.tracker.update(pack, pair, signals, ctx)
        # Nudge caps read the child's history. Only a message with a signal can nudge, or
        # one that may open a case (the nudge comes with the case).
        may_nudge = signals or (pair.case_id is None and assessment.level in _CASE_LEVELS)
        child = await state.load_child(target_key, now) if may_nudge else None
        suspect = bool(may_nudge) and target_age.band is AgeBand.ADULT
        if suspect:  # is the person this message is aimed at the subject of a case here?
            back = (platform, community, conversation, target_id, author_id)
            reverse = state.cached_pair(back, now) or await state.load_pair(back, now)
            suspect = reverse.case_id is not None
        decision = self.policy_engine.decide(
            pack,
            assessment,
            pair=pair,
            child=child,
            actor_band=actor_age.band,
            target_band=target_age.band,
            kind=event.conversation_kind,
            ident=(platform, community, conversation, message.message_id, author_id, target_id),
            ts=now,
            target_is_suspect=suspect,
            target_declared=age_memory.declared_age(target_age.source),
        )
        self.stats.scored += 1
        if decision.actions:
            if child is None:
                child = await state.load_child(target_key, now)
            await self.dispatcher.dispatch(
                decision, DispatchContext(event, conv, pair, child, pack, actor_age, target_age)
            )
            state.save_child(target_key, child, now)
        elif decision.suppressed and worth_recording(decision):
            await self.dispatcher.record(decision, pack, text)  # a nudge a cap held back
        state.save_pair(pkey, pair, now)
        return decision
