"""Validating YAML files against pydantic models with errors that name line and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class YamlIssue:
    """One problem in a YAML file."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "line ?"
        return f"{where}: {self.field}: {self.message}"


class YamlModelError(ValueError):
    """A YAML file could not be validated; ``issues`` lists every problem found."""

    def __init__(self, source: str, issues: list[YamlIssue]) -> None:
        self.source = source
        self.issues = issues
        super().__init__(f"{source}:\n" + "\n".join(f"  {issue}" for issue in issues))


def load_yaml_model(text: str, model: type[M], source: str, **context: Any) -> M:
    """Parse ``text`` as YAML and validate it as ``model``.

    Raises:
        YamlModelError: Not YAML, not a mapping, or invalid; each issue names its line.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.reader.ReaderError as exc:  # a control character; it has no "mark"
        at = text.count("\n", 0, exc.position) + 1
        problem = f"character U+{exc.character:04X} is not allowed in YAML (remove it)"
        raise YamlModelError(source, [YamlIssue(at, "yaml", problem)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise YamlModelError(source, [YamlIssue(line, "yaml", str(problem))]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise YamlModelError(source, [YamlIssue(1, "(top)", "expected a YAML mapping")])
    repeated = duplicate_keys(node)
    if repeated:
        raise YamlModelError(source, repeated)
    try:
        return model.model_validate({**data, **context})
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A list whose item is invalid is also reported as too short; the item's own error
        # says what to fix, so the echo on every enclosing list is left out.
        issues = [
            YamlIssue(
                line_of(node, err["loc"]),
                dotted(err["loc"]),
                _MESSAGES.get(err["type"], err["msg"].removeprefix("Value error, ")),
            )
            for err in errors
            if not (err["type"] == "too_short" and _encloses(err["loc"], errors))
        ]
        raise YamlModelError(source, issues) from None


# One wording for an unknown key, whether a model or a dataclass section rejected it.
_MESSAGES = {
    "extra_forbidden": "unknown field (check its spelling and indentation)",
    "unexpected_keyword_argument": "unknown field (check its spelling and indentation)",
}


def _encloses(loc: tuple[int | str, ...], errors: list[Any]) -> bool:
    """True when another error lies inside ``loc``."""
    return any(len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc for e in errors)


def duplicate_keys(node: Any, path: tuple[int | str, ...] = ()) -> list[YamlIssue]:
    """Return an issue for each key given twice in one mapping (YAML keeps only the last).

    A pack or config with a section written twice would otherwise load with the first one
    silently ignored.
    """
    issues: list[YamlIssue] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = getattr(key, "value", None)
            if isinstance(name, str) and name != "<<":
                line = key.start_mark.line + 1
                if name in seen:
                    message = f"duplicate key, also on line {seen[name]}; keep one of them"
                    issues.append(YamlIssue(line, dotted((*path, name)), message))
                else:
                    seen[name] = line
            issues += duplicate_keys(value, (*path, name if isinstance(name, str) else "?"))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            issues += duplicate_keys(item, (*path, i))
    return issues


def dotted(loc: tuple[int | str, ...]) -> str:
    """Return a pydantic location as ``a.b[0].c``."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif parts:
            parts.append(f".{part}")
        else:
            parts.append(str(part))
    return "".join(parts) or "(top)"


def line_of(node: Any, loc: tuple[int | str, ...]) -> int | None:
    """Walk the YAML node tree along a pydantic error location; return a 1-based line."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(
                ((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None
            )
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
