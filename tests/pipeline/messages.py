"""One chat message for the detector tests of several languages."""

from __future__ import annotations

from nudgeguard.inbox.events import MessageEvent, Participant


def message(author: str, text: str) -> MessageEvent:
    """A message of ``author`` in one conversation, its text as its id."""
    return MessageEvent(
        platform="t",
        community_id="c",
        conversation_id="x",
        message_id=text,
        author=Participant(id=author),
        text=text,
        ts=1.0,
    )
