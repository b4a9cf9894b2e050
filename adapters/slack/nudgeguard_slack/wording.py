"""Short texts the Slack adapter writes itself, for moderators and "/safety".

Everything a child reads (nudges, answers to their buttons, "Check this message") comes
from the core's catalogs (``nudgeguard.nudges``).

Plain, calm, no blame; reading age around 9.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nudgeguard_slack.blocks import escape

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
