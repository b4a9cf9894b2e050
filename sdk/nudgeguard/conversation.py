"""What the engine keeps of a conversation: who speaks to whom, and the evidence window.

Pure functions over :class:`~nudgeguard.state.ConversationState`; the engine loads the state
from its store, applies them and saves it back.
"""

from __future__ import annotations

from nudgeguard.events import ConversationKind, EventType, Fields
from nudgeguard.signals import Signal
from nudgeguard.state import ConversationState, EvidenceItem

#: Recent distinct speakers remembered per conversation (for finding a message's target).
RECENT_SPEAKERS = 6

# Enum members read once per module: on Python 3.11 reading a member off its class
# (``EventType.EDIT``) goes through ``EnumType.__getattr__``'s slow path, about 15 times the
# cost of reading a global, and these run for every message.
_DIRECT, _EDIT = ConversationKind.DIRECT, EventType.EDIT


def target_of(m: Fields, conv: ConversationState) -> str | None:
    """Return whom a message is aimed at, or None when nobody else is there.

    The replied-to or mentioned user, else the most recent other speaker, else the only
    other participant.
    """
    me = m.author_id
    reply_to = m.reply_to
    if reply_to and reply_to != me:
        return reply_to
    for mention in m.mentions:
        if mention != me:
            return mention
    for speaker in reversed(conv.speakers):
        if speaker != me:
            return speaker
    participants = conv.participants
    if len(participants) > 2:  # two others at least: nobody in particular (O(1) in a crowd)
        return None
    others = [p for p in participants if p != me]
    return others[0] if len(others) == 1 else None


def answers_opening(m: Fields, conv: ConversationState) -> bool:
    """True for the first event of the second person in a direct chat.

    Messages sent before anyone else was there had no one to be about, so their signals were
    kept as evidence only; the engine scores them once the other person shows up.
    """
    return (
        m.kind is _DIRECT and len(conv.participants) == 1 and m.author_id not in conv.participants
    )


def mark_deleted(conv: ConversationState, message_id: str) -> None:
    """Mark a message in the evidence window as deleted (it stays, as evidence)."""
    for item in conv.window:
        if item.message_id == message_id:
            item.deleted, item.stored_for = True, None
            return


def remember(conv: ConversationState, m: Fields, signals: list[Signal]) -> None:
    """Add a message (or apply an edit) to the evidence window and the recent speakers."""
    ids = tuple(sorted({s.id for s in signals})) if signals else ()
    edit = m.type is _EDIT
    if edit:
        for item in conv.window:
            if item.message_id == m.message_id:
                item.text, item.edited, item.stored_for = m.text, True, None
                item.signals = tuple(sorted({*item.signals, *ids}))
                return
    me = m.author_id
    conv.window.append(EvidenceItem(m.message_id, me, m.ts, m.text, ids, m.attachments, edit))
    speakers = conv.speakers
    if speakers and speakers[-1] == me:
        return
    if me in speakers:
        speakers.remove(me)
    speakers.append(me)
    del speakers[:-RECENT_SPEAKERS]
