"""What happens when someone presses a button or checks a message.

Children's presses on nudge buttons go to ``engine.respond_to_nudge``; its answer is shown
privately (ephemeral).
Moderators' presses on alert buttons go to ``engine.moderate``; whether the presser may act
is decided here from their Discord roles and permissions, and refused presses are recorded
too. "Show evidence" answers only the moderator who pressed it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from nudgeguard import (
    CaseStatus,
    MessageEvent,
    ModeratorAction,
    ModeratorAlert,
    Nudge,
    NudgeAction,
    NudgeButton,
    catalog,
    choose_locale,
    in_locale,
)
from nudgeguard_discord.alerts import (
    action_line,
    alert_embed,
    evidence_embed,
    last_action_line,
    with_status,
)
from nudgeguard_discord.permissions import is_moderator, may_time_out
from nudgeguard_discord.views import (
    CLOSING,
    actions_on,
    alert_view,
    case_id_fits,
    locale_on,
    nudge_key,
    nudge_view,
    subject_on,
)

if TYPE_CHECKING:
    from collections import Counter

    from nudgeguard import EngineHandle
    from nudgeguard_discord.settings import DiscordSettings

log = logging.getLogger(__name__)

#: Buttons shown when a nudge brings none.
DEFAULT_BUTTONS = (
    NudgeButton(action=NudgeAction.SAFETY_TIPS, label="Safety tips"),
    NudgeButton(action=NudgeAction.HOW_TO_BLOCK, label="How to block"),
    NudgeButton(action=NudgeAction.REPORT, label="Report"),
    NudgeButton(action=NudgeAction.TALK_TO_SOMEONE, label="Talk to someone"),
    NudgeButton(action=NudgeAction.IM_OK, label="I'm OK"),
)


def moderator_text(message: discord.Message | None, key: str, **values: object) -> str:
    """Return a moderator-facing text in the language the alert ``message`` is worded in."""
    return catalog(locale_on(message)).moderator_text(key, **values)


def _note(message: discord.Message | None, result: Any) -> str:
    """Return the core's note on a refused press, or why there is none."""
    if result is not None and result.note:
        return str(result.note)
    return moderator_text(message, "note_not_loaded")


def subject_of(alert: ModeratorAlert) -> str | None:
    """Return the platform id of the case's subject, as the core's alert names it."""
    return next((p.user_id for p in alert.participants if p.role == "subject"), None)


def nothing_found(locale: str | None) -> str:
    """Return the "no warning signs" answer in the asker's language."""
    return catalog(choose_locale(locale, None, None, None)).checks["nothing_found"]


