"""Short texts the Slack adapter puts together, for moderators and "/safety".

The wording itself comes from the core's catalogs (``nudgeguard.delivery.nudges``): what a child
reads from the child's language, what moderators read from the ``moderator:`` section in
the workspace's language.

Plain, calm, no blame; reading age around 9.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from nudgeguard import catalog
from nudgeguard_slack.blocks import escape


def moderator_wording(locale: str) -> Callable[..., str]:
    """Return the moderator texts (``moderator:`` in the catalogs) of one language.

    Replies to moderators and to ``/safety`` follow the workspace's language setting.
    """
    return catalog(locale).moderator_text


def safety_help(text: Callable[..., str]) -> str:
    """Answer to ``/safety help`` in the language ``text`` words."""
    return text("safety_help", status="*/safety status*", mode="*/safety mode observe|live*")


def status_reply(text: Callable[..., str], open_cases: int, mode: str) -> str:
    """Answer to ``/safety status`` in the language ``text`` words."""
    return text("safety_status", count=f"*{open_cases}*", mode=f"*{escape(mode)}*")


def check_reply(
    level: str, reasons: Sequence[str], case_opened: bool, checks: Mapping[str, str]
) -> str:
    """Answer to "Check this message", shown only to the person who asked.

    Args:
        level: The risk level found.
        reasons: Why, in plain words.
        case_opened: Whether moderators were asked to look.
        checks: The ``checks`` texts of the asker's catalog (``nudgeguard.delivery.nudges``).
    """
    if level in ("none", "ok", "low", ""):
        lines = [escape(checks["nothing_found"])]
    else:
        lines = [escape(checks["found"])]
    lines += [f"- {escape(r)}" for r in reasons[:5]]
    if case_opened:
        lines.append(escape(checks["case_opened"]))
    return "\n".join(lines)
