"""``nudgeguard bench``: throughput of the pipeline against a baseline (placeholder)."""

from __future__ import annotations

COMMANDS: list[object] = []
