"""Config checks that name the line of every key: unknown keys, policy names, adapter sections.

Pydantic reports an unknown top-level key or a bad adapter section without a position in
the file; these helpers find the key's line in the YAML node tree and suggest the closest
known name ("did you mean 'observe'?").
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from nudgeguard import plugins
from nudgeguard.yamlfile import YamlIssue, YamlModelError, line_of

_ADAPTER_ERROR = re.compile(r"^invalid (?P<name>[a-z0-9_-]+) config: (?P<problems>.+)$", re.S)


def _node(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None  # the loader reports what is wrong with the YAML itself


def suggestion(word: str, known: Iterable[str]) -> str:
    """Return ``; did you mean 'x'?`` for the closest known name, or ""."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_keys(text: str, known: Iterable[str]) -> list[YamlIssue]:
    """Return an issue for each top-level key that is no setting and no adapter's section.

    Each issue names the key's own line and the closest known name.
    """
    node = _node(text)
    if not isinstance(node, yaml.MappingNode):
        return []
    adapters = plugins.names("nudgeguard.adapters")
    names = [*known, *adapters]
    issues = []
    for key, _ in node.value:
        name = getattr(key, "value", None)
        if isinstance(name, str) and name not in names:
            # A bare ``?`` (YAML's explicit key) gives an empty name: say so, not ``: ...``.
            field = name if name.strip() else "(empty key)"
            issues.append(
                YamlIssue(
                    key.start_mark.line + 1,
                    field,
                    f"unknown setting {name!r}{suggestion(name, names)}"
                    f" (adapter sections available: {', '.join(adapters)})",
                )
            )
    return issues


def with_suggestions(issues: list[YamlIssue], model: type[BaseModel]) -> list[YamlIssue]:
    """Return ``issues`` with a did-you-mean added to each unknown nested field.

    The known names come from the model at the field's parent path (``state.backnd`` is
    compared with the fields of the ``state`` section).
    """
    out = []
    for issue in issues:
        *parents, name = issue.field.split(".")
        fields = _fields_at(model, parents)
        hint = suggestion(name, fields) if issue.message.startswith("unknown field") else ""
        out.append(YamlIssue(issue.line, issue.field, issue.message + hint) if hint else issue)
    return out


def _fields_at(model: type[BaseModel], path: list[str]) -> list[str]:
    current: Any = model
    for part in path:
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = next(
            (a for a in typing.get_args(field.annotation) if isinstance(a, type)),
            field.annotation,
        )
    return list(getattr(current, "model_fields", {}))


def policy_issue(text: str, policy: str) -> list[YamlIssue]:
    """Return an issue at the ``policy:`` line when it names no pack and no file."""
    from nudgeguard.policy import PolicyError
    from nudgeguard.policy.loader import builtin_names, resolve

    try:
        resolve(policy)
    except PolicyError:
        node = _node(text)
        known = builtin_names()
        hint = suggestion(policy, known) or f"; built-in packs: {', '.join(known)}"
        where = "no such file" if Path(policy).suffix in (".yaml", ".yml") else "unknown pack"
        return [YamlIssue(line_of(node, ("policy",)), "policy", f"{where} {policy!r}{hint}")]
    return []


def locate_adapter_error(source: str, text: str, message: str) -> YamlModelError | None:
    """Return an adapter's config error with the line of each field it names.

    Adapters report ``invalid NAME config: NAME.a.b: problem; NAME.c: problem``; for any
    other message there is nothing to locate (None).
    """
    found = _ADAPTER_ERROR.match(message)
    if found is None:
        return None
    node = _node(text)
    issues = []
    for problem in found["problems"].split("; "):
        field, _, what = problem.partition(": ")
        loc = tuple(field.split("."))
        issues.append(YamlIssue(line_of(node, loc) if what else None, field, what or problem))
    return YamlModelError(source, issues)
