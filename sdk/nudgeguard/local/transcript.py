"""Transcript corpora (JSON Lines) and their replay as MessageEvents.

Format: one conversation a line, as described in the evaluation README: ``id``, ``kind``
(direct or group), ``label``, ``participants`` (``id``, ``truth``, ``declared_age_band``)
and ``messages`` (``author``, ``ts`` seconds from the start or null, ``text``). Ground truth
(``label``, ``truth``) is kept here for scoring and never reaches the engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nudgeguard.inbox.events import AgeBand, AgeSource, ConversationKind, MessageEvent, Participant

AgesMode = Literal["declared", "unknown"]

#: Step added to the previous time when a message has no usable ``ts``.
NULL_TS_STEP = 5.0
# Ids become event ids, which allow 256 characters: a message's is "<transcript id>:<index>".
_UserId = Annotated[str, Field(min_length=1, max_length=256)]


class TranscriptParticipant(BaseModel):
    """A participant with ground truth (never passed to the engine)."""

    model_config = ConfigDict(extra="ignore")

    id: _UserId
    truth: Literal["suspect", "child", "other"] = "other"
    declared_age_band: AgeBand = AgeBand.UNKNOWN


class TranscriptMessage(BaseModel):
    """One message of a transcript."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)

    author: _UserId
    ts: float | None = None
    text: str = ""


class Transcript(BaseModel):
    """One conversation of a corpus."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=200)
    source: str = ""
    kind: Literal["direct", "group"] = "direct"
    label: Literal["grooming", "normal"] = "normal"
    lang: str = Field(default="en", max_length=16)
    participants: list[TranscriptParticipant]
    messages: list[TranscriptMessage]

    def truth_of(self, truth: str) -> set[str]:
        """Return ids of participants with the given ground truth."""
        return {p.id for p in self.participants if p.truth == truth}


class TranscriptError(ValueError):
    """A corpus line is not a valid transcript."""


def _json_line(raw: bytes, path: str | Path, number: int) -> object:
    """Decode one corpus line; every way it can be broken is a one-line TranscriptError.

    Invalid UTF-8, JSON nested too deep for the parser (it recurses), and integers of more
    than 4,300 digits (Python refuses to convert them) are named like a syntax error.
    """
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"{path}:{number}: not UTF-8 (byte {exc.start + 1})") from None
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{path}:{number}: not JSON ({exc.msg})") from None
    except RecursionError:
        raise TranscriptError(f"{path}:{number}: JSON nested too deep") from None
    except ValueError as exc:  # an integer too long to convert
        raise TranscriptError(f"{path}:{number}: a value cannot be read ({exc})") from None


def read_transcripts(path: str | Path) -> Iterator[Transcript]:
    """Yield the transcripts of a JSONL corpus; lines without messages are skipped.

    Raises:
        TranscriptError: A line is not valid JSON or not a transcript (names the line).
    """
    with Path(path).open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            data = _json_line(raw, path, number)
            if not isinstance(data, dict) or "messages" not in data:
                continue
            try:
                yield Transcript.model_validate(data)
            except ValidationError as exc:
                fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
                raise TranscriptError(f"{path}:{number}: invalid field(s) {fields}") from None


def transcript_events(
    t: Transcript,
    ages: AgesMode = "unknown",
    *,
    platform: str = "local",
    community_id: str = "local",
    start: float = 1_700_000_000.0,
) -> Iterator[MessageEvent]:
    """Yield a transcript's messages as events on simulated time.

    Args:
        t: The transcript.
        ages: ``declared`` passes each participant's declared band (as admin config);
            ``unknown`` passes none.
        platform: Platform name on the events.
        community_id: Community id on the events.
        start: Unix time of the first message.
    """
    people = {}
    for p in t.participants:
        declared = ages == "declared" and p.declared_age_band is not AgeBand.UNKNOWN
        people[p.id] = Participant(
            id=p.id,
            age_band=p.declared_age_band if declared else AgeBand.UNKNOWN,
            age_source=AgeSource.CONFIG if declared else AgeSource.NONE,
            display_name=p.id,  # a transcript's ids are the names people see
        )
    kind = ConversationKind.DIRECT if t.kind == "direct" else ConversationKind.GROUP
    ts = 0.0
    for index, m in enumerate(t.messages):
        ts = ts + NULL_TS_STEP if m.ts is None else max(float(m.ts), ts if index else 0.0)
        author = people.get(m.author) or Participant(id=m.author, display_name=m.author)
        named = addressee(m.text, people)
        yield MessageEvent(
            platform=platform,
            community_id=community_id,
            conversation_id=t.id,
            conversation_kind=kind,
            message_id=f"{t.id}:{index}",
            author=author,
            text=m.text,
            ts=start + ts,
            mentions=(named,) if named is not None and named != m.author else (),
        )


# "u3: ...", "u3, ...", "u3> ...": the chat (IRC) way of addressing someone by name.
_ADDRESS = re.compile(r"\s*([^\s:,>]{1,64})\s?[:,>]")
# "@u3" anywhere in the line: how an exported chat shows a platform mention.
_AT = re.compile(r"(?<![^\s(])@([^\s:,>?!()]{1,64})")


def addressee(text: str, people: Mapping[str, object]) -> str | None:
    """The participant a line is addressed to by name, if any.

    Transcripts carry no mentions. A line that starts with a participant's name and a
    colon, comma or ">" (IRC), or that holds "@" and a participant's id (the first such,
    a platform mention as exported chats write it), is the same thing, and the simulator
    passes it on as one.
    """
    m = _ADDRESS.match(text)
    if m is not None and m.group(1) in people:
        return m.group(1)
    if "@" in text:
        for at in _AT.finditer(text):
            name = at.group(1).rstrip(".")
            if name in people:
                return name
    return None
