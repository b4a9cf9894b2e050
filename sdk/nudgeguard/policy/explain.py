"""Plain-words explanation of a policy pack, for admins deciding whether to use it."""

from __future__ import annotations

from nudgeguard.locales import SUPPORTED_LOCALES
from nudgeguard.policy.model import Condition, PolicyPack, RuleAction

_LEVEL_WORDS = {
    "nudge": "risk reaches the nudge threshold",
    "review": "risk reaches the review threshold",
    "urgent": "risk is urgent (threshold, a threat, or a meeting request with secrecy or an"
    " age gap)",
}

_SOURCE_WORDS = {
    "declared": "declared by the platform or an admin",
    "stated": "said in the chat",
}
_ACTION_WORDS = {
    "nudge_child": "send the person at risk a private safety nudge",
    "warn_sender": "privately warn the sender",
    "observe": "record the decision without sending anything",
}


def _condition(c: Condition) -> str:
    parts: list[str] = []
    if c.min_level is not None:
        parts.append(_LEVEL_WORDS.get(c.min_level.value, f"level >= {c.min_level.value}"))
    if c.below_level is not None:
        parts.append(f"risk is still below {c.below_level.value}")
    if c.signals_any:
        parts.append("the message shows " + " or ".join(s.replace("_", " ") for s in c.signals_any))
    if c.signals_seen_any:
        parts.append(
            "the sender has shown "
            + " or ".join(s.replace("_", " ") for s in c.signals_seen_any)
            + " towards them so far"
        )
    if c.min_stages:
        besides = f" besides {', '.join(c.stages_not_counted)}" if c.stages_not_counted else ""
        parts.append(f"at least {c.min_stages} grooming stages{besides} are present")
    if c.actor_age:
        parts.append("the sender is " + " or ".join(b.value for b in c.actor_age))
    if c.target_age:
        parts.append("the person addressed is " + " or ".join(b.value for b in c.target_age))
    if c.target_age_source:
        parts.append("their age was " + " or ".join(_SOURCE_WORDS[s] for s in c.target_age_source))
    if c.min_learned_score is not None:
        parts.append(
            f"the learned scorer does not read the sender's side as clearly ordinary (running"
            f" score at least {c.min_learned_score:g} once it has read enough of it)"
        )
    if c.conversation_kind:
        parts.append("in a " + " or ".join(k.value for k in c.conversation_kind) + " chat")
    return " and ".join(parts) or "always"


def _action(a: RuleAction) -> str:
    if a.action == "escalate":
        assert a.severity is not None
        return f"open a {a.severity.value}-severity moderator case (or add to the open one)"
    text = _ACTION_WORDS[a.action]
    if a.template:
        text += f" (message '{a.template}')"
    return text


def _languages(pack: PolicyPack) -> str:
    """Name the languages a pack's nudges use, and how one is chosen."""
    catalogs = ", ".join(SUPPORTED_LOCALES)
    fallback = (
        f"else {pack.nudges.locale} (this pack's language)"
        if pack.nudges.locale
        else "else the language the chat is written in, else English"
    )
    return (
        f"Languages: nudges, buttons and follow-ups in {catalogs} ({pack.nudges.copy_for}"
        " wording). Each child gets the language their app is set to, else the channel's"
        f" or community's language in the config, {fallback}."
    )


def explain(pack: PolicyPack) -> str:
    """Return a readable description of what the pack does."""
    t, caps = pack.thresholds, pack.caps
    lines = [
        f"Policy '{pack.name}' (apiVersion {pack.apiVersion}), mode {pack.mode}.",
        pack.description.strip(),
        "",
        "Mode: "
        + (
            "observe - decisions are recorded, nothing is sent (a dry run)."
            if pack.mode == "observe"
            else "live - nudges and alerts are sent."
        ),
        f"Thresholds: nudge at {t.nudge}, moderator review at {t.review}, urgent at {t.urgent}.",
        _languages(pack),
        "",
        "Rules, checked for every message (all that match apply):",
    ]
    for i, rule in enumerate(pack.rules, start=1):
        actions = "; ".join(_action(a) for a in rule.do)
        lines.append(f"  {i}. {rule.name}: when {_condition(rule.when)}, {actions}.")
        if rule.description:
            lines.append(f"     ({rule.description.strip()})")
    lines += [
        "",
        "Always, whatever the rules say:",
        "  - nudges go privately ("
        + ", then ".join(d.value for d in pack.delivery.child)
        + "); never as a public reply;",
        "  - no sender warning once a case is open or opening, and no nudge to a known adult"
        " who is the subject of a case in the conversation;",
        "  - a moderator is alerted again only when a case's severity rises;",
        f"  - at most one nudge per topic per conversation every"
        f" {caps.family_per_conversation_hours:g} hours and {caps.child_per_day} a day per"
        " child, except critical ones (with a threat, a meeting request or a new or raised"
        " case), which are never held back;",
        "  - people decide on sanctions; scores only inform.",
    ]
    if pack.disabled_signals:
        lines.append("Disabled signals: " + ", ".join(pack.disabled_signals))
    if pack.overrides.communities:
        lines.append("Overrides for communities: " + ", ".join(pack.overrides.communities))
    return "\n".join(lines)
