"""What the engine keeps of a conversation: who speaks to whom, and the evidence window.

Pure functions over :class:`~nudgeguard.state.store.ConversationState`; the engine loads the state
from its store, applies them and saves it back.
"""

from __future__ import annotations

from typing import NamedTuple

from nudgeguard.pipeline.signals import Signal
from nudgeguard.state.store import ConversationState, EvidenceItem

#: Recent distinct speakers remembered per conversation (for finding a message's target).
RECENT_SPEAKERS = 6


#: Recent speakers up to which a group is small: a line there answers the last other one.
SMALL_GROUP = 3
#: How many earlier messages, and how long ago at most, turn-taking looks at in a group.
TURN_MESSAGES = 8
TURN_SECONDS = 600.0
#: How many messages back a group speaker's own last line may be for their next one to
#: go on to whom that line was aimed at (:func:`still_talking_to`).
CONTINUE_MESSAGES = 16
#: Longest opening: messages one person may have sent alone in a direct chat for them to
#: be scored towards whoever answers. A cold open is a handful of lines; a longer monologue
#: was said to someone else or to no one (a chat whose other side was never delivered, a
#: bot), and reading it as aimed at the newcomer would make them its target.
OPENING_MESSAGES = 20
#: A phrase cut over several messages ("dont" / "tell" / "ur mom"): how many of the
#: author's last words are joined to a short message, and the longest pause between
#: two of the author's pieces of one sentence.
SPLIT_WORDS = 6
SPLIT_SECONDS = 60.0
#: A piece of at most this many words is short: a phrase is joined over a break only when
#: the pieces on both sides of it are short (a move sent a few words at a time).
SHORT_PIECE = 3


class Before(NamedTuple):
    """What the author said just before a message (see :func:`words_before`).

    Attributes:
        words: The author's last :data:`SPLIT_WORDS` words, as written, oldest first.
        signals: Signal ids already found in the messages those words come from.
    """

    words: str
    signals: frozenset[str]


class Aim(NamedTuple):
    """Whom a message is aimed at (see :func:`target_of`).

    Attributes:
        target: The person, or None when it is said to no one in particular.
        sticky: The author addressed them (a reply, a mention, or a line going on from
            one): the author's next lines in a busy group may go on to them.
    """

    target: str | None
    sticky: bool = False


def target_of(
    conv: ConversationState,
    me: str,
    now: float,
    direct: bool,
    reply_to: str | None,
    mentions: tuple[str, ...],
) -> Aim:
    """Return whom a message is aimed at; its target is None when that cannot be told.

    The replied-to or mentioned user comes first. In a direct chat, or a group where at
    most :data:`SMALL_GROUP` people spoke lately, the most recent other speaker (else the
    only other participant). In a busy group, an unaddressed line is aimed at someone only
    when turn-taking says so (see :func:`turn_partner`), or when it goes on from the
    author's own line that addressed someone moments before (see :func:`still_talking_to`):
    otherwise it is said to the room, and lines of unrelated speakers never add up on one
    pair.

    Args:
        conv: The conversation before this message.
        me: The message's author.
        now: Its time.
        direct: The conversation is a direct chat.
        reply_to: The author of the message it replies to, if any.
        mentions: The users it mentions.
    """
    if reply_to and reply_to != me:
        return Aim(reply_to, True)
    for mention in mentions:
        if mention != me:
            return Aim(mention, True)
    if direct or len(conv.speakers) <= SMALL_GROUP:
        for speaker in reversed(conv.speakers):
            if speaker != me:
                return Aim(speaker)
        participants = conv.participants
        if len(participants) > 2:  # two others at least: nobody in particular (O(1) in a crowd)
            return Aim(None)
        others = [p for p in participants if p != me]
        return Aim(others[0] if len(others) == 1 else None)
    partner = turn_partner(me, now, conv)
    if partner is not None:
        return Aim(partner)
    going_on = still_talking_to(me, now, conv)
    return Aim(going_on, going_on is not None)


def still_talking_to(me: str, now: float, conv: ConversationState) -> str | None:
    """Whom ``me`` addressed in their own line just before, if it is recent.

    "@mia sent you a dm" then, between other people's lines, "you there?": a speaker who
    addressed someone (a reply or a mention, or a line going on from one) goes on talking
    to them. Only the author's latest line counts, and only when it is among the last
    :data:`CONTINUE_MESSAGES` messages and at most :data:`TURN_SECONDS` old. A target
    guessed from who spoke last is not carried on, and two people's lines are never
    joined.
    """
    for seen, item in enumerate(reversed(conv.window)):
        if seen >= CONTINUE_MESSAGES or now - item.ts > TURN_SECONDS:
            return None
        if item.author_id == me:
            return item.to
    return None


