"""A decided case's "Last action" when no process remembers the decision: its audit row.

The decision a post shows (:class:`~nudgeguard.delivery.outbound.AlertDecision`) travels
with the update queued for it, and the bot that took a chat press keeps who pressed in
memory. An alert drawn without one for a case moderators already decided (rebuilt from
the stored case after a restart for a child's Report, a raised severity after a restart,
a decision made in another process this bot never drew) would drop the post's line. The
outbox then fills it in (:func:`with_last_action`): from the bot's memory of the case when
that memory is at the recorded decision, else from the case's latest decision row on the
audit chain, one indexed read (:func:`recorded_decision`) made only then, never per
message. What was decided is the case record's (:func:`~nudgeguard.delivery.case_alert.
decision_key`), when is the row's time, and who is what the row holds:

- a chat moderator's row holds their pseudonym (``mod:<pseudonym>``), never a platform id:
  the post says "a moderator";
- a console decision's row holds a pseudonym too, of ``console:<account>``: it does not
  say "console" by itself. The bot holds the pseudonym key, so it recognises the actor
  among the accounts with a role in the case's community (:func:`console_accounts`) and
  names the account; an account deleted since reads as "a moderator";
- a CLI decision's row holds the ``--by`` name as given: the post names it;
- an erased actor reads as "a moderator".

A failed read leaves the line out; the alert is sent all the same.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from nudgeguard.cases.accounts import AccountStore
from nudgeguard.cases.audit import ERASED_ACTOR
from nudgeguard.cases.model import Case, CaseEvent
from nudgeguard.cases.store import AuditLog
from nudgeguard.delivery.case_alert import CONSOLE, decision_key
from nudgeguard.delivery.outbound import AlertDecision, ModeratorAlert

log = logging.getLogger(__name__)

#: The audit kinds of a moderator's decision (see ``CaseRecords.transition``).
DECISION_KINDS = ("acknowledged", "confirmed", "dismissed", "resolved")
#: How the audited actor of a moderator (chat or console) starts: a pseudonym follows.
MODERATOR = "mod:"

#: Returns the console account whose audited actor on a case is ``actor``, or None.
ConsoleAccount = Callable[[Case, str], Awaitable[str | None]]


def decision_from_event(
    case: Case, event: CaseEvent | None, console_name: str | None = None
) -> AlertDecision | None:
    """Return the decision a case's latest decision row shows (None: none to show; no I/O).

    Args:
        case: The case as recorded (its status and outcome say what was decided).
        event: Its newest audit event of a :data:`DECISION_KINDS` kind, if any.
        console_name: The console account the row's actor is, when recognised.
    """
    key = decision_key(case)
    if key is None or event is None or event.kind not in DECISION_KINDS:
        return None
    if console_name is not None:
        return AlertDecision(key=key, ts=event.ts, via="console", name=console_name)
    actor = event.actor.strip()
    if not actor or actor.startswith(MODERATOR) or actor == ERASED_ACTOR:
        return AlertDecision(key=key, ts=event.ts, via="chat")
    return AlertDecision(key=key, ts=event.ts, via="cli", name=actor)


def console_accounts(store: AccountStore, pseudonym: Callable[[str, str], str]) -> ConsoleAccount:
    """Return how to tell a console account's audited actor (``mod:`` + its pseudonym).

    Args:
        store: The console accounts.
        pseudonym: The bot's keyed pseudonyms (platform, id), as the console's.
    """

    async def account(case: Case, actor: str) -> str | None:
        if not actor.startswith(MODERATOR):
            return None
        for name in await store.account_names(case.community_id):
            if MODERATOR + pseudonym(case.platform, CONSOLE + name) == actor:
                return name
        return None

    return account


async def recorded_decision(
    store: AuditLog, case: Case, console_account: ConsoleAccount | None = None
) -> AlertDecision | None:
    """Return a decided case's last decision as its audit chain records it (None if unread).

    Reads nothing for an open case. A store failure is logged (the case id and the
    error's type only) and gives None: the alert goes out without the line.
    """
    if decision_key(case) is None:
        return None
    try:
        event = await store.last_event(case.id, DECISION_KINDS)
    except Exception as exc:
        log.warning("case %s: its last decision could not be read (%s)", case.id, _kind(exc))
        return None
    name = None
    if event is not None and console_account is not None:
        try:
            name = await console_account(case, event.actor)
        except Exception as exc:  # the decision still shows, as "a moderator"'s
            log.warning("case %s: console accounts could not be read (%s)", case.id, _kind(exc))
    return decision_from_event(case, event, name)


async def with_last_action(
    alert: ModeratorAlert,
    case: Case | None,
    known: ModeratorAlert | None,
    store: AuditLog,
    console_account: ConsoleAccount | None = None,
) -> ModeratorAlert:
    """Return ``alert`` showing its case's last decision when it shows none.

    Args:
        alert: The alert as it will be drawn (the case's state as recorded).
        case: The case as recorded (None: gone; the alert is returned as it is).
        known: This process's memory of the case's alert: its decision is used when it is
            the one recorded, without reading the store.
        store: The audit chain, read when memory has no such decision.
        console_account: Tells a console account's actor (see :func:`console_accounts`).
    """
    key = None if case is None else decision_key(case)
    if alert.decision is not None or case is None or key is None:
        return alert
    decision = None if known is None else known.decision
    if decision is None or decision.key != key:
        decision = await recorded_decision(store, case, console_account)
    return alert if decision is None else alert.model_copy(update={"decision": decision})


def _kind(exc: BaseException) -> str:
    """Return an exception's type name (its message may quote stored values)."""
    return type(exc).__name__


__all__ = [
    "DECISION_KINDS",
    "MODERATOR",
    "ConsoleAccount",
    "console_accounts",
    "decision_from_event",
    "recorded_decision",
    "with_last_action",
]