class InteractionsMixin:
    """Button and context-menu handling for :class:`DiscordAdapter`."""

    if TYPE_CHECKING:
        settings: DiscordSettings
        stats: Counter[str]
        _nudges: Any
        _engine: EngineHandle | None

        @property
        def engine(self) -> EngineHandle:
            """The bound engine."""
            ...

        def bot_can_timeout(self, community_id: str) -> bool:
            """Whether the bot may time members out."""
            ...

        def _action_list(self, alert: ModeratorAlert) -> list[ModeratorAction]: ...

    # ------------------------------------------------------------------ nudges
    def nudge_buttons(self, nudge: Nudge) -> list[NudgeButton]:
        """Return the nudge's buttons as the core chose them (helpline country included)."""
        return list(nudge.buttons) or list(DEFAULT_BUTTONS)

    def nudge_view_for(self, nudge: Nudge) -> discord.ui.View:
        """Build the DM view of a nudge and remember it for the follow-ups."""
        key = nudge_key(nudge.nudge_id)
        self._nudges.put(key, nudge)
        return nudge_view(key, self.nudge_buttons(nudge))

    async def on_nudge_choice(
        self, interaction: discord.Interaction[Any], action: str, key: str
    ) -> None:
        """Answer the child privately with what the engine says about their choice.

        The engine words the answer, pauses nudges after Report or How to block, and takes
        a Report to the moderators (through the case's alert). A nudge no longer in memory
        (after a restart) is answered in the presser's Discord language, without its case.
        """
        nudge: Nudge | None = self._nudges.get(key)
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = str(interaction.guild_id) if interaction.guild_id is not None else "-"
        try:
            response = await self.engine.respond_to_nudge(
                nudge.nudge_id if nudge is not None else "",
                action,
                str(interaction.user.id),
                platform="discord",
                community_id=nudge.community_id if nudge is not None else guild,
                case_id=nudge.case_id if nudge is not None else None,
                locale=nudge.locale if nudge is not None else str(interaction.locale),
                conversation_id=nudge.conversation_id if nudge is not None else None,
            )
        except Exception as exc:
            log.error("engine.respond_to_nudge failed (%s)", type(exc).__name__)
            sorry = catalog(choose_locale(str(interaction.locale), None, None, None))
            await interaction.followup.send(sorry.responses["not_answered"], ephemeral=True)
            return
        self.stats[f"nudge_choice_{action if response.accepted else 'unknown'}"] += 1
        if response.text:
            await interaction.followup.send(response.text[:2000], ephemeral=True)

    # ------------------------------------------------------------------ alerts
    def alert_view_for(self, alert: ModeratorAlert) -> discord.ui.View:
        """Build the persistent buttons of an alert."""
        if not case_id_fits(alert.case_id):
            log.warning("case id does not fit in a button id; alert posted without buttons")
            return discord.ui.View(timeout=None)
        closed = alert.status in (CaseStatus.RESOLVED, CaseStatus.DISMISSED)
        return alert_view(
            alert.case_id,
            self._action_list(alert),
            subject_id=subject_of(alert),
            closed=closed,
            locale=alert.locale,
        )

    async def on_alert_action(
        self,
        interaction: discord.Interaction[Any],
        action: ModeratorAction,
        case_id: str,
        subject_id: str | None,
    ) -> None:
        """Check the presser's rights, record the action and update the alert."""
        moderator = str(interaction.user.id)
        said = interaction.message
        if action is ModeratorAction.TIMEOUT:
            permitted = may_time_out(interaction, self.settings)
        else:
            permitted = is_moderator(interaction, self.settings)
        if not permitted:
            await interaction.response.send_message(
                moderator_text(said, "moderators_only"), ephemeral=True
            )
            await self._moderate(
                case_id, action, moderator, permitted=False, guild_id=interaction.guild_id
            )
            return
        if action is ModeratorAction.TIMEOUT and not interaction.app_permissions.moderate_members:
            await interaction.response.send_message(
                moderator_text(said, "no_timeout_permission"), ephemeral=True
            )
            await self._moderate(
                case_id, action, moderator, permitted=False, guild_id=interaction.guild_id
            )
            return
        if action is ModeratorAction.SHOW_EVIDENCE:
            await interaction.response.defer(ephemeral=True, thinking=True)
            result = await self._moderate(
                case_id, action, moderator, permitted=True, guild_id=interaction.guild_id
            )
            if result is None or not result.accepted:
                note = _note(said, result)
                await interaction.followup.send(
                    moderator_text(said, "not_shown", note=note), ephemeral=True
                )
                return
            await interaction.followup.send(
                embed=evidence_embed(case_id, result.evidence, locale_on(interaction.message)),
                ephemeral=True,
            )
            return
        await interaction.response.defer()
        result = await self._moderate(
            case_id, action, moderator, permitted=True, guild_id=interaction.guild_id
        )
        if result is None or not result.accepted:
            note = _note(said, result)
            await interaction.followup.send(
                moderator_text(said, "not_done", note=note), ephemeral=True
            )
            return
        extra = ""
        if action is ModeratorAction.TIMEOUT and subject_id:
            extra = await self._timeout(interaction, subject_id, case_id)
        status = str(result.case.status) if result.case is not None else "updated"
        when = int(dt.datetime.now(dt.UTC).timestamp())
        lang = locale_on(interaction.message)
        if action is not ModeratorAction.TIMEOUT and result.decision is not None:
            # The core's decision, worded as every later re-draw of the post words it.
            line = last_action_line(result.decision, lang)
        else:  # a timeout (no decision on the case) says what it did
            line = action_line(action, moderator, when, lang) + extra
        message = interaction.message
        closed = action in CLOSING or status in (CaseStatus.RESOLVED, CaseStatus.DISMISSED)
        if result.alert is not None:
            # Re-drawn from the core's alert as the case now stands: every action its state
            # allows, the subject's id for Timeout whichever button was pressed, and the
            # decision with who made it.
            alert = result.alert
            embed = alert_embed(alert)
            if action is ModeratorAction.TIMEOUT:
                embed = with_status(embed, status, line, alert.locale)
            await interaction.edit_original_response(
                embed=embed,
                view=alert_view(
                    case_id,
                    self._action_list(alert),
                    subject_id=subject_of(alert),
                    closed=closed,
                    locale=alert.locale,
                ),
            )
        elif message is not None and message.embeds:
            # The core no longer holds the alert (a restart): keep the post's own buttons.
            actions = actions_on(message) or list(ModeratorAction)
            await interaction.edit_original_response(
                embed=with_status(message.embeds[0], status, line, lang),
                view=alert_view(
                    case_id,
                    actions,
                    subject_id=subject_id or subject_on(message),
                    closed=closed,
                    locale=lang,
                ),
            )

    async def _moderate(
        self,
        case_id: str,
        action: ModeratorAction,
        moderator: str,
        *,
        permitted: bool,
        guild_id: int | None = None,
    ) -> Any:
        # The core refuses a case of another server (a forged or copied button).
        community = str(guild_id) if guild_id is not None else "-"
        try:
            return await self.engine.moderate(
                case_id,
                action,
                moderator_id=moderator,
                permitted=permitted,
                community_id=community,
            )
        except Exception as exc:
            log.error("engine.moderate failed (%s)", type(exc).__name__)
            return None

    async def _timeout(
        self, interaction: discord.Interaction[Any], subject_id: str, case_id: str
    ) -> str:
        guild = interaction.guild
        said = interaction.message
        if guild is None:
            return f" ({moderator_text(said, 'timeout_no_server')})"
        minutes = self.settings.guild(guild.id).timeout_minutes
        try:
            member = guild.get_member(int(subject_id)) or await guild.fetch_member(int(subject_id))
            await member.timeout(dt.timedelta(minutes=minutes), reason=f"nudgeguard case {case_id}")
        except discord.HTTPException as exc:
            log.warning("timeout failed (HTTP %s)", exc.status)
            return f" ({moderator_text(said, 'timeout_failed')})"
        return f" ({moderator_text(said, 'timeout_done', minutes=minutes)})"

    # ------------------------------------------------------------ check menu
    async def answer_check_result(
        self,
        interaction: discord.Interaction[Any],
        event: MessageEvent,
        context: Sequence[MessageEvent],
    ) -> None:
        """Score a chosen message and answer the requester ephemerally."""
        try:
            result = await self.engine.check_message(
                event, context, requester_id=str(interaction.user.id)
            )
        except Exception as exc:
            log.error("engine.check_message failed (%s)", type(exc).__name__)
            await interaction.followup.send(
                "Sorry, I couldn't check that message right now.", ephemeral=True
            )
            return
        self.stats["checks"] += 1
        nudge = result.nudge
        if nudge is not None:
            # The child's own Discord language outranks every other signal.
            nudge = in_locale(nudge, str(interaction.locale))
        if nudge is None:
            await interaction.followup.send(nothing_found(str(interaction.locale)), ephemeral=True)
            return
        await interaction.followup.send(
            nudge.text[:2000], view=self.nudge_view_for(nudge), ephemeral=True
        )
