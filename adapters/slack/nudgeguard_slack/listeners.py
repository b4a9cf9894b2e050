"""Bolt listeners: messages in, buttons, ``/safety`` and the "Check this message" shortcut.

Every listener acknowledges first and never lets an exception escape to bolt (bolt would
log it with the payload); failures are logged by type only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from nudgeguard import ModeratorAction, TransientDeliveryError, catalog, choose_locale, in_locale
from nudgeguard_slack.alerts import alert_blocks, alert_text, locale_of, updated_alert_blocks
from nudgeguard_slack.blocks import (
    MOD_ACTION_PREFIX,
    NUDGE_ACTION_PREFIX,
    escape,
    evidence_blocks,
    nudge_blocks,
    parse_nudge_value,
)
from nudgeguard_slack.delivery import SlackCallError, call_slack
from nudgeguard_slack.directory import GroupLookupError
from nudgeguard_slack.wording import (
    check_reply,
    moderator_wording,
    safety_help,
    status_reply,
)

if TYPE_CHECKING:
    from nudgeguard_slack.adapter import SlackAdapter

log = logging.getLogger(__name__)

CHECK_CALLBACK_ID = "check_message"
SAFETY_COMMAND = "/safety"

Ack = Callable[..., Awaitable[Any]]
Respond = Callable[..., Awaitable[Any]]


def register(app: AsyncApp, adapter: SlackAdapter) -> None:
    """Attach every listener to ``app``."""

    @app.event("message")
    async def on_message(body: dict[str, Any]) -> None:
        await _guard("message", adapter.on_event_body(body))

    @app.action(re.compile(f"^{NUDGE_ACTION_PREFIX}"))
    async def on_nudge_button(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        await _guard("nudge button", _nudge_button(adapter, body, respond))

    @app.action(re.compile(f"^{MOD_ACTION_PREFIX}"))
    async def on_moderator_button(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        await _guard("moderator button", _moderator_button(adapter, body, respond))

    @app.command(SAFETY_COMMAND)
    async def on_safety(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        await _guard("/safety", _safety_command(adapter, body, respond))

    @app.shortcut(CHECK_CALLBACK_ID)
    async def on_check(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        await _guard("check shortcut", _check_message(adapter, body, respond))


async def _guard(what: str, work: Awaitable[None]) -> None:
    try:
        await work
    except Exception as err:
        log.warning("slack %s handler failed: %s", what, type(err).__name__)


def _ephemeral(text: str, blocks: list[Any] | None = None) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "text": text,
        "response_type": "ephemeral",
        "replace_original": False,
    }
    if blocks:
        reply["blocks"] = blocks
    return reply


# ---------------------------------------------------------------------------- nudge buttons


async def _nudge_button(adapter: SlackAdapter, body: Mapping[str, Any], respond: Respond) -> None:
    """Hand a child's press to the engine and show its answer only to them."""
    action = (body.get("actions") or [{}])[0]
    if action.get("url") or "value" not in action:
        return  # a link button (helpline): Slack opens the page, nothing to answer
    value = parse_nudge_value(str(action.get("value")))
    user = str((body.get("user") or {}).get("id") or "")
    if not value or not user:
        return
    locale = value.get("l") or None
    try:
        response = await adapter.engine.respond_to_nudge(
            value.get("n", ""),
            value.get("a", ""),
            user,
            platform="slack",
            community_id=_team_of(body),
            case_id=value.get("c") or None,
            locale=locale,
            conversation_id=value.get("v") or None,
        )
    except Exception as err:
        log.error("engine.respond_to_nudge failed: %s", type(err).__name__)
        sorry = catalog(choose_locale(locale, None, None, None)).responses["not_answered"]
        await respond(**_ephemeral(sorry))
        return
    if response.text:
        await respond(**_ephemeral(response.text))


def _team_of(body: Mapping[str, Any]) -> str:
    """Return the workspace a payload came from ("-" when it does not say)."""
    team = body.get("team") or {}
    user = body.get("user") or {}
    return str(team.get("id") or user.get("team_id") or "-")


# ---------------------------------------------------------------------------- moderators


