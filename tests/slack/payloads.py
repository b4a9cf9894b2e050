"""Load recorded Slack payloads from tests/fixtures/slack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"


def load(name: str) -> dict[str, Any]:
    """Return the recorded payload ``name`` (without ``.json``)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data
