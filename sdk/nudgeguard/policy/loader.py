"""Loading policy packs by name or path, with errors that name the line and field."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from nudgeguard import plugins
from nudgeguard.policy.model import PolicyPack
from nudgeguard.yamlfile import YamlIssue, YamlModelError, load_yaml_model, read_yaml_text

_PACKAGED = "_builtin_policies"

PolicyIssue = YamlIssue


class PolicyError(YamlModelError):
    """A policy pack could not be found or validated; ``issues`` lists every problem."""


def builtin_dir() -> Path:
    """Return the folder of built-in packs.

    ``nudgeguard/_builtin_policies`` is a symlink to the top-level ``policies/`` folder in a
    checkout (so editable installs see edits at once) and a real folder inside a wheel.
    """
    return Path(str(resources.files("nudgeguard").joinpath(_PACKAGED)))


def builtin_names() -> list[str]:
    """Return the names of the built-in and plugin-provided packs."""
    names = {p.stem for p in builtin_dir().glob("*.yaml")}
    names.update(plugins.names("nudgeguard.policies"))
    return sorted(names)


def resolve(name_or_path: str | Path) -> Path:
    """Find a pack file from a name (built-in or plugin) or a path.

    Raises:
        PolicyError: Nothing matches.
    """
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise PolicyError(str(path), [YamlIssue(None, "file", "no such file")])
        return path
    name = str(name_or_path)
    candidate = builtin_dir() / f"{name}.yaml"
    if candidate.is_file():
        return candidate
    if name in plugins.names("nudgeguard.policies"):
        return Path(str(plugins.load("nudgeguard.policies", name)))
    known = ", ".join(builtin_names())
    raise PolicyError(name, [YamlIssue(None, "name", f"unknown policy pack; known: {known}")])


def load_policy(name_or_path: str | Path) -> PolicyPack:
    """Load and validate a policy pack.

    Args:
        name_or_path: A built-in name (``default``, ``strict``, ``observe``), a plugin pack
            name, or a path to a YAML file.

    Raises:
        PolicyError: The file is missing, is not YAML, or breaks the schema. Each issue
            names its line and field.
    """
    path = resolve(name_or_path)
    try:
        text = read_yaml_text(path)
    except YamlModelError as exc:
        raise PolicyError(exc.source, exc.issues) from None
    return parse_policy(text, source=str(path))


def parse_policy(text: str, source: str = "<policy>") -> PolicyPack:
    """Validate a policy pack given as YAML text.

    Raises:
        PolicyError: As :func:`load_policy`.
    """
    try:
        return load_yaml_model(text, PolicyPack, source)
    except YamlModelError as exc:
        raise PolicyError(exc.source, exc.issues) from None


def schema_json() -> str:
    """Return the JSON schema of policy packs, generated from the models."""
    return json.dumps(PolicyPack.model_json_schema(), indent=2, sort_keys=True) + "\n"
