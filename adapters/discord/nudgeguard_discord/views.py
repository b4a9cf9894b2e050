"""Buttons on nudges and moderator alerts that keep working after a restart.

Both kinds are :class:`discord.ui.DynamicItem` buttons: everything a click needs is encoded
in the ``custom_id`` (``ngn:<action>:<nudge key>`` on nudges, ``ng:<action>:<case id>`` on
alerts, plus the subject's user id on "Timeout member"). The adapter registers the two
templates with ``client.add_dynamic_items`` at startup, so a button on a message posted
before a restart still reaches its handler. Clicks are handed to the :class:`ClickHandler`
registered for the client.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Iterable
from typing import Any, Protocol

import discord
from nudgeguard import (
    DEFAULT_LOCALE,
    SUPPORTED_LOCALES,
    ModeratorAction,
    NudgeAction,
    NudgeButton,
    catalog,
)

_KEY = r"[A-Za-z0-9_.\-]{1,64}"
_SAFE_KEY = re.compile(rf"^{_KEY}$")


class ClickHandler(Protocol):
    """What the adapter implements to answer clicks."""

    async def on_nudge_choice(
        self, interaction: discord.Interaction[Any], action: str, key: str
    ) -> None:
        """Answer a child's press of a nudge button."""

    async def on_alert_action(
        self,
        interaction: discord.Interaction[Any],
        action: ModeratorAction,
        case_id: str,
        subject_id: str | None,
    ) -> None:
        """Answer a moderator's press of an alert button."""


_handlers: weakref.WeakKeyDictionary[discord.Client, ClickHandler] = weakref.WeakKeyDictionary()


def register(client: discord.Client, handler: ClickHandler) -> None:
    """Route clicks on ``client`` to ``handler`` and register the persistent buttons."""
    _handlers[client] = handler
    client.add_dynamic_items(NudgeChoice, AlertButton)


def handler_for(client: discord.Client) -> ClickHandler | None:
    """Return the handler registered for a client."""
    return _handlers.get(client)


async def _unavailable(interaction: discord.Interaction[Any]) -> None:
    await interaction.response.send_message(
        "Safety features are restarting. Please try again in a minute.", ephemeral=True
    )


def nudge_key(nudge_id: str) -> str:
    """Return a custom-id-safe key for a nudge id (hashed when it does not fit)."""
    if _SAFE_KEY.match(nudge_id):
        return nudge_id
    return "h" + hashlib.sha256(nudge_id.encode()).hexdigest()[:32]


class NudgeChoice(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"ngn:(?P<action>[a-z_]{{2,20}}):(?P<key>{_KEY})",
):
    """A non-link button on a nudge (Safety tips, How to block, Report, ...)."""

    def __init__(self, action: str, key: str, label: str | None = None) -> None:
        style = discord.ButtonStyle.secondary
        if action == NudgeAction.IM_OK:
            style = discord.ButtonStyle.success
        super().__init__(
            discord.ui.Button(
                label=(label or action.replace("_", " "))[:80],
                style=style,
                custom_id=f"ngn:{action}:{key}",
            )
        )
        self.action = action
        self.key = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> NudgeChoice:
        """Rebuild the button from a click."""
        return cls(match["action"], match["key"], label=getattr(item, "label", None))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the adapter."""
        handler = handler_for(interaction.client)
        if handler is None:
            await _unavailable(interaction)
            return
        await handler.on_nudge_choice(interaction, self.action, self.key)


_ALERT_CODES: dict[ModeratorAction, str] = {
    ModeratorAction.ACKNOWLEDGE: "ack",
    ModeratorAction.SHOW_EVIDENCE: "ev",
    ModeratorAction.DISMISS: "dis",
    ModeratorAction.CONFIRM: "conf",
    ModeratorAction.TIMEOUT: "to",
}
_CODE_ACTIONS = {code: action for action, code in _ALERT_CODES.items()}
_ALERT_STYLE: dict[ModeratorAction, discord.ButtonStyle] = {
    ModeratorAction.ACKNOWLEDGE: discord.ButtonStyle.primary,
    ModeratorAction.SHOW_EVIDENCE: discord.ButtonStyle.secondary,
    ModeratorAction.DISMISS: discord.ButtonStyle.secondary,
    ModeratorAction.CONFIRM: discord.ButtonStyle.danger,
    ModeratorAction.TIMEOUT: discord.ButtonStyle.danger,
}


def alert_label(action: ModeratorAction, locale: str = DEFAULT_LOCALE) -> str:
    """Return the label of an alert button in ``locale`` (catalog key = action name)."""
    return catalog(locale).moderator_text(action.value)[:80]


def alert_custom_id(action: ModeratorAction, case_id: str, subject_id: str | None = None) -> str:
    """Return the custom id of an alert button."""
    custom_id = f"ng:{_ALERT_CODES[action]}:{case_id}"
    if action is ModeratorAction.TIMEOUT and subject_id:
        custom_id += f":{subject_id}"
    return custom_id


def case_id_fits(case_id: str) -> bool:
    """Return True when a case id can be carried in a custom id."""
    return bool(_SAFE_KEY.match(case_id))


class AlertButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"ng:(?P<code>ack|ev|dis|conf|to):(?P<case>{_KEY})(?::(?P<user>\d{{1,21}}))?",
):
    """A button on a moderator alert."""

    def __init__(
        self,
        action: ModeratorAction,
        case_id: str,
        subject_id: str | None = None,
        *,
        disabled: bool = False,
        label: str | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or alert_label(action),
                style=_ALERT_STYLE[action],
                custom_id=alert_custom_id(action, case_id, subject_id),
                disabled=disabled,
            )
        )
        self.action = action
        self.case_id = case_id
        self.subject_id = subject_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> AlertButton:
        """Rebuild the button from a click."""
        return cls(
            _CODE_ACTIONS[match["code"]],
            match["case"],
            match["user"],
            label=getattr(item, "label", None),
        )

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the adapter."""
        handler = handler_for(interaction.client)
        if handler is None:
            await _unavailable(interaction)
            return
        await handler.on_alert_action(interaction, self.action, self.case_id, self.subject_id)


