"""What the engine sends out: the outbound vocabulary every adapter and sink speaks.

Private :class:`Nudge` messages for one person, :class:`ModeratorAlert` posts for
moderators, the :class:`Capabilities` a platform declares so the engine can plan (it never
asks for a public message that would expose a child), and the two delivery errors:
:class:`TransientDeliveryError` (rate limit, 5xx: the outbox retries with backoff) and
:class:`UndeliverableError` (closed DMs: the case records it and moderators are told).

Plain data with no behaviour: the pipeline, the outbox, sinks and adapters all import it,
and it imports nothing of theirs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nudgeguard.cases.model import CaseStatus, Severity
from nudgeguard.inbox.events import AgeBand, AgeSource


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Capabilities(_Frozen):
    """What a platform can do; the engine plans with these."""

    ephemeral: bool = False
    direct_message: bool = False
    delete: bool = False
    timeout: bool = False
    buttons: bool = False
    max_text_len: int = 2000


class Delivery(StrEnum):
    """Private channels a nudge may use. There is deliberately no public option."""

    EPHEMERAL = "ephemeral"
    DIRECT_MESSAGE = "direct_message"


class NudgeAction(StrEnum):
    """Platform-neutral buttons on a nudge."""

    SAFETY_TIPS = "safety_tips"
    HOW_TO_BLOCK = "how_to_block"
    REPORT = "report"
    TALK_TO_SOMEONE = "talk_to_someone"
    IM_OK = "im_ok"
    HELPLINE = "helpline"


class NudgeButton(_Frozen):
    """A button; ``url`` set means a link button (helplines, tips pages)."""

    action: NudgeAction
    label: str
    url: str | None = None


class Nudge(_Frozen):
    """A private message to one person.

    Attributes:
        nudge_id: Stable id; delivery is de-duplicated on it.
        audience: ``child`` (the person at risk) or ``sender`` (a warning).
        recipient_id: Platform user id of the recipient.
        delivery: Allowed private channels, in the policy's fallback order.
        reply_to_message_id: Message that caused it (ephemeral placement, threads).
        family: Signal family the wording was chosen for.
        case_id: Case it belongs to, if one is open.
        followup: The catalog's follow-ups, by action (informational: adapters answer a
            press with ``engine.respond_to_nudge``, which words it).
        locale: Catalog language of the wording (see ``nudgeguard.locales``).
        copy_for: Age band of the wording; with ``variant`` and ``template``, lets an
            adapter re-word the nudge in the recipient's own language
            (``nudgeguard.delivery.nudges.in_locale``).
        variant: Which wording variant of the family was chosen.
        template: Sender-warning template name.
        country: Helpline country the core chose for the buttons (see
            :mod:`nudgeguard.delivery.helpline_country`); ``country_source`` says from what. A
            recipient's platform locale region re-picks it only when the source ranks
            below it (``in_locale`` does that; adapters only pass the locale).
    """

    nudge_id: str
    audience: Literal["child", "sender"]
    recipient_id: str
    platform: str
    community_id: str
    conversation_id: str
    delivery: tuple[Delivery, ...]
    reply_to_message_id: str | None = None
    text: str
    buttons: tuple[NudgeButton, ...] = ()
    family: str
    case_id: str | None = None
    locale: str = "en"
    followup: dict[str, str] = {}
    copy_for: Literal["teen", "under13"] = "teen"
    variant: int = Field(default=0, ge=0)
    template: str | None = None
    country: str | None = None
    country_source: Literal["channel", "community", "region", "default"] = "default"


class ModeratorAction(StrEnum):
    """One-click actions on an alert."""

    ACKNOWLEDGE = "acknowledge"
    SHOW_EVIDENCE = "show_evidence"
    DISMISS = "dismiss"
    CONFIRM = "confirm"
    TIMEOUT = "timeout"


class AlertParticipant(_Frozen):
    """A participant as shown to moderators, with where the age band came from."""

    role: Literal["subject", "target"]
    user_id: str
    age_band: AgeBand
    age_source: AgeSource
    age_confidence: float = 0.0
    roles: tuple[str, ...] = ()


class AlertSignal(_Frozen):
    """A signal family seen in the case, with its stage labels and count."""

    id: str
    stages: tuple[str, ...]
    count: int


class TimelineEntry(_Frozen):
    """A point on the case timeline (no message text)."""

    ts: float
    label: str


class AlertDecision(_Frozen):
    """A moderator's latest decision on a case, as its post shows it ("Last action").

    Built by the core (:func:`nudgeguard.delivery.case_alert.change_status`) with the
    decision's audit row and worded for every adapter by
    :func:`nudgeguard.delivery.case_alert.decision_line`.

    Attributes:
        key: What was decided: ``acknowledged``, ``confirmed``, ``dismissed`` or
            ``resolved``. A case only moves forward, so it names one decision of its
            case; webhook delivery ids are keyed on it.
        ts: When it was decided (unix seconds).
        via: Where: ``chat`` (a button on the platform), ``console`` or ``cli``.
        moderator_id: Platform id of the moderator who pressed, for the adapter to
            mention. Kept only in the memory of the bot that took the press, never
            stored: None in an alert queued to the store, after a restart, or when another
            process decided; then the post says "a moderator".
        name: The console account, or the ``--by`` name given to the CLI (stored with
            the queued update; never a platform id).
    """

    key: Literal["acknowledged", "confirmed", "dismissed", "resolved"]
    ts: float
    via: Literal["chat", "console", "cli"] = "chat"
    moderator_id: str | None = None
    name: str | None = None


class ModeratorAlert(_Frozen):
    """What moderators see.

    Message excerpts are never included: they are fetched on demand with
    ``engine.moderate(..., ModeratorAction.SHOW_EVIDENCE)`` and shown privately.
    ``locale`` is the community's language setting (config ``languages:``), for sinks
    that word alerts themselves. ``post_ref`` is what :meth:`Adapter.send_alert` returned
    for this case's earlier post, as the outbox stored it: set, the adapter edits that post
    in place (Slack ``chat.update``, a Discord message edit) instead of posting again.
    ``actions`` are the buttons the case's state allows; the subject's platform id for
    "Timeout" is in ``participants``. ``decision`` is the latest moderator decision
    (who, what, when), drawn by adapters as the post's "Last action".
    ``rebuilt`` is True for an alert rebuilt from the stored case alone (the store keeps
    pseudonyms, not platform ids: a change after a restart, or queued by the console or
    the CLI when no bot remembers the case): its ``participants`` are only those the
    caller knew (often none, at most the child who pressed Report), and a ``nudge_status``
    of ``none`` means unknown. An adapter editing the case's post keeps the participants
    the post shows (and its child-nudge line when the alert's is ``none``) and the earlier
    timeline; a new post shows the alert as it is, with ``participants_note``: the core's
    line (in the alert's language) saying who is not named and where to see them (the
    case in the console, by pseudonym), which adapters show with the participants.
    """

    alert_id: str
    case_id: str
    platform: str
    community_id: str
    conversation_id: str
    severity: Severity
    status: CaseStatus
    score: float
    reasons: tuple[str, ...]
    signals: tuple[AlertSignal, ...]
    stages: tuple[str, ...]
    participants: tuple[AlertParticipant, ...]
    timeline: tuple[TimelineEntry, ...] = ()
    permalink: str | None = None
    nudge_status: str = "none"
    evidence_count: int = 0
    actions: tuple[ModeratorAction, ...] = (
        ModeratorAction.ACKNOWLEDGE,
        ModeratorAction.SHOW_EVIDENCE,
        ModeratorAction.DISMISS,
        ModeratorAction.CONFIRM,
    )
    is_update: bool = False
    locale: str = "en"
    post_ref: str | None = None
    decision: AlertDecision | None = None
    rebuilt: bool = False
    participants_note: str | None = None

    def names(self, user_id: str) -> bool:
        """True if ``user_id`` is one of the alert's participants (erasure finds it so)."""
        return any(p.user_id == user_id for p in self.participants)


class ModeratorNotice(_Frozen):
    """A message for moderators that belongs to no case (a child's Report without one).

    Worded by the core in the community's language (``title`` and ``lines``); it carries
    no message text and no platform id, only the reporter's pseudonym. It goes through the
    outbox like an alert; adapters post it to the moderator channel as it is.
    """

    notice_id: str
    kind: Literal["child_report"] = "child_report"
    platform: str
    community_id: str
    conversation_id: str | None = None
    ts: float
    reporter: str
    title: str
    lines: tuple[str, ...] = ()
    locale: str = "en"


class TransientDeliveryError(Exception):
    """A send failed for a reason that may pass (rate limit, 5xx, network)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class UndeliverableError(Exception):
    """A send can never succeed (DMs closed, user gone, no channel configured)."""
