"""The one place plugins are found and loaded: entry points, checks, blocklist.

Plugins come from the entry-point groups ``nudgeguard.adapters``, ``nudgeguard.detectors``,
``nudgeguard.sinks``, ``nudgeguard.policies`` and ``nudgeguard.cli``. Only configured names
are imported. A loaded object is checked before anyone uses it:

- it must be of the kind its group promises (an :class:`~nudgeguard.Adapter` subclass, a
  detector factory, a sink class with ``from_config``, a path, a click command);
- a plugin that declares ``plugin_api_version`` must declare one this core speaks
  (:data:`PLUGIN_API_VERSION`); one that declares none is taken to speak version 1;
- a name on the blocklist (``NUDGEGUARD_PLUGIN_BLOCKLIST``, comma-separated
  ``group:name`` or plain ``name`` entries) is never imported.

Every failure is a :class:`PluginError` with one line that names the plugin.
"""

from __future__ import annotations

import os
from importlib import metadata
from typing import Any

#: The plugin interface version this core provides. Raised when a change would break
#: plugins written against the previous one.
PLUGIN_API_VERSION = 1

GROUPS = frozenset(
    {
        "nudgeguard.adapters",
        "nudgeguard.detectors",
        "nudgeguard.sinks",
        "nudgeguard.policies",
        "nudgeguard.cli",
    }
)


class PluginError(ValueError):
    """A plugin is missing, blocked, of the wrong kind or of an unsupported version."""


def _blocked() -> set[str]:
    raw = os.environ.get("NUDGEGUARD_PLUGIN_BLOCKLIST", "")
    return {item.strip() for item in raw.split(",") if item.strip()}


def _is_blocked(group: str, name: str) -> bool:
    blocked = _blocked()
    short = group.removeprefix("nudgeguard.")
    return name in blocked or f"{short}:{name}" in blocked or f"{group}:{name}" in blocked


def _check_group(group: str) -> None:
    if group not in GROUPS:
        raise PluginError(f"unknown plugin group {group!r}")


def names(group: str) -> list[str]:
    """Return the sorted names registered in ``group``, blocked ones left out."""
    _check_group(group)
    found = {ep.name for ep in metadata.entry_points(group=group)}
    return sorted(n for n in found if not _is_blocked(group, n))


def load(group: str, name: str, *, extra: str | None = None) -> object:
    """Import the object registered as ``name`` in ``group`` and check its API version.

    Args:
        group: One of :data:`GROUPS`.
        name: The entry point's name.
        extra: The pip extra that provides the plugin's dependencies, named in the error
            when its import fails.

    Raises:
        PluginError: Not installed, blocked, failing to import, or of another API version.
    """
    _check_group(group)
    kind = group.removeprefix("nudgeguard.").rstrip("s")
    if _is_blocked(group, name):
        raise PluginError(f"{kind} {name!r} is blocked by NUDGEGUARD_PLUGIN_BLOCKLIST")
    found = list(metadata.entry_points(group=group, name=name))
    if not found:
        known = ", ".join(names(group)) or "none"
        raise PluginError(f"no {kind} named {name!r} is installed (installed: {known})")
    try:
        obj = found[0].load()
    except ImportError as exc:
        hint = f": pip install 'nudgeguard[{extra}]'" if extra else ""
        raise PluginError(f"{kind} {name!r} needs its extra installed{hint} ({exc.name})") from None
    version = getattr(obj, "plugin_api_version", 1)
    if version != PLUGIN_API_VERSION:
        raise PluginError(
            f"{kind} {name!r} is written for plugin API {version!r}; "
            f"this nudgeguard provides {PLUGIN_API_VERSION}"
        )
    return obj


def load_class(group: str, name: str, base: type, *, extra: str | None = None) -> type[Any]:
    """Load a plugin that must be a subclass of ``base``.

    Raises:
        PluginError: As :func:`load`, or the object is not a subclass of ``base``.
    """
    obj = load(group, name, extra=extra)
    if not (isinstance(obj, type) and issubclass(obj, base)):
        kind = group.removeprefix("nudgeguard.").rstrip("s")
        raise PluginError(f"{kind} {name!r} is not a {base.__name__} subclass")
    return obj


def load_callable(
    group: str, name: str, *, needs: tuple[str, ...] = (), extra: str | None = None
) -> object:
    """Load a plugin that must be callable and carry the attributes in ``needs``.

    Raises:
        PluginError: As :func:`load`, or the object is not callable or lacks an attribute.
    """
    obj = load(group, name, extra=extra)
    kind = group.removeprefix("nudgeguard.").rstrip("s")
    if not callable(obj):
        raise PluginError(f"{kind} {name!r} is not callable")
    missing = [attr for attr in needs if not hasattr(obj, attr)]
    if missing:
        raise PluginError(f"{kind} {name!r} lacks {', '.join(missing)}")
    return obj


__all__ = [
    "GROUPS",
    "PLUGIN_API_VERSION",
    "PluginError",
    "load",
    "load_callable",
    "load_class",
    "names",
]