def nudge_view(key: str, buttons: Iterable[NudgeButton]) -> discord.ui.View:
    """Build the persistent view of a nudge: action buttons, then link buttons."""
    view = discord.ui.View(timeout=None)
    links = []
    count = 0
    for button in buttons:
        if count >= 20:
            break
        if button.url:
            links.append(button)
            continue
        view.add_item(NudgeChoice(button.action.value, key, button.label))
        count += 1
    for button in links[:5]:
        view.add_item(discord.ui.Button(label=button.label[:80], url=button.url))
    return view


#: Alert actions that close a case; after them only "Show evidence" stays active.
CLOSING = frozenset({ModeratorAction.DISMISS, ModeratorAction.CONFIRM})


def alert_view(
    case_id: str,
    actions: Iterable[ModeratorAction],
    *,
    subject_id: str | None = None,
    closed: bool = False,
    locale: str = DEFAULT_LOCALE,
) -> discord.ui.View:
    """Build the persistent view of an alert.

    Args:
        case_id: Case the buttons act on.
        actions: Buttons to show, in order.
        subject_id: Platform id of the case subject, for "Timeout member".
        closed: Disable everything but "Show evidence" (the case was decided).
        locale: Language of the labels (the alert's); custom ids are the same in all.
    """
    view = discord.ui.View(timeout=None)
    for action in actions:
        if action is ModeratorAction.TIMEOUT and not subject_id:
            continue
        disabled = closed and action is not ModeratorAction.SHOW_EVIDENCE
        label = alert_label(action, locale)
        view.add_item(AlertButton(action, case_id, subject_id, disabled=disabled, label=label))
    return view


def actions_on(message: discord.Message | None) -> list[ModeratorAction]:
    """Return the alert actions whose buttons are on a posted alert, in order."""
    found: list[ModeratorAction] = []
    if message is None:
        return found
    for row in message.components:
        for child in getattr(row, "children", ()):
            custom_id = getattr(child, "custom_id", None) or ""
            parts = custom_id.split(":")
            if len(parts) >= 3 and parts[0] == "ng" and parts[1] in _CODE_ACTIONS:
                found.append(_CODE_ACTIONS[parts[1]])
    return found


def subject_on(message: discord.Message | None) -> str | None:
    """Return the subject id carried by a posted alert's Timeout button, if it has one.

    Only for re-drawing an alert the core no longer holds (after a restart); otherwise the
    core's alert names the subject.
    """
    for row in message.components if message is not None else ():
        for child in getattr(row, "children", ()):
            parts = (getattr(child, "custom_id", None) or "").split(":")
            if len(parts) == 4 and parts[:2] == ["ng", "to"] and parts[3].isdigit():
                return parts[3]
    return None


def locale_on(message: discord.Message | None) -> str:
    """Return the language a posted alert is worded in, read from its button labels.

    An alert's buttons are re-drawn after each press; this keeps them (and the status
    line) in the language the alert was posted in. Unknown labels read as English.
    """
    labels = {
        getattr(child, "label", None)
        for row in (message.components if message is not None else ())
        for child in getattr(row, "children", ())
    }
    for lang in SUPPORTED_LOCALES:
        if alert_label(ModeratorAction.SHOW_EVIDENCE, lang) in labels:
            return lang
    return DEFAULT_LOCALE
