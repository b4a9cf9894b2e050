"""Moderator alert sinks beyond the adapters' own channels (webhooks, ...).

Sinks are found through the ``nudgeguard.sinks`` entry-point group and configured in the
``sinks:`` section, one entry per sink with a ``type`` naming the entry point::

    sinks:
      trust-and-safety:
        type: webhook
        url: https://tns.example.org/nudgeguard
        secret_env: NUDGEGUARD_WEBHOOK_SECRET

The entry point names a class with ``from_config(name, section)`` returning an
:class:`~nudgeguard.delivery.outbox.AlertSink`. Only configured types are imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nudgeguard import plugins
from nudgeguard.delivery.outbox import AlertSink


def load_sink(name: str, section: Mapping[str, Any]) -> AlertSink:
    """Build the sink called ``name`` from its config section.

    Raises:
        ValueError: Unknown type, a name that clashes with an adapter, or a bad section.
    """
    if name in plugins.names("nudgeguard.adapters"):
        raise ValueError(f"sink name {name!r} is taken by an adapter; choose another name")
    kind = section.get("type")
    if not isinstance(kind, str):
        raise ValueError(f"sinks.{name}: missing 'type' (for example: webhook)")
    if kind not in plugins.names("nudgeguard.sinks"):
        raise ValueError(f"sinks.{name}: no sink type {kind!r} is installed")
    cls: Any = plugins.load_callable("nudgeguard.sinks", kind, needs=("from_config",))
    rest = {k: v for k, v in section.items() if k != "type"}
    sink: AlertSink = cls.from_config(name, rest)
    return sink


def load_sinks(sections: Mapping[str, Mapping[str, Any]]) -> list[AlertSink]:
    """Build every configured sink."""
    return [load_sink(name, section or {}) for name, section in sections.items()]


__all__ = ["load_sink", "load_sinks"]
