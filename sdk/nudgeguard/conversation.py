"""What the engine keeps of a conversation: who speaks to whom, and the evidence window.

Pure functions over :class:`~nudgeguard.state.ConversationState`; the engine loads the state
from its store, applies them and saves it back.
"""

from __future__ import annotations

from nudgeguard.events import ConversationKind, EventType, MessageEvent
from nudgeguard.signals import Signal
from nudgeguard.state import ConversationState, EvidenceItem

#: Recent distinct speakers remembered per conversation (for finding a message's target).
RECENT_SPEAKERS = 6


def target_of(event: MessageEvent, conv: ConversationState) -> str | None:
    """Return whom a message is aimed at, or None when nobody else is there.

    The replied-to or mentioned user, else the most recent other speaker, else the only
    other participant.
    """
    me = event.author.id
    if event.reply_to_author_id and event.reply_to_author_id != me:
        return event.reply_to_author_id
    for mention in event.mentions:
        if mention != me:
            return mention
    for speaker in reversed(conv.speakers):
        if speaker != me:
            return speaker
    others = sorted(conv.participants - {me})
    return others[0] if len(others) == 1 else None


def answers_opening(event: MessageEvent, conv: ConversationState) -> bool:
    """True for the first event of the second person in a direct chat.

    Messages sent before anyone else was there had no one to be about, so their signals were
    kept as evidence only; the engine scores them once the other person shows up.
    """
    return (
        event.conversation_kind is ConversationKind.DIRECT
        and len(conv.participants) == 1
        and event.author.id not in conv.participants
    )


def mark_deleted(conv: ConversationState, message_id: str) -> None:
    """Mark a message in the evidence window as deleted (it stays, as evidence)."""
    for item in conv.window:
        if item.message_id == message_id:
            item.deleted, item.stored_for = True, None
            return


def remember(conv: ConversationState, event: MessageEvent, signals: list[Signal]) -> None:
    """Add a message (or apply an edit) to the evidence window and the recent speakers."""
    ids = tuple(sorted({s.id for s in signals})) if signals else ()
    if event.type is EventType.EDIT:
        for item in conv.window:
            if item.message_id == event.message_id:
                item.text, item.edited, item.stored_for = event.text, True, None
                item.signals = tuple(sorted({*item.signals, *ids}))
                return
    me = event.author.id
    conv.window.append(
        EvidenceItem(
            event.message_id,
            me,
            event.ts,
            event.text,
            ids,
            event.attachment_count,
            event.type is EventType.EDIT,
        )
    )
    speakers = conv.speakers
    if speakers and speakers[-1] == me:
        return
    if me in speakers:
        speakers.remove(me)
    speakers.append(me)
    del speakers[:-RECENT_SPEAKERS]