def turn_partner(me: str, now: float, conv: ConversationState) -> str | None:
    """Whom an unaddressed group line from ``me`` answers, by turn-taking; None if unclear.

    Among the last :data:`TURN_MESSAGES` messages of at most :data:`TURN_SECONDS` ago:
    when one other person spoke, the line answers them (two people talking in an
    otherwise quiet room). When several did, it answers the latest of them only if that
    person spoke right after ``me``'s own previous line (``me``, them, ``me``: a
    dialogue taking turns). ``me``'s own lines just before this one (several lines in a
    row) are part of the same turn: they are stepped over.
    """
    others: list[str] = []
    mine_after: str | None = None  # who spoke right after my previous line
    previous: str | None = None  # the oldest other speaker seen so far
    for seen, item in enumerate(reversed(conv.window)):
        if seen >= TURN_MESSAGES or now - item.ts > TURN_SECONDS:
            break
        author = item.author_id
        if author == me and previous is None:
            continue  # my turn goes on: the lines before it decide
        if author == me:
            if mine_after is None and previous is not None:
                mine_after = previous
            break
        if author not in others:
            others.append(author)
        previous = author
    if len(others) == 1:
        return others[0]
    if others and mine_after == others[0]:
        return mine_after
    return None


def words_before(
    conv: ConversationState, me: str, now: float, target: str | None, text: str
) -> Before | None:
    """Return the author's last words before a short message, for phrases cut over messages.

    Only a message aimed at someone (a line said to the room is scored on no pair) and
    short itself (:data:`SHORT_PIECE` words at most) is joined, and only to a short piece:
    the shape of a move sent a few words at a time. Walks back over at most
    :data:`SPLIT_WORDS` messages of the window and takes the author's own until it has
    :data:`SPLIT_WORDS` words. The sentence ends (the walk stops) where the person the
    message is aimed at spoke (they answered: a new turn) or at a pause of more than
    :data:`SPLIT_SECONDS` before one of the author's pieces; lines of anyone else are
    skipped (a busy room). None when there is nothing to join. Constant work per message:
    the walk and the words are bounded.

    Args:
        conv: The conversation before this message.
        me: The message's author.
        now: Its time.
        target: Whom the message is aimed at, if anyone.
        text: The message as written.
    """
    if target is None or len(text.split(maxsplit=SHORT_PIECE)) > SHORT_PIECE:
        return None
    words: list[str] = []
    found: set[str] = set()
    later = now  # the time of the author's piece after this one
    for seen, item in enumerate(reversed(conv.window)):
        if seen >= SPLIT_WORDS or later - item.ts > SPLIT_SECONDS:
            break
        author = item.author_id
        if author != me:
            if author == target:
                break
            continue
        piece = item.text.rsplit(maxsplit=SPLIT_WORDS)
        if not words and len(piece) > SHORT_PIECE:
            return None  # the author's latest piece is long: no phrase sent a bit at a time
        words[:0] = piece[-SPLIT_WORDS:]
        found.update(item.signals)
        if len(words) >= SPLIT_WORDS:
            break
        later = item.ts
    if not words:
        return None
    return Before(" ".join(words[-SPLIT_WORDS:]), frozenset(found))


def answers_opening(me: str, direct: bool, conv: ConversationState) -> bool:
    """True for the first event of the second person in a direct chat.

    Messages sent before anyone else was there had no one to be about, so their signals were
    kept as evidence only; the engine scores them once the other person shows up, if they
    were an opening: at most :data:`OPENING_MESSAGES` of them.

    Args:
        me: The event's author.
        direct: The conversation is a direct chat.
        conv: The conversation before this event.
    """
    return (
        direct
        and len(conv.participants) == 1
        and me not in conv.participants
        and len(conv.window) <= OPENING_MESSAGES
    )


def mark_deleted(conv: ConversationState, message_id: str) -> None:
    """Mark a message in the evidence window as deleted (it stays, as evidence)."""
    for item in conv.window:
        if item.message_id == message_id:
            item.deleted, item.stored_for = True, None
            return


def remember(conv: ConversationState, item: EvidenceItem, signals: list[Signal]) -> None:
    """Add a message (or apply an edit) to the evidence window and the recent speakers.

    Args:
        conv: The conversation.
        item: The message as the window keeps it (``edited`` for an edit); its
            ``signals`` are set here, to the ids of ``signals``. An edit of a message
            still in the window updates that message instead.
        signals: What the detectors found in it.
    """
    ids = tuple(sorted({s.id for s in signals})) if signals else ()
    if item.edited:
        for kept in conv.window:
            if kept.message_id == item.message_id:
                kept.text, kept.edited, kept.stored_for = item.text, True, None
                kept.signals = tuple(sorted({*kept.signals, *ids}))
                return
    item.signals = ids
    me = item.author_id
    conv.window.append(item)
    speakers = conv.speakers
    if speakers and speakers[-1] == me:
        return
    if me in speakers:
        speakers.remove(me)
    speakers.append(me)
    del speakers[:-RECENT_SPEAKERS]
