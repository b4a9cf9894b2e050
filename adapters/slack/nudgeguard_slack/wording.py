"""Short texts the Slack adapter writes itself (nudge wording comes from the core catalog).

Plain, calm, no blame; reading age around 9.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nudgeguard_slack.blocks import escape

#: Used when a nudge button carries no follow-up text from the core.
DEFAULT_FOLLOWUPS: dict[str, str] = {
    "safety_tips": (
        "A few tips: keep chats where other people can see them, don't share where you live "
        "or go to school, and you can always stop replying."
    ),
    "how_to_block": (
        "In Slack you can mute a conversation or leave a channel at any time. Press Report "
        "and a moderator can step in. You won't get into trouble for this."
    ),
    "report": (
        "Thanks for telling us. A moderator will look at this privately. You are not in trouble."
    ),
    "talk_to_someone": (
        "Talking to an adult you trust, like a parent, carer or teacher, can really help. "
        "You can also use the helpline button."
    ),
    "im_ok": "Got it. These buttons stay here if you change your mind.",
}

#: Follow-ups whose generic wording is wrong on Slack (members cannot block each other), by
#: nudge language; written to the catalog rules (docs/languages.md).
SLACK_FOLLOWUPS: dict[str, dict[str, str]] = {
    "how_to_block": {
        "en": (
            "Slack doesn't let members block each other, but you can mute the conversation, "
            "leave the channel, and press Report so a moderator steps in. They won't be told "
            "it was you."
        ),
        "de": (
            "In Slack kann man niemanden blockieren. Du kannst aber den Chat stummschalten, "
            "den Kanal verlassen und auf Melden drücken, dann kümmert sich die Moderation. "
            "Niemand erfährt, dass du es warst."
        ),
        "nl": (
            "In Slack kun je niemand blokkeren. Je kunt wel het gesprek dempen, het kanaal "
            "verlaten en op Melden drukken, dan grijpt een moderator in. Niemand hoort dat jij "
            "het was."
        ),
        "es": (
            "En Slack no se puede bloquear a nadie, pero puedes silenciar la conversación, salir "
            "del canal y pulsar Reportar para que intervenga un moderador. Nadie sabrá que "
            "fuiste tú."
        ),
        "fr": (
            "Sur Slack, on ne peut bloquer personne, mais tu peux mettre la discussion en "
            "sourdine, quitter le canal et appuyer sur Signaler pour qu'un modérateur "
            "intervienne. Personne ne saura que c'est toi."
        ),
        "pt": (
            "No Slack não dá para bloquear ninguém, mas você pode silenciar a conversa, sair do "
            "canal e tocar em Denunciar para a moderação agir. Ninguém vai saber que foi você."
        ),
    },
}


def slack_followup(action: str, locale: str) -> str | None:
    """Return Slack's own wording of a follow-up in ``locale`` (else English), if it has one."""
    by_locale = SLACK_FOLLOWUPS.get(action)
    if by_locale is None:
        return None
    return by_locale.get(locale, by_locale["en"])


REPORT_NOT_SENT = (
    "I couldn't reach the moderators just now. Please tell an adult you trust, or a "
    "workspace admin. You are not in trouble."
)

NOT_A_MODERATOR = (
    "Only members of the safety team can act on cases. Your click was recorded on the case."
)
MODE_NOT_ALLOWED = "Only members of the safety team can change the mode."
UPDATE_DELAYED = (
    "Recorded on the case. Slack is busy, so this alert may show the old status for a while."
)
LOOKUP_FAILED = "I couldn't check the safety team list just now. Please try again in a minute."
CHECK_NOT_A_PERSON = "I can only check messages that people wrote."
SAFETY_HELP = (
    "*/safety status* shows open cases and the current mode.\n"
    "*/safety mode observe* or *live* switches mode (safety team only)."
)


def status_reply(open_cases: int, mode: str) -> str:
    """Answer to ``/safety status``."""
    plural = "" if open_cases == 1 else "s"
    return f"nudgeguard is in *{escape(mode)}* mode. {open_cases} open case{plural}."


def check_reply(
    level: str, reasons: Sequence[str], case_opened: bool, checks: Mapping[str, str]
) -> str:
    """Answer to "Check this message", shown only to the person who asked.

    Args:
        level: The risk level found.
        reasons: Why, in plain words.
        case_opened: Whether moderators were asked to look.
        checks: The ``checks`` texts of the asker's catalog (``nudgeguard.nudges``).
    """
    if level in ("none", "ok", "low", ""):
        lines = [escape(checks["nothing_found"])]
    else:
        lines = [escape(checks["found"])]
    lines += [f"- {escape(r)}" for r in reasons[:5]]
    if case_opened:
        lines.append(escape(checks["case_opened"]))
    return "\n".join(lines)
