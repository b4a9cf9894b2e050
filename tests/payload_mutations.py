"""Random structural damage to recorded platform payloads, for the adapters' fuzz tests."""

from __future__ import annotations

import copy
import random
from typing import Any

ODD = ["", "\u202e\u200b", "x" * 50_000, "\x00", "\ud7ff\uffff", "<@", "&amp;", "0", "-1", "1e309"]


def json_value(rng: random.Random, depth: int = 0) -> Any:
    """Return a random JSON value (nested at most two levels)."""
    kind = rng.randrange(8 if depth < 2 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice([0, -1, 2**63, 2**70, 17])
    if kind == 3:
        return rng.choice([0.5, -1e308, float("inf"), float("nan")])
    if kind in (4, 5):
        return rng.choice(ODD)
    if kind == 6:
        return [json_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {rng.choice(ODD[:4]): json_value(rng, depth + 1) for _ in range(rng.randrange(3))}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def mutate(body: dict[str, Any], rng: random.Random, edits: int = 3) -> dict[str, Any]:
    """Return a copy of ``body`` with up to ``edits`` values replaced or keys dropped."""
    body = copy.deepcopy(body)
    for _ in range(rng.randint(1, edits)):
        paths = _paths(body)
        if not paths:
            break
        path = rng.choice(paths)
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rng.random() < 0.4:
            del parent[path[-1]]
        else:
            parent[path[-1]] = json_value(rng)
    return body