async def _moderator_button(
    adapter: SlackAdapter, body: Mapping[str, Any], respond: Respond
) -> None:
    action_info = (body.get("actions") or [{}])[0]
    try:
        action = ModeratorAction(str(action_info.get("action_id")).removeprefix(MOD_ACTION_PREFIX))
    except ValueError:
        return
    case_id = str(action_info.get("value") or "")
    user = str((body.get("user") or {}).get("id") or "")
    channel = str((body.get("channel") or {}).get("id") or adapter.settings.moderator_channel)
    if not case_id or not user:
        return
    posted = (body.get("message") or {}).get("blocks") or []
    # Answers are in the language of the alert pressed (the workspace's setting).
    said = moderator_wording(locale_of(posted))
    try:
        permitted = await adapter.is_moderator(user)
    except GroupLookupError:
        await _tell(adapter, channel, user, said("lookup_failed"), respond)
        return
    team = _team_of(body)
    result = await adapter.engine.moderate(
        case_id, action, user, permitted=permitted, community_id=team
    )
    if not permitted:
        await _tell(adapter, channel, user, said("team_only"), respond)
        return
    if not result.accepted:
        await _tell(adapter, channel, user, result.note or said("not_accepted"), respond)
        return
    if action is ModeratorAction.SHOW_EVIDENCE:
        blocks = evidence_blocks(case_id, result.evidence, locale_of(posted))
        title = said("evidence_title", case=case_id)
        await _tell(adapter, channel, user, title, respond, blocks)
        return
    message = body.get("message") or {}
    if result.case is not None and message.get("ts"):
        if result.alert is not None:
            # Re-drawn from the core's alert as the case now stands (with the decision and
            # who made it), as Discord does and as every later update of the post is.
            blocks = alert_blocks(result.alert)
            text = alert_text(result.alert)
        else:  # the core no longer holds the alert (a restart): patch the post's blocks
            blocks = updated_alert_blocks(
                message.get("blocks") or [],
                case_id,
                result.case.status,
                result.decision,
                outcome=result.case.outcome,
            )
            text = f"Safety case {case_id}: {result.case.status.value}"
        try:
            await call_slack(
                "chat.update",
                lambda: adapter.client.chat_update(
                    channel=channel, ts=str(message["ts"]), blocks=blocks, text=text
                ),
            )
        except (SlackCallError, TransientDeliveryError):
            await _tell(adapter, channel, user, said("update_delayed"), respond)


async def _tell(
    adapter: SlackAdapter,
    channel: str,
    user: str,
    text: str,
    respond: Respond,
    blocks: list[Any] | None = None,
) -> None:
    """Answer one person privately: ephemeral in the channel, else via response_url."""
    kwargs: dict[str, Any] = {"channel": channel, "user": user, "text": text}
    if blocks:
        kwargs["blocks"] = blocks
    try:
        await call_slack("chat.postEphemeral", lambda: adapter.client.chat_postEphemeral(**kwargs))
    except (SlackCallError, TransientDeliveryError):
        await respond(**_ephemeral(text, blocks))


# ---------------------------------------------------------------------------- /safety


async def _safety_command(adapter: SlackAdapter, body: Mapping[str, Any], respond: Respond) -> None:
    words = str(body.get("text") or "").strip().lower().split()
    team = str(body.get("team_id") or adapter.identity.team_id or "")
    user = str(body.get("user_id") or "")
    said = moderator_wording(adapter.engine.moderator_locale(team))
    if not words or words[0] in ("help", "?"):
        await respond(**_ephemeral(safety_help(said)))
        return
    if words[0] == "status":
        status = await adapter.engine.status(team)
        await respond(**_ephemeral(status_reply(said, status.open_cases, status.mode)))
        return
    if words[0] == "mode" and len(words) == 2 and words[1] in ("observe", "live"):
        try:
            allowed = await adapter.is_moderator(user)
        except GroupLookupError:
            await respond(**_ephemeral(said("lookup_failed")))
            return
        if not allowed:
            await respond(**_ephemeral(said("mode_team_only")))
            return
        await adapter.engine.set_mode(team, "live" if words[1] == "live" else "observe")
        await respond(**_ephemeral(said("mode_now", mode=f"*{words[1]}*")))
        return
    await respond(**_ephemeral(safety_help(said)))


# ---------------------------------------------------------------------------- shortcut


async def _check_message(adapter: SlackAdapter, body: Mapping[str, Any], respond: Respond) -> None:
    from nudgeguard_slack.context import context_for, shortcut_event

    event = await shortcut_event(adapter, body)
    requester = str((body.get("user") or {}).get("id") or "")
    # The asker's own Slack language outranks every other signal.
    locale = await adapter.user_locale(requester) if requester else None
    if event is None:
        not_a_person = catalog(choose_locale(locale, None, None, None)).checks["not_a_person"]
        await respond(**_ephemeral(escape(not_a_person)))
        return
    context = await context_for(adapter, event)
    result = await adapter.engine.check_message(event, context, requester_id=requester)
    nudge = in_locale(result.nudge, locale) if result.nudge is not None else None
    checks = catalog(nudge.locale if nudge else choose_locale(locale, None, None, None)).checks
    text = check_reply(result.level, result.reasons, result.case_id is not None, checks)
    blocks: list[Any] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if nudge is not None:
        blocks += nudge_blocks(nudge)
    await respond(**_ephemeral(text, blocks))
